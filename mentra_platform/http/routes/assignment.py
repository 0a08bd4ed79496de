"""Mentor assignment: auto-assign, add, remove, swap and mark the lead (admin/coordinator).

Every route here changes the council, so each needs ``If-Match``; the POSTs that create a
seat also honour ``Idempotency-Key``. A council holds at most its ``mentorMaximum`` (≤ 5)
mentors, each once, and only users with the mentor role. Seats added after the invitations
went out are invited straight away (tokens and a queued notification).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from fastapi import APIRouter, Body, Response
from fastapi.responses import JSONResponse
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    MentorProfile,
    Role,
    User,
    utcnow,
)
from mentra_desktop.models.wire.assignment import (
    AddMentorIn,
    AssignedMentorOut,
    AutoAssignIn,
    MentorsOut,
    PickOut,
    SwapMentorIn,
)
from mentra_platform.assignment.matching import Assignment, Candidate, Slot, assign_mentors
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, NotFound
from mentra_platform.councils.access import (
    check_if_match,
    display_name,
    etag,
    load_council,
    require_mentor_user,
    require_open,
    seat_of,
)
from mentra_platform.http.deps import (
    AppSettings,
    CouncilId,
    IfMatch,
    MentorId,
    StaffUser,
    WriteSession,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.responses.invitations import invite_seat

router = APIRouter(prefix="/api/v1", tags=["assignment"])

_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 422, 428)
_IDEMPOTENT_ERRORS = {**_ERRORS, **IDEMPOTENT_RESPONSES}


def _hhmm(value: str, default: time) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        return default


def _candidate(user: User, profile: MentorProfile, load: int) -> Candidate:
    return Candidate(
        user_id=user.id,
        name=display_name(user),
        expertise=tuple(str(t) for t in (profile.expertise or [])),
        seniority=profile.seniority,
        timezone=profile.timezone,
        active_councils=load,
        work_start=_hhmm(profile.work_start, time(9, 0)),
        work_end=_hhmm(profile.work_end, time(17, 0)),
    )


def _loads(session: Session, now: datetime, exclude_council: int) -> dict[int, int]:
    """Active councils per mentor: not cancelled and with a slot still ahead."""
    upcoming = exists().where(
        CouncilSlot.council_id == CouncilSession.id, CouncilSlot.ends_at > now
    )
    rows = session.execute(
        select(CouncilMentor.mentor_id, func.count())
        .join(CouncilSession, CouncilSession.id == CouncilMentor.council_id)
        .where(
            CouncilSession.coordination_status != CoordinationStatus.CANCELLED,
            CouncilSession.id != exclude_council,
            upcoming,
        )
        .group_by(CouncilMentor.mentor_id)
    ).all()
    return {int(mentor_id): int(count) for mentor_id, count in rows}


def _mentors_out(council: CouncilSession, result: Assignment | None = None) -> MentorsOut:
    mentors = []
    for cm in council.mentors:
        profile = cm.mentor.mentor_profile
        mentors.append(
            AssignedMentorOut(
                id=cm.id,
                mentor_id=cm.mentor_id,
                name=display_name(cm.mentor),
                timezone=profile.timezone if profile else None,
                is_lead=cm.is_lead,
                availability_response=cm.availability_response,
                response_date=cm.response_date,
                notification_sent=cm.notification_sent,
                attending=cm.attending,
            )
        )
    out = MentorsOut(
        council_id=council.id,
        version=council.version,
        lead_mentor_id=council.lead_mentor_id,
        mentors=mentors,
    )
    if result is not None:
        out.picks = [
            PickOut(
                rank=p.rank,
                mentor_id=p.user_id,
                score=p.score,
                expertise_match=p.expertise_match,
                seniority=p.seniority,
                load=p.load,
                hours_coverage=p.hours_coverage,
                covered_slot_ids=list(p.covered_slot_ids),
                utc_offset_minutes=p.utc_offset_minutes,
                reasons=list(p.reasons),
            )
            for p in result.picks
        ]
        out.meets_minimum = result.meets_minimum
        out.uncovered_slot_ids = list(result.uncovered_slot_ids)
    return out


def _add_seat(
    session: Session,
    settings: Settings,
    council: CouncilSession,
    mentor: User,
    *,
    is_lead: bool = False,
) -> CouncilMentor:
    seat = CouncilMentor(mentor_id=mentor.id, is_lead=is_lead)
    council.mentors.append(seat)
    session.flush()
    if council.invitations_sent_at is not None:
        invite_seat(session, settings, council, seat, mentor, utcnow())
    return seat


def _set_lead(council: CouncilSession, mentor_id: int | None) -> None:
    for cm in council.mentors:
        cm.is_lead = cm.mentor_id == mentor_id
    council.lead_mentor_id = mentor_id


def _json(out: MentorsOut, status_code: int = 200) -> JSONResponse:
    return JSONResponse(
        out.model_dump(mode="json", by_alias=True),
        status_code=status_code,
        headers={"ETag": etag(out.version)},
    )


def _seat_or_404(council: CouncilSession, mentor_id: MentorId) -> CouncilMentor:
    seat = seat_of(council, mentor_id)
    if seat is None:
        raise NotFound(f"Mentor {mentor_id} is not on this council")
    return seat


@router.post(
    "/councils/{council_id}/mentors/auto-assign",
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Fill the council's mentor seats by expertise, seniority, load and time zones",
)
def auto_assign(
    council_id: CouncilId,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
    body: AutoAssignIn | None = Body(default=None),  # noqa: B008
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    require_open(council, "assign mentors")
    target = min((body.target if body and body.target else None) or council.mentor_maximum, 5)
    target = min(max(target, len(council.mentors)), council.mentor_maximum)
    now = utcnow()
    loads = _loads(session, now, council.id)
    rows = session.execute(
        select(User, MentorProfile)
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .where(User.role == Role.MENTOR, User.is_active.is_(True), MentorProfile.active.is_(True))
        .order_by(User.id)
    ).all()
    cands = {u.id: _candidate(u, p, loads.get(u.id, 0)) for u, p in rows}
    chosen_ids = {cm.mentor_id for cm in council.mentors}
    slots = [Slot(s.id, s.starts_at, s.ends_at) for s in council.slots]
    result = assign_mentors(
        council.topic,
        [c for uid, c in cands.items() if uid not in chosen_ids],
        slots,
        target=target,
        minimum=min(council.mentor_minimum, target),
        already_chosen=[cands[i] for i in sorted(chosen_ids) if i in cands],
    )
    users = {u.id: u for u, _ in rows}
    for pick in result.picks:
        _add_seat(session, settings, council, users[pick.user_id])
    record_change(
        session,
        council_id=council.id,
        kind="mentors.assigned",
        payload={"mentorIds": [p.user_id for p in result.picks], "auto": True},
    )
    session.flush()
    out = _mentors_out(council, result)
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/mentors",
    status_code=201,
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Add one mentor to the council",
)
def add_mentor(
    council_id: CouncilId,
    body: AddMentorIn,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    require_open(council, "add mentors")
    mentor = require_mentor_user(session, body.mentor_id, "mentorId")
    if seat_of(council, mentor.id) is not None:
        raise Conflict(f"Mentor {mentor.id} is already on this council")
    if len(council.mentors) >= council.mentor_maximum:
        raise Conflict(f"The council already has its maximum of {council.mentor_maximum} mentors")
    _add_seat(session, settings, council, mentor)
    if body.is_lead:
        _set_lead(council, mentor.id)
    record_change(
        session,
        council_id=council.id,
        kind="mentors.assigned",
        payload={"mentorIds": [mentor.id], "lead": body.is_lead},
    )
    session.flush()
    out = _mentors_out(council)
    return idem.respond(session, out, status_code=201, headers={"ETag": etag(out.version)})


@router.delete(
    "/councils/{council_id}/mentors/{mentor_id}",
    response_model=MentorsOut,
    responses=_ERRORS,
    summary="Remove a mentor from the council",
)
def remove_mentor(
    council_id: CouncilId,
    mentor_id: MentorId,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    require_open(council, "remove mentors")
    seat = _seat_or_404(council, mentor_id)
    if seat.is_lead or council.lead_mentor_id == mentor_id:
        _set_lead(council, None)
    council.mentors.remove(seat)
    record_change(
        session, council_id=council.id, kind="mentors.removed", payload={"mentorIds": [mentor_id]}
    )
    session.commit()
    return _json(_mentors_out(council))


@router.post(
    "/councils/{council_id}/mentors/{mentor_id}/swap",
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Replace one mentor by another (the lead flag moves to the replacement)",
)
def swap_mentor(
    council_id: CouncilId,
    mentor_id: MentorId,
    body: SwapMentorIn,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    require_open(council, "swap mentors")
    seat = _seat_or_404(council, mentor_id)
    replacement = require_mentor_user(session, body.replacement_id, "replacementId")
    if seat_of(council, replacement.id) is not None:
        raise Conflict(f"Mentor {replacement.id} is already on this council")
    was_lead = seat.is_lead or council.lead_mentor_id == mentor_id
    council.mentors.remove(seat)
    session.flush()
    _add_seat(session, settings, council, replacement)
    if was_lead:
        _set_lead(council, replacement.id)
    payload: dict[str, Any] = {"removed": mentor_id, "added": replacement.id}
    record_change(session, council_id=council.id, kind="mentors.swapped", payload=payload)
    session.flush()
    out = _mentors_out(council)
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/mentors/{mentor_id}/lead",
    response_model=MentorsOut,
    responses=_ERRORS,
    summary="Mark this council mentor as the lead (clears any other lead)",
)
def mark_lead(
    council_id: CouncilId,
    mentor_id: MentorId,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("Cannot change the lead: the council is cancelled")
    _seat_or_404(council, mentor_id)
    _set_lead(council, mentor_id)
    record_change(
        session, council_id=council.id, kind="mentors.lead", payload={"leadMentorId": mentor_id}
    )
    session.commit()
    return _json(_mentors_out(council))
