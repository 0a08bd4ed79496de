"""Mentor responses: sending the invitations, the response form, and spending one-click links.

* :func:`send_invitations` moves a draft council to ``collecting`` (If-Match): it stamps
  ``invitationsSentAt``, defaults the response deadline to 72 h later, creates the one-click
  tokens and queues one invitation per mentor.
* :func:`answer` records a mentor's own per-slot answers, partial ranges inside a slot,
  alternative proposals (future times) and conflict notes.
* :func:`open_link` / :func:`spend_link` serve the one-click links: the first only reads
  (mail scanners open links), the second spends the nonce and records the answer.

Nobody answers once the council is confirmed or cancelled, or after its *current* response
deadline (moving the deadline earlier closes the links too), and a deactivated mentor's link
records nothing. Functions flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    SlotAnswerValue,
    User,
)
from mentra_desktop.models.wire.responses import (
    InvitationsOut,
    MentorResponseIn,
    MentorResponseOut,
    RangeIn,
    SlotAnswerView,
)
from mentra_platform.coordination.service import after_answer
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, Forbidden, Invalid, field_error
from mentra_platform.core.tables import OneClickToken
from mentra_platform.councils import phases
from mentra_platform.councils.access import (
    CLOSED,
    check_if_match,
    display_name,
    load_visible,
    seat_of,
    slot_of,
)
from mentra_platform.councils.queries import iso
from mentra_platform.responses.answers import finish_response, lock_seat, set_slot_answer
from mentra_platform.responses.invitations import invite_seat
from mentra_platform.responses.one_click import (
    Answer,
    CouncilClosed,
    DeadlinePassed,
    MentorInactive,
    TokenInvalid,
    TokenUsed,
    format_instant_local,
    format_slot_local,
    verify_token,
)

# --- invitations ----------------------------------------------------------------------------


def send_invitations(
    session: Session,
    settings: Settings,
    actor: User,
    council_id: int,
    deadline: datetime | None,
    if_match: str | None,
    now: datetime,
) -> InvitationsOut:
    """draft → collecting: links and one invitation per assigned mentor."""
    council = load_visible(session, actor, council_id, lock=True)
    check_if_match(if_match, council.version)
    phases.check(council, CoordinationStatus.COLLECTING, phases.Trigger.INVITATIONS, now)
    if len(council.mentors) < council.mentor_minimum:
        raise Conflict(
            f"Assign at least {council.mentor_minimum} mentors first "
            f"({len(council.mentors)} assigned)",
        )
    if deadline is not None:
        if deadline <= now:
            raise field_error("mentorResponseDeadline", "must be in the future")
        council.mentor_response_deadline = deadline
    elif council.mentor_response_deadline is not None and council.mentor_response_deadline <= now:
        council.mentor_response_deadline = None
    council.mark_invitations_sent(now)
    phases.move(council, CoordinationStatus.COLLECTING, phases.Trigger.INVITATIONS, now)
    session.add(  # the phase history's first move (councils/documents.py: phaseHistory)
        AuditLog(
            actor_id=actor.id,
            action="council.invitations_sent",
            council_id=council.id,
            before={"coordinationStatus": CoordinationStatus.DRAFT.value},
            after={
                "coordinationStatus": CoordinationStatus.COLLECTING.value,
                "trigger": phases.Trigger.INVITATIONS.value,
            },
            at=now,
        )
    )
    for seat in council.mentors:
        invite_seat(session, settings, council, seat, seat.mentor, now)
    invited = [seat.mentor_id for seat in council.mentors]
    record_change(
        session,
        council_id=council.id,
        kind="invitations.sent",
        payload={"mentorIds": invited},
    )
    session.flush()
    assert council.invitations_sent_at is not None
    assert council.mentor_response_deadline is not None
    return InvitationsOut(
        council_id=council.id,
        coordination_status=council.coordination_status,
        invitations_sent_at=council.invitations_sent_at,
        mentor_response_deadline=council.mentor_response_deadline,
        invited_mentor_ids=invited,
        notifications_queued=len(invited),
        version=council.version,
    )


# --- the response form ----------------------------------------------------------------------


def _pair(r: RangeIn) -> list[str]:
    return [iso(r.start) or "", iso(r.end) or ""]


def _out(council: CouncilSession, seat: CouncilMentor) -> MentorResponseOut:
    return MentorResponseOut(
        council_id=council.id,
        council_mentor_id=seat.id,
        mentor_id=seat.mentor_id,
        availability_response=seat.availability_response,
        response_date=seat.response_date,
        conflict_notes=seat.conflict_notes,
        alternative_proposals=list(seat.alternative_proposals or []),
        available_time_slots=dict(seat.available_time_slots or {}),
        slot_answers=[
            SlotAnswerView(
                slot_id=a.slot_id,
                answer=a.answer,
                partial_ranges=list(a.partial_ranges or []),
                answered_at=a.answered_at,
            )
            for a in seat.slot_answers
        ],
        version=council.version,
    )


def _own_seat(council: CouncilSession, user: User) -> CouncilMentor:
    seat = seat_of(council, user.id)
    if seat is None:  # only staff get here: they see every council but hold no seat
        raise Forbidden("You are not a mentor on this council")
    return seat


def require_accepting(council: CouncilSession, now: datetime) -> None:
    """409 once the council is confirmed or cancelled, or its response deadline has passed."""
    if council.coordination_status in CLOSED:
        raise Conflict(f"The council is {council.coordination_status}; answers are closed")
    deadline = council.mentor_response_deadline
    if deadline is not None and now >= deadline:
        raise Conflict(f"The response deadline passed at {iso(deadline)}; answers are closed")


def _validate(council: CouncilSession, body: MentorResponseIn, now: datetime) -> None:
    errors: list[tuple[str, str]] = []
    for i, item in enumerate(body.slots):
        slot = slot_of(council, item.slot_id)
        if slot is None:
            errors.append((f"slots.{i}.slotId", f"slot {item.slot_id} is not on this council"))
            continue
        for j, r in enumerate(item.partial_ranges):
            if r.start < slot.starts_at or r.end > slot.ends_at:
                errors.append(
                    (
                        f"slots.{i}.partialRanges.{j}",
                        f"must lie inside the slot {iso(slot.starts_at)}–{iso(slot.ends_at)}",
                    )
                )
    for i, r in enumerate(body.alternative_proposals or []):
        if r.start <= now:
            errors.append(
                (f"alternativeProposals.{i}.start", f"must be in the future (it is {iso(r.start)})")
            )
    if errors:
        raise Invalid("Validation failed", errors)


def answer(
    session: Session,
    user: User,
    council_id: int,
    body: MentorResponseIn,
    now: datetime,
    settings: Settings | None = None,
) -> MentorResponseOut:
    """Record ``user``'s own answers; slots not listed keep their previous answer. The engine
    then runs and may confirm the council at once (instant confirmation)."""
    # Locked before the status check: a confirmation racing this answer is either fully
    # before it (409 here) or after it (its If-Match is then stale).
    council = load_visible(session, user, council_id, lock=True)
    found = _own_seat(council, user)
    require_accepting(council, now)
    _validate(council, body, now)
    seat = lock_seat(session, found.id)
    assert seat is not None
    for item in body.slots:
        ranges = [_pair(r) for r in item.partial_ranges]
        set_slot_answer(seat, item.slot_id, SlotAnswerValue(item.answer), ranges, now)
    if body.alternative_proposals is not None:
        seat.alternative_proposals = [_pair(r) for r in body.alternative_proposals]
    if body.conflict_notes is not None:
        seat.conflict_notes = body.conflict_notes
    finish_response(seat, council, now)
    record_change(
        session,
        council_id=council.id,
        kind="mentor.responded",
        entity="council_mentor",
        entity_id=seat.id,
        payload={
            "mentorId": user.id,
            "slotIds": [s.slot_id for s in body.slots],
            "availabilityResponse": seat.availability_response.value,
        },
    )
    after_answer(session, council.id, now, settings)
    session.flush()
    return _out(council, seat)


def my_answers(session: Session, user: User, council_id: int) -> MentorResponseOut:
    council = load_visible(session, user, council_id)
    return _out(council, _own_seat(council, user))


# --- one-click links ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkAnswer:
    """What a one-click link records (or recorded): for the page that shows it."""

    topic: str
    slot_text: str
    answer: Answer
    mentor_name: str


def _mentor_zone(seat: CouncilMentor) -> str:
    profile = seat.mentor.mentor_profile
    return profile.timezone if profile else "UTC"


def _usable(
    session: Session, secret: bytes, token: str, now: datetime, *, lock: bool
) -> tuple[OneClickToken, CouncilMentor]:
    """The token's row and seat if the link may record an answer now, else a refusal."""
    claims = verify_token(secret, token, now=now)
    row = session.scalar(select(OneClickToken).where(OneClickToken.nonce == claims.nonce))
    if (
        row is None
        or row.council_mentor_id != claims.council_mentor_id
        or row.slot_id != claims.slot_id
        or row.answer.value != claims.answer
    ):
        raise TokenInvalid
    if row.used_at is not None:
        raise TokenUsed
    seat = (
        lock_seat(session, claims.council_mentor_id)
        if lock
        else session.get(CouncilMentor, claims.council_mentor_id)
    )
    if seat is None or slot_of(seat.council, claims.slot_id) is None:
        raise TokenInvalid
    council = seat.council
    if council.coordination_status in CLOSED:
        raise CouncilClosed
    if not seat.mentor.is_active:
        raise MentorInactive
    deadline = council.mentor_response_deadline
    if deadline is not None and now >= deadline:
        raise DeadlinePassed(format_instant_local(deadline, _mentor_zone(seat)))
    return row, seat


