"""Reading councils fast: visibility, filters and a batched serializer.

:func:`council_dicts` turns council ids into the :class:`CouncilOut` JSON shape with five
column-only queries per page (councils, slots, mentors, answers, registration counts), no
ORM objects and no N+1, so a 1,000-council sync page stays in the tens of milliseconds.
:func:`council_json` is the single-council form other routes can return.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Text,
    cast,
    exists,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
    Registration,
    Role,
    User,
)

C = CouncilSession
_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _raw_time(col: Any, dialect: str) -> Any:
    """The column as text ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC), skipping datetime objects."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", col), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(col, String())


def _raw(col: Any) -> Any:
    """An enum column as its stored string (no enum object per row)."""
    return type_coerce(col, String())


def _raw_json(col: Any) -> Any:
    """A JSON column as text (``CAST`` so no driver parses it; parsed below if non-empty)."""
    return cast(col, Text())


def _t(value: str | None) -> str | None:
    """Stored UTC text → ISO 8601 with ``Z`` (same shape pydantic emits)."""
    if value is None:
        return None
    frac = value[19:]
    if frac in ("", ".000000"):
        return value[:10] + "T" + value[11:19] + "Z"
    return value[:10] + "T" + value[11:19] + frac + "Z"


_EMPTY_JSON: dict[str, Any] = {"[]": [], "{}": {}, "null": None}


def _j(value: Any, default: Any) -> Any:
    if value is None:
        return default
    if isinstance(value, str):
        if value in _EMPTY_JSON:
            return _EMPTY_JSON[value] if _EMPTY_JSON[value] is not None else default
        return json.loads(value)
    return value


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
    return or_(
        C.mentee_id == user.id,
        exists().where(Registration.council_id == C.id, Registration.user_id == user.id),
    )


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
        stmt = stmt.where(
            or_(
                C.topic.ilike(pattern, escape="\\"),
                C.coordinator_notes.ilike(pattern, escape="\\"),
                C.description.ilike(pattern, escape="\\"),
            )
        )
    if updated_since is not None:
        stmt = stmt.where(C.updated_at > updated_since)
    if since is not None:
        stmt = stmt.where(C.change_seq > since)
    return stmt


