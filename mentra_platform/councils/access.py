"""Shared by the council services: loading (what the caller may see), If-Match, closed states.

The ETag convention is the council's: a strong ``"<version>"``. Writes that change the
council row require ``If-Match`` (missing → 428, stale → 412); SQLAlchemy's version column
turns a race between the check and the commit into ``StaleDataError`` → 412.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    MAX_ID,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    Role,
    User,
)
from mentra_platform.core.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    field_error,
)
from mentra_platform.councils.queries import can_see

CLOSED = (CoordinationStatus.CONFIRMED, CoordinationStatus.CANCELLED)


def etag(version: int) -> str:
    """The strong ETag of a council version: the one definition (``"<version>"``)."""
    return f'"{version}"'


def check_if_match(if_match: str | None, version: int) -> None:
    """Strong comparison: missing → 428; no listed tag equal to ``"<version>"`` → 412."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired("If-Match header required (the council's ETag)")
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    raise PreconditionFailed(f"Stale If-Match; current ETag is {etag(version)}")


def load_council(session: Session, council_id: int, *, lock: bool = False) -> CouncilSession:
    """The council or 404; ``lock`` takes a row lock on PostgreSQL (no-op on SQLite)."""
    if not 1 <= council_id <= MAX_ID:
        raise NotFound("Council not found")
    stmt = select(CouncilSession).where(CouncilSession.id == council_id)
    if lock:
        stmt = stmt.with_for_update()
    council = session.scalar(stmt)
    if council is None:
        raise NotFound("Council not found")
    return council


def load_visible(
    session: Session, user: User, council_id: int, *, lock: bool = False
) -> CouncilSession:
    """The council if ``user`` may see it, else 404: a council the caller cannot see answers
    exactly like one that does not exist (never 403, which would tell them it does)."""
    if not 1 <= council_id <= MAX_ID or not can_see(session, user, council_id):
        raise NotFound("Council not found")
    return load_council(session, council_id, lock=lock)


def require_open(council: CouncilSession, action: str) -> None:
    """409 when the council is already confirmed or cancelled."""
    if council.coordination_status in CLOSED:
        raise Conflict(f"Cannot {action}: the council is {council.coordination_status.value}")


def seat_of(council: CouncilSession, mentor_id: int) -> CouncilMentor | None:
    return next((cm for cm in council.mentors if cm.mentor_id == mentor_id), None)


def slot_of(council: CouncilSession, slot_id: int) -> CouncilSlot | None:
    return next((s for s in council.slots if s.id == slot_id), None)


def require_mentor_user(session: Session, user_id: int, field: str) -> User:
    """An active user with the mentor role, else a field-level 422."""
    user = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if user is None or not user.is_active:
        raise field_error(field, f"no active user {user_id}")
    if user.role != Role.MENTOR:
        raise field_error(field, f"user {user_id} is not a mentor")
    return user


def display_name(user: User) -> str:
    return user.full_name or user.email.split("@", 1)[0]


def snapshot(council: CouncilSession) -> dict[str, Any]:
    """The decision-relevant state of a council, for audit before/after JSON."""
    slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    return {
        "coordinationStatus": council.coordination_status.value,
        "finalTimeConfirmed": council.final_time_confirmed,
        "finalSlotId": council.final_slot_id,
        "finalSlot": None
        if slot is None
        else {"start": slot.starts_at.isoformat(), "end": slot.ends_at.isoformat()},
        "leadMentorId": council.lead_mentor_id,
        "mentorIds": sorted(cm.mentor_id for cm in council.mentors),
        "attendingMentorIds": sorted(cm.mentor_id for cm in council.mentors if cm.attending),
        "videoLink": council.video_link,
        "version": council.version,
    }