def _view(seat: CouncilMentor, slot_id: int, answer_value: Answer) -> LinkAnswer:
    slot = slot_of(seat.council, slot_id)
    assert slot is not None
    return LinkAnswer(
        topic=seat.council.topic,
        slot_text=format_slot_local(slot.starts_at, slot.ends_at, _mentor_zone(seat)),
        answer=answer_value,
        mentor_name=display_name(seat.mentor),
    )


def open_link(session: Session, secret: bytes, token: str, now: datetime) -> LinkAnswer:
    """What the link would record; spends nothing. Raises a ``OneClickError`` refusal."""
    row, seat = _usable(session, secret, token, now, lock=False)
    return _view(seat, row.slot_id, cast(Answer, row.answer.value))


def spend_link(
    session: Session, secret: bytes, token: str, now: datetime, settings: Settings | None = None
) -> LinkAnswer:
    """Spend the link once (one conditional ``UPDATE``) and record its answer; the engine
    then runs and may confirm the council at once (instant confirmation)."""
    row, seat = _usable(session, secret, token, now, lock=True)
    spent = cast(
        CursorResult[Any],
        session.execute(
            update(OneClickToken)
            .where(
                OneClickToken.nonce == row.nonce,
                OneClickToken.used_at.is_(None),
                OneClickToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if spent.rowcount != 1:  # a concurrent POST spent it first
        raise TokenUsed
    value = SlotAnswerValue(row.answer.value)
    set_slot_answer(seat, row.slot_id, value, [], now)
    finish_response(seat, seat.council, now)
    record_change(
        session,
        council_id=seat.council_id,
        kind="mentor.responded",
        entity="council_mentor",
        entity_id=seat.id,
        payload={
            "mentorId": seat.mentor_id,
            "slotId": row.slot_id,
            "answer": value.value,
            "via": "one-click",
        },
    )
    after_answer(session, seat.council_id, now, settings)
    session.flush()
    return _view(seat, row.slot_id, cast(Answer, value.value))


__all__ = [
    "LinkAnswer",
    "answer",
    "my_answers",
    "open_link",
    "require_accepting",
    "send_invitations",
    "spend_link",
]