def council_dicts(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """CouncilOut-shaped dicts for ``ids``, in the order given (missing ids are skipped).

    Column-level reads through the Core connection: datetimes arrive as UTC text and
    JSON/enum columns as stored text, so a 1,000-council page builds no ORM objects and
    parses almost nothing.
    """
    if not ids:
        return []
    id_list = list(ids)
    conn = session.connection()
    d = conn.dialect.name

    def tm(col: Any) -> Any:
        return _raw_time(col, d)

    slots: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in conn.execute(
        select(
            CouncilSlot.council_id,
            CouncilSlot.id,
            CouncilSlot.position,
            tm(CouncilSlot.starts_at),
            tm(CouncilSlot.ends_at),
            CouncilSlot.priority_score,
        )
        .where(CouncilSlot.council_id.in_(id_list))
        .order_by(CouncilSlot.council_id, CouncilSlot.position)
    ).all():
        slots[s[0]].append(
            {
                "id": s[1],
                "position": s[2],
                "start": _t(s[3]),
                "end": _t(s[4]),
                "priorityScore": s[5],
            }
        )

    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in conn.execute(
        select(
            CouncilSlotAnswer.council_mentor_id,
            CouncilSlotAnswer.slot_id,
            _raw(CouncilSlotAnswer.answer),
            _raw_json(CouncilSlotAnswer.partial_ranges),
            tm(CouncilSlotAnswer.answered_at),
        )
        .join(CouncilMentor, CouncilMentor.id == CouncilSlotAnswer.council_mentor_id)
        .where(CouncilMentor.council_id.in_(id_list))
        .order_by(CouncilSlotAnswer.council_mentor_id, CouncilSlotAnswer.slot_id)
    ).all():
        answers[a[0]].append(
            {
                "slotId": a[1],
                "answer": a[2],
                "partialRanges": _j(a[3], []),
                "answeredAt": _t(a[4]),
            }
        )

    mentors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cm = CouncilMentor
    for m in conn.execute(
        select(
            cm.council_id,
            cm.id,
            cm.mentor_id,
            User.full_name,
            User.email,
            MentorProfile.timezone,
            cm.is_lead,
            _raw(cm.availability_response),
            tm(cm.response_date),
            cm.conflict_notes,
            _raw_json(cm.alternative_proposals),
            _raw_json(cm.available_time_slots),
            cm.notification_sent,
            tm(cm.last_reminder_sent),
            cm.reminder_count,
            cm.attending,
        )
        .join(User, User.id == cm.mentor_id)
        .outerjoin(MentorProfile, MentorProfile.user_id == cm.mentor_id)
        .where(cm.council_id.in_(id_list))
        .order_by(cm.council_id, cm.id)
    ).all():
        mentors[m[0]].append(
            {
                "id": m[1],
                "mentorId": m[2],
                "name": m[3],
                "email": m[4],
                "timezone": m[5],
                "isLead": bool(m[6]),
                "availabilityResponse": m[7],
                "responseDate": _t(m[8]),
                "conflictNotes": m[9],
                "alternativeProposals": _j(m[10], []),
                "availableTimeSlots": _j(m[11], {}),
                "notificationSent": bool(m[12]),
                "lastReminderSent": _t(m[13]),
                "reminderCount": m[14],
                "attending": None if m[15] is None else bool(m[15]),
                "slotAnswers": answers.get(m[1], []),
            }
        )

    registrations: dict[int, int] = {
        row[0]: row[1]
        for row in conn.execute(
            select(Registration.council_id, func.count())
            .where(Registration.council_id.in_(id_list))
            .group_by(Registration.council_id)
        )
    }

    by_id: dict[int, dict[str, Any]] = {}
    for r in conn.execute(
        select(
            C.id,
            C.topic,
            C.description,
            C.mentee_id,
            C.lead_mentor_id,
            tm(C.mentor_response_deadline),
            C.final_time_confirmed,
            C.final_slot_id,
            C.coordinator_notes,
            C.mentor_minimum,
            C.mentor_maximum,
            _raw(C.coordination_status),
            C.video_link,
            tm(C.invitations_sent_at),
            C.version,
            tm(C.created_at),
            tm(C.updated_at),
            C.change_seq,
        ).where(C.id.in_(id_list))
    ).all():
        by_id[r[0]] = {
            "id": r[0],
            "topic": r[1],
            "description": r[2],
            "menteeId": r[3],
            "leadMentorId": r[4],
            "proposedTimeSlots": slots.get(r[0], []),
            "mentorResponseDeadline": _t(r[5]),
            "finalTimeConfirmed": bool(r[6]),
            "finalSlotId": r[7],
            "coordinatorNotes": r[8],
            "mentorMinimum": r[9],
            "mentorMaximum": r[10],
            "coordinationStatus": r[11],
            "videoLink": r[12],
            "invitationsSentAt": _t(r[13]),
            "version": r[14],
            "createdAt": _t(r[15]),
            "updatedAt": _t(r[16]),
            "changeSeq": r[17],
            "registrationCount": registrations.get(r[0], 0),
            "mentors": mentors.get(r[0], []),
        }
    return [by_id[i] for i in id_list if i in by_id]


def council_json(session: Session, council_id: int) -> dict[str, Any] | None:
    """One council in the API shape, or None if it does not exist."""
    found = council_dicts(session, [council_id])
    return found[0] if found else None


def etag(version: int) -> str:
    """The strong ETag of a council version."""
    return f'"{version}"'


__all__ = [
    "apply_filters",
    "can_see",
    "council_dicts",
    "council_json",
    "etag",
    "iso",
    "visibility_clause",
]
