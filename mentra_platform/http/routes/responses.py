"""Invitations (staff) and the authenticated mentor response form.

``POST /councils/{id}/invitations`` moves a draft council to ``collecting``: it stamps
``invitationsSentAt``, defaults ``mentorResponseDeadline`` to 72 h later, creates the one-click
tokens and queues one invitation per mentor. ``PUT /councils/{id}/responses/me`` takes
per-slot answers with partial ranges inside a slot, alternative proposals and conflict notes.
A mentor answers only for themself; nobody answers once the council is confirmed or cancelled.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Body, Depends, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    Role,
    SlotAnswerValue,
    User,
    utcnow,
)
from mentra_desktop.models.wire.responses import (
    InvitationsIn,
    InvitationsOut,
    MentorResponseIn,
    MentorResponseOut,
    RangeIn,
    SlotAnswerView,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Forbidden, Invalid, field_error
from mentra_platform.councils.access import (
    check_if_match,
    etag,
    load_council,
    seat_of,
    slot_of,
)
from mentra_platform.http.deps import (
    AppSettings,
    CouncilId,
    IfMatch,
    MentorId,
    ReadSession,
    StaffUser,
    WriteSession,
    require_roles,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.responses.answers import finish_response, lock_seat, set_slot_answer
from mentra_platform.responses.invitations import invite_seat

router = APIRouter(prefix="/api/v1", tags=["responses"])

MentorUser = Depends(require_roles(Role.MENTOR))


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _pair(r: RangeIn) -> list[str]:
    return [_iso(r.start), _iso(r.end)]


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


@router.post(
    "/councils/{council_id}/invitations",
    response_model=InvitationsOut,
    responses={**error_responses(400, 401, 403, 404, 409, 412, 422, 428), **IDEMPOTENT_RESPONSES},
    summary="Send the invitations: one-click links per mentor and slot; draft → collecting",
)
def send_invitations(
    council_id: CouncilId,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
    body: InvitationsIn | None = Body(default=None),  # noqa: B008
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    if council.coordination_status != CoordinationStatus.DRAFT:
        raise Conflict(
            f"Invitations go out from draft; the council is {council.coordination_status}"
        )
    if len(council.mentors) < council.mentor_minimum:
        raise Conflict(
            f"Assign at least {council.mentor_minimum} mentors first "
            f"({len(council.mentors)} assigned)",
        )
    now = utcnow()
    if body is not None and body.mentor_response_deadline is not None:
        if body.mentor_response_deadline <= now:
            raise field_error("mentorResponseDeadline", "must be in the future")
        council.mentor_response_deadline = body.mentor_response_deadline
    elif council.mentor_response_deadline is not None and council.mentor_response_deadline <= now:
        council.mentor_response_deadline = None
    council.mark_invitations_sent(now)
    council.coordination_status = CoordinationStatus.COLLECTING
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
    out = InvitationsOut(
        council_id=council.id,
        coordination_status=council.coordination_status,
        invitations_sent_at=council.invitations_sent_at,
        mentor_response_deadline=council.mentor_response_deadline,
        invited_mentor_ids=invited,
        notifications_queued=len(invited),
        version=council.version,
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


def _validate_ranges(council: CouncilSession, body: MentorResponseIn) -> list[tuple[str, str]]:
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
                        f"must lie inside the slot {_iso(slot.starts_at)}–{_iso(slot.ends_at)}",
                    )
                )
    return errors


def _answer(
    council_id: CouncilId, body: MentorResponseIn, user: User, session: Session
) -> MentorResponseOut:
    # Locked before the status check: a confirmation racing this answer is either fully
    # before it (409 here) or after it (its If-Match is then stale).
    council = load_council(session, council_id, lock=True)
    found = seat_of(council, user.id)
    if found is None:
        raise Forbidden("You are not a mentor on this council")
    if council.coordination_status in (CoordinationStatus.CONFIRMED, CoordinationStatus.CANCELLED):
        raise Conflict(f"The council is {council.coordination_status}; answers are closed")
    errors = _validate_ranges(council, body)
    if errors:
        raise Invalid("Validation failed", errors)
    seat = lock_seat(session, found.id)
    assert seat is not None
    now = utcnow()
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
    session.commit()
    return _out(council, seat)


_RESPONSE_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.put(
    "/councils/{council_id}/responses/me",
    response_model=MentorResponseOut,
    responses=_RESPONSE_ERRORS,
    summary="Record my availability: per-slot answers, partial ranges, alternatives, notes",
)
def answer_me(
    council_id: CouncilId,
    body: MentorResponseIn,
    session: WriteSession,
    user: User = MentorUser,
) -> JSONResponse:
    out = _answer(council_id, body, user, session)
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": etag(out.version)})


@router.put(
    "/councils/{council_id}/responses/{mentor_id}",
    response_model=MentorResponseOut,
    responses=_RESPONSE_ERRORS,
    summary="Record availability for a mentor id: only that mentor may (403 otherwise)",
)
def answer_for(
    council_id: CouncilId,
    mentor_id: MentorId,
    body: MentorResponseIn,
    session: WriteSession,
    user: User = MentorUser,
) -> JSONResponse:
    if mentor_id != user.id:
        raise Forbidden("A mentor can answer only for themself")
    out = _answer(council_id, body, user, session)
    return JSONResponse(out.model_dump(mode="json"), headers={"ETag": etag(out.version)})


@router.get(
    "/councils/{council_id}/responses/me",
    response_model=MentorResponseOut,
    responses=error_responses(401, 403, 404),
    summary="My current answers for this council",
)
def my_answers(
    council_id: CouncilId, session: ReadSession, user: User = MentorUser
) -> MentorResponseOut:
    council = load_council(session, council_id)
    seat = seat_of(council, user.id)
    if seat is None:
        raise Forbidden("You are not a mentor on this council")
    return _out(council, seat)
