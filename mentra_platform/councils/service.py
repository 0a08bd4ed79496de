"""Councils: list and read as the caller may see them, create, update (If-Match), cancel.

The rules live here, not in the routes: who may be the mentee or the lead, slots that have
already started, the phase moves (:mod:`mentra_platform.councils.phases`), the audit entry of
a phase change or a cancellation. Every function takes the session and plain arguments,
raises :mod:`mentra_platform.core.errors`, flushes but never commits, and returns the council
document (the database renders it, :mod:`mentra_platform.councils.documents`) as the caller
may read it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    MAX_ID,
    STAFF_ROLES,
    AuditLog,
    CoordinationStatus,
    CouncilSession,
    CouncilSlot,
    NotificationKind,
    Role,
    User,
)
from mentra_desktop.models.wire.councils import CouncilCreate, CouncilPatch, SlotIn
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Invalid, NotFound, field_error
from mentra_platform.councils import phases
from mentra_platform.councils.access import check_if_match, load_visible
from mentra_platform.councils.documents import council_dicts, council_documents
from mentra_platform.councils.queries import apply_filters, can_see, for_reader, iso
from mentra_platform.notifications.messages import cancellation_text, mentee_ids, queue
from mentra_platform.notifications.preparation import attending_mentor_ids

Document = dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
    """The list filters and paging of ``GET /councils`` (instants aware UTC)."""

    statuses: Sequence[CoordinationStatus] = ()
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    mentor_id: int | None = None
    q: str | None = None
    updated_since: datetime | None = None
    since: int | None = None
    limit: int = 100
    offset: int = 0


def _dumps(content: Any) -> bytes:
    return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def list_page(session: Session, user: User, query: ListQuery, snapshot: int) -> bytes:
    """One list or sync page as JSON bytes; ``snapshot`` is the change seq read before it.

    Without ``since``: newest first, ``limit``/``offset``, ``nextCursor`` = ``snapshot``.
    With ``since``: councils changed after the cursor, in change order, ``hasMore``.
    """
    since, limit, offset = query.since, query.limit, query.offset
    filters: dict[str, Any] = {
        "user": user,
        "statuses": query.statuses,
        "deadline_from": query.deadline_from,
        "deadline_to": query.deadline_to,
        "mentor_id": query.mentor_id,
        "q": query.q,
        "updated_since": query.updated_since,
        "since": since,
    }
    total = session.scalar(apply_filters(select(func.count(CouncilSession.id)), **filters)) or 0
    stmt = apply_filters(select(CouncilSession.id, CouncilSession.change_seq), **filters)
    if since is not None:
        stmt = stmt.order_by(CouncilSession.change_seq).limit(limit)
        rows = session.execute(stmt).all()
        has_more = total > len(rows)
        next_cursor = rows[-1][1] if rows else since
    else:
        stmt = stmt.order_by(CouncilSession.id.desc()).limit(limit).offset(offset)
        rows = session.execute(stmt).all()
        has_more = offset + len(rows) < total
        next_cursor = snapshot
    documents = council_documents(session, [r[0] for r in rows])
    if user.role not in STAFF_ROLES:  # their own councils only: parse, blank, re-encode
        documents = [json.dumps(for_reader(user, json.loads(d))) for d in documents]
    envelope = _dumps(
        {
            "total": total,
            "limit": limit,
            "offset": 0 if since is not None else offset,
            "hasMore": has_more,
            "nextCursor": next_cursor,
        }
    )
    # The database rendered each council; splice them in without parsing them again.
    return b'{"items":[' + ",".join(documents).encode() + b"]," + envelope[1:]


def read(session: Session, user: User, council_id: int) -> Document:
    """One council as ``user`` may read it, or 404 (also when they may not see it)."""
    if not 1 <= council_id <= MAX_ID or not can_see(session, user, council_id):
        raise NotFound("Council not found")
    items = council_dicts(session, [council_id])
    if not items:
        raise NotFound("Council not found")
    return for_reader(user, items[0])


def _document(session: Session, council: CouncilSession) -> Document:
    session.flush()
    return council_dicts(session, [council.id])[0]


def _require_user(session: Session, user_id: int, field: str, role: Role) -> User:
    found = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if found is None or not found.is_active:
        raise field_error(field, f"no user with id {user_id}")
    if found.role != role:
        raise field_error(field, f"user {user_id} is not a {role}")
    return found


def _slot_rows(slots: list[SlotIn], now: datetime) -> list[CouncilSlot]:
    """The slot rows in start order; a slot that has already started is a field error."""
    errors = [
        (f"proposedTimeSlots.{i}.start", f"must be in the future (it is {iso(s.start)})")
        for i, s in enumerate(slots)
        if s.start <= now
    ]
    if errors:
        raise Invalid(errors=errors)
    ordered = sorted(slots, key=lambda s: s.start)
    return [
        CouncilSlot(
            position=i,
            starts_at=s.start,
            ends_at=s.end or s.start,
            priority_score=s.priority_score,
        )
        for i, s in enumerate(ordered, start=1)
    ]


def create(session: Session, actor: User, body: CouncilCreate, now: datetime) -> Document:
    """A draft council for a Council-plan mentee, with 3–5 future slots."""
    slots = _slot_rows(body.proposed_time_slots, now)
    mentee = _require_user(session, body.mentee_id, "menteeId", Role.MENTEE)
    if not mentee.has_council_access:
        raise field_error("menteeId", f"user {mentee.id} has no Council plan")
    if body.lead_mentor_id is not None:
        _require_user(session, body.lead_mentor_id, "leadMentorId", Role.MENTOR)
    council = CouncilSession(
        topic=body.topic.strip(),
        description=body.description,
        mentee_id=body.mentee_id,
        lead_mentor_id=body.lead_mentor_id,
        created_by_id=actor.id,
        mentor_response_deadline=body.mentor_response_deadline,
        mentor_minimum=body.mentor_minimum,
        mentor_maximum=body.mentor_maximum,
        coordinator_notes=body.coordinator_notes,
        video_link=body.video_link,
        coordination_status=CoordinationStatus.DRAFT,
        slots=slots,
    )
    session.add(council)
    session.flush()
    record_change(session, council_id=council.id, kind="council.created")
    return _document(session, council)


_TEXT_FIELDS = (
    ("topic", "topic"),
    ("description", "description"),
    ("coordinator_notes", "coordinatorNotes"),
    ("video_link", "videoLink"),
)
_NULLABLE = {"video_link"}
_PHASE_ENDPOINTS = {CoordinationStatus.CONFIRMED, CoordinationStatus.CANCELLED}


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, CoordinationStatus):
        return value.value
    return value


def update(
    session: Session,
    actor: User,
    council_id: int,
    body: CouncilPatch,
    if_match: str | None,
    now: datetime,
) -> Document:
    """Change the fields present in ``body`` (If-Match on the council's version).

    Slots are replaced only in draft; the phase moves only forward
    (:data:`~mentra_platform.councils.phases.TRANSITIONS`, trigger ``patch``), and a phase
    change is audited. Everything is checked before anything changes.
    """
    council = load_visible(session, actor, council_id, lock=True)
    check_if_match(if_match, council.version)
    fields = body.model_fields_set
    if not fields:
        raise field_error("body", "no field to change")
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("A cancelled council cannot be changed")
    changes: dict[str, tuple[str, Any]] = {}  # wire name -> (attribute, new value)
    for attr, wire in _TEXT_FIELDS:
        if attr in fields:
            value = getattr(body, attr)
            if value is None and attr not in _NULLABLE:
                raise field_error(wire, "must not be null")
            changes[wire] = (attr, value)
    if "mentor_response_deadline" in fields:
        changes["mentorResponseDeadline"] = (
            "mentor_response_deadline",
            body.mentor_response_deadline,
        )
    if "lead_mentor_id" in fields:
        if body.lead_mentor_id is not None:
            _require_user(session, body.lead_mentor_id, "leadMentorId", Role.MENTOR)
        changes["leadMentorId"] = ("lead_mentor_id", body.lead_mentor_id)
    new_min = body.mentor_minimum if "mentor_minimum" in fields else council.mentor_minimum
    new_max = body.mentor_maximum if "mentor_maximum" in fields else council.mentor_maximum
    if new_min is None or new_max is None or new_min > new_max:
        raise field_error("mentorMinimum", "must be set and ≤ mentorMaximum")
    changes["mentorMinimum"] = ("mentor_minimum", new_min)
    changes["mentorMaximum"] = ("mentor_maximum", new_max)
    status: CoordinationStatus = council.coordination_status
    if "coordination_status" in fields:
        if body.coordination_status is None or body.coordination_status in _PHASE_ENDPOINTS:
            raise field_error(
                "coordinationStatus", "use the confirm or cancel endpoints for that phase"
            )
        status = body.coordination_status
        if status != council.coordination_status:
            phases.check(council, status, phases.Trigger.PATCH, now)
    new_slots: list[CouncilSlot] | None = None
    if "proposed_time_slots" in fields and body.proposed_time_slots is not None:
        if council.coordination_status != CoordinationStatus.DRAFT:
            raise Conflict("Proposed slots can only be replaced while the council is a draft")
        new_slots = _slot_rows(body.proposed_time_slots, now)

    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for wire, (attr, value) in changes.items():
        old = getattr(council, attr)
        if old != value:
            before[wire], after[wire] = _wire(old), _wire(value)
            setattr(council, attr, value)
    if status != council.coordination_status:
        before["coordinationStatus"] = council.coordination_status.value
        phases.move(council, status, phases.Trigger.PATCH, now)
        after["coordinationStatus"] = status.value
        session.add(
            AuditLog(
                actor_id=actor.id,
                action="council.status_changed",
                council_id=council.id,
                before={"coordinationStatus": before["coordinationStatus"]},
                after={"coordinationStatus": status.value},
                at=now,
            )
        )
    if new_slots is not None:
        council.slots.clear()
        session.flush()
        council.slots.extend(new_slots)
        after["proposedTimeSlots"] = len(new_slots)
    if after:
        record_change(
            session,
            council_id=council.id,
            kind="council.updated",
            payload={"fields": sorted(after)},
        )
    return _document(session, council)


def cancel(
    session: Session,
    actor: User,
    council_id: int,
    reason: str,
    if_match: str | None,
    now: datetime,
) -> Document:
    """Cancel from any phase (a confirmed council only before its session); audited."""
    council = load_visible(session, actor, council_id, lock=True)
    check_if_match(if_match, council.version)
    previous = council.coordination_status
    phases.move(council, CoordinationStatus.CANCELLED, phases.Trigger.CANCEL, now)
    session.add(
        AuditLog(
            actor_id=actor.id,
            action="council.cancelled",
            council_id=council.id,
            reason=reason,
            before={"coordinationStatus": previous.value},
            after={"coordinationStatus": CoordinationStatus.CANCELLED.value},
            at=now,
        )
    )
    _queue_cancellation(session, council, previous, reason)
    record_change(session, council_id=council.id, kind="council.cancelled")
    return _document(session, council)


def _queue_cancellation(
    session: Session, council: CouncilSession, previous: CoordinationStatus, reason: str
) -> None:
    """Tell everyone who was told about the council: after a confirmation the attending
    mentors, the lead and the mentee(s) (their calendar invite gets ``METHOD:CANCEL`` with the
    raised SEQUENCE at delivery); before it, every invited mentor, the lead and the mentee(s).
    A draft was never sent to anyone."""
    if previous == CoordinationStatus.DRAFT:
        return
    if previous == CoordinationStatus.CONFIRMED and council.final_slot_id is not None:
        mentors = attending_mentor_ids(council)
    else:
        mentors = [seat.mentor_id for seat in council.mentors]
    lead = [council.lead_mentor_id] if council.lead_mentor_id is not None else []
    subject, body = cancellation_text(council, reason)
    queue(
        session,
        council,
        NotificationKind.CANCELLATION,
        [*mentors, *lead, *mentee_ids(session, council)],
        subject,
        body,
    )


__all__ = ["Document", "ListQuery", "cancel", "create", "list_page", "read", "update"]
