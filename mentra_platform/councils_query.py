"""Reading councils fast: visibility, filters and a batched serializer.

:func:`council_dicts` turns council ids into the :class:`CouncilOut` JSON shape with five
column-only queries per page (councils, slots, mentors, answers, registration counts), no
ORM objects and no N+1, so a 1,000-council sync page stays in the tens of milliseconds.
:func:`council_json` is the single-council form other routes can return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
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


_COUNCIL_COLS = (
    C.id,
    C.topic,
    C.description,
    C.mentee_id,
    C.lead_mentor_id,
    C.mentor_response_deadline,
    C.final_time_confirmed,
    C.final_slot_id,
    C.coordinator_notes,
    C.mentor_minimum,
    C.mentor_maximum,
    C.coordination_status,
    C.video_link,
    C.invitations_sent_at,
    C.version,
    C.created_at,
    C.updated_at,
    C.change_seq,
)


def council_dicts(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """CouncilOut-shaped dicts for ``ids``, in the order given (missing ids are skipped)."""
    if not ids:
        return []
    id_list = list(ids)
    slots: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in session.execute(
        select(
            CouncilSlot.council_id,
            CouncilSlot.id,
            CouncilSlot.position,
            CouncilSlot.starts_at,
            CouncilSlot.ends_at,
            CouncilSlot.priority_score,
        )
        .where(CouncilSlot.council_id.in_(id_list))
        .order_by(CouncilSlot.council_id, CouncilSlot.position)
    ):
        slots[s[0]].append(
            {
                "id": s[1],
                "position": s[2],
                "start": iso(s[3]),
                "end": iso(s[4]),
                "priorityScore": s[5],
            }
        )

    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in session.execute(
        select(
            CouncilSlotAnswer.council_mentor_id,
            CouncilSlotAnswer.slot_id,
            CouncilSlotAnswer.answer,
            CouncilSlotAnswer.partial_ranges,
            CouncilSlotAnswer.answered_at,
        )
        .join(CouncilMentor, CouncilMentor.id == CouncilSlotAnswer.council_mentor_id)
        .where(CouncilMentor.council_id.in_(id_list))
        .order_by(CouncilSlotAnswer.council_mentor_id, CouncilSlotAnswer.slot_id)
    ):
        answers[a[0]].append(
            {
                "slotId": a[1],
                "answer": a[2].value,
                "partialRanges": a[3] or [],
                "answeredAt": iso(a[4]),
            }
        )

    mentors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    cm = CouncilMentor
    for m in session.execute(
        select(
            cm.council_id,
            cm.id,
            cm.mentor_id,
            User.full_name,
            User.email,
            MentorProfile.timezone,
            cm.is_lead,
            cm.availability_response,
            cm.response_date,
            cm.conflict_notes,
            cm.alternative_proposals,
            cm.available_time_slots,
            cm.notification_sent,
            cm.last_reminder_sent,
            cm.reminder_count,
            cm.attending,
        )
        .join(User, User.id == cm.mentor_id)
        .outerjoin(MentorProfile, MentorProfile.user_id == cm.mentor_id)
        .where(cm.council_id.in_(id_list))
        .order_by(cm.council_id, cm.id)
    ):
        mentors[m[0]].append(
            {
                "id": m[1],
                "mentorId": m[2],
                "name": m[3],
                "email": m[4],
                "timezone": m[5],
                "isLead": m[6],
                "availabilityResponse": m[7].value,
                "responseDate": iso(m[8]),
                "conflictNotes": m[9],
                "alternativeProposals": m[10] or [],
                "availableTimeSlots": m[11] or {},
                "notificationSent": m[12],
                "lastReminderSent": iso(m[13]),
                "reminderCount": m[14],
                "attending": m[15],
                "slotAnswers": answers.get(m[1], []),
            }
        )

    registrations: dict[int, int] = dict(
        session.execute(
            select(Registration.council_id, func.count())
            .where(Registration.council_id.in_(id_list))
            .group_by(Registration.council_id)
        ).all()
    )

    by_id: dict[int, dict[str, Any]] = {}
    for r in session.execute(select(*_COUNCIL_COLS).where(C.id.in_(id_list))):
        by_id[r[0]] = {
            "id": r[0],
            "topic": r[1],
            "description": r[2],
            "menteeId": r[3],
            "leadMentorId": r[4],
            "proposedTimeSlots": slots.get(r[0], []),
            "mentorResponseDeadline": iso(r[5]),
            "finalTimeConfirmed": r[6],
            "finalSlotId": r[7],
            "coordinatorNotes": r[8],
            "mentorMinimum": r[9],
            "mentorMaximum": r[10],
            "coordinationStatus": r[11].value,
            "videoLink": r[12],
            "invitationsSentAt": iso(r[13]),
            "version": r[14],
            "createdAt": iso(r[15]),
            "updatedAt": iso(r[16]),
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
