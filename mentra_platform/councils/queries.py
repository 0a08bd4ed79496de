"""Reading councils: who sees what, the list filters, and what each reader may see.

The council document itself is defined once, in SQL, by
:mod:`mentra_platform.councils.documents`; :func:`for_reader` shapes it for who reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from mentra_desktop.models import (
    STAFF_ROLES,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    Role,
    User,
)

C = CouncilSession
INVITE_BLANKS: dict[str, Any] = {
    "inviteUid": None,
    "inviteSequence": None,
    "organizer": None,
    "menteeEmail": "",
}
"""The invite fields of a council document as non-staff read them (plus ``registrants``
emptied)."""
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` suffix (what pydantic emits for aware UTC values)."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def visibility_clause(user: User) -> ColumnElement[bool] | None:
    """None for staff (see all); mentors see councils they are on; mentees their own."""
    if user.role in (Role.ADMIN, Role.COORDINATOR):
        return None
    if user.role == Role.MENTOR:
        return exists().where(CouncilMentor.council_id == C.id, CouncilMentor.mentor_id == user.id)
    return C.mentee_id == user.id


def for_reader(user: User, document: dict[str, Any]) -> dict[str, Any]:
    """The council document as ``user`` may read it.

    The invite's addressing (``inviteUid``, ``inviteSequence``, ``organizer``, the
    mentee's and the registered mentees' addresses) is for staff, who export the
    councils' calendars: mentors and mentees get it blanked.
    A mentee sees their council, its times and who their mentors are, but not the
    coordination behind it: the coordinator's notes, mentors' e-mail addresses, the
    conflict notes mentors wrote for the coordinator, the phase history and the mentors'
    busy times (their other councils) are blanked (the fields stay, so the document keeps
    one shape).
    ``menteeTimezone`` stays for every reader: the mentee reads their own, and a mentor
    meeting the mentee may see the mentee's local time (a zone, not an address).
    """
    if user.role in STAFF_ROLES:
        return document
    document.update(INVITE_BLANKS)
    document["registrants"] = []
    if user.role != Role.MENTEE:
        return document
    document["coordinatorNotes"] = ""
    document["phaseHistory"] = []  # how the coordination went (deadlines, overrides)
    for mentor in document["mentors"]:
        mentor["email"] = ""
        mentor["conflictNotes"] = ""
        mentor["busy"] = []  # when the mentors are booked elsewhere is none of theirs
    return document


def searchable(user: User) -> list[InstrumentedAttribute[str]]:
    """The text ``q`` may match for ``user``: only what :func:`for_reader` lets them read.

    A mentee reads the topic and description but not the coordinator's notes; if ``q``
    matched the notes, the number of results would spell them out letter by letter.
    """
    columns: list[InstrumentedAttribute[str]] = [C.topic, C.description]
    if user.role != Role.MENTEE:
        columns.append(C.coordinator_notes)
    return columns


def can_see(session: Session, user: User, council_id: int) -> bool:
    clause = visibility_clause(user)
    stmt = select(C.id).where(C.id == council_id)
    if clause is not None:
        stmt = stmt.where(clause)
    return session.scalar(stmt) is not None


def apply_filters(
    stmt: _S,
    *,
    user: User,
    statuses: Sequence[CoordinationStatus] = (),
    deadline_from: datetime | None = None,
    deadline_to: datetime | None = None,
    mentor_id: int | None = None,
    q: str | None = None,
    updated_since: datetime | None = None,
    since: int | None = None,
) -> _S:
    clause = visibility_clause(user)
    if clause is not None:
        stmt = stmt.where(clause)
    if statuses:
        stmt = stmt.where(C.coordination_status.in_(list(statuses)))
    if deadline_from is not None:
        stmt = stmt.where(C.mentor_response_deadline >= deadline_from)
    if deadline_to is not None:
        stmt = stmt.where(C.mentor_response_deadline <= deadline_to)
    if mentor_id is not None:
        stmt = stmt.where(
            exists().where(CouncilMentor.council_id == C.id, CouncilMentor.mentor_id == mentor_id)
        )
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*(col.ilike(pattern, escape="\\") for col in searchable(user))))
    if updated_since is not None:
        stmt = stmt.where(C.updated_at > updated_since)
    if since is not None:
        stmt = stmt.where(C.change_seq > since)
    return stmt


__all__ = [
    "apply_filters",
    "can_see",
    "for_reader",
    "iso",
    "searchable",
    "visibility_clause",
]
