"""Mentor assignment: auto-assign, add, remove, swap and mark the lead.

Every change needs the council's current version (``if_match``). A council holds at most its
``mentorMaximum`` (≤ 5) mentors, each once, and only active users with the mentor role.
Seats added after the invitations went out are invited straight away (tokens and a queued
notification). Each new seat keeps the expertise match it was assigned with (the topic
match of :mod:`~mentra_platform.assignment.matching`), which the engine weighs. A mentor
booked over every proposed slot (confirmed for another council each time) is never seated:
auto-assign passes them over, add and swap refuse them (409). Services flush, never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
)
from mentra_desktop.models.wire.assignment import AssignedMentorOut, MentorsOut, PickOut
from mentra_desktop.scheduling.model import SchedulingInputError, WorkingHours
from mentra_platform.assignment.bookings import refuse_booked_everywhere, slot_bookings
from mentra_platform.assignment.matching import (
    Assignment,
    Candidate,
    Slot,
    assign_mentors,
    topic_match,
)
from mentra_platform.calendars.busy import slot_busy
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, NotFound
from mentra_platform.councils.access import (
    check_if_match,
    display_name,
    load_council,
    require_mentor_user,
    require_open,
    seat_of,
)
from mentra_platform.responses.invitations import invite_seat


def _hours(profile: MentorProfile) -> WorkingHours:
    """The profile's working hours; a stored profile the engine refuses gets the defaults
    (profiles are validated on write, so only rows from before that can be affected)."""
    try:
        return profile.working_hours
    except SchedulingInputError:
        return WorkingHours()


def _candidate(
    user: User, profile: MentorProfile, load: int, booked: frozenset[int] = frozenset()
) -> Candidate:
    return Candidate(
        user_id=user.id,
        name=display_name(user),
        expertise=tuple(str(t) for t in (profile.expertise or [])),
        seniority=profile.seniority,
        timezone=profile.timezone,
        active_councils=load,
        hours=_hours(profile),
        booked_slot_ids=booked,
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


def mentors_out(council: CouncilSession, result: Assignment | None = None) -> MentorsOut:
    """The council's seats (and, after auto-assign, the ranked picks with their reasons)."""
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
                expertise_match=cm.expertise_match,
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


def _slot_spans(council: CouncilSession) -> list[tuple[int, datetime, datetime]]:
    return [(s.id, s.starts_at, s.ends_at) for s in council.slots]


def _add_seat(
    session: Session,
    settings: Settings,
    council: CouncilSession,
    mentor: User,
    expertise_match: float,
    now: datetime,
) -> CouncilMentor:
    seat = CouncilMentor(mentor_id=mentor.id, expertise_match=expertise_match)
    council.mentors.append(seat)
    session.flush()
    if council.invitations_sent_at is not None:
        invite_seat(session, settings, council, seat, mentor, now)
    return seat


def _match(council: CouncilSession, mentor: User) -> float:
    profile = mentor.mentor_profile
    return topic_match(council.topic, profile.expertise or [] if profile else [])


def _set_lead(council: CouncilSession, mentor_id: int | None) -> None:
    for cm in council.mentors:
        cm.is_lead = cm.mentor_id == mentor_id
    council.lead_mentor_id = mentor_id


def _seat_or_404(council: CouncilSession, mentor_id: int) -> CouncilMentor:
    seat = seat_of(council, mentor_id)
    if seat is None:
        raise NotFound(f"Mentor {mentor_id} is not on this council")
    return seat


def _open_council(session: Session, council_id: int, if_match: str | None) -> CouncilSession:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    return council


def auto_assign(
    session: Session,
    settings: Settings,
    council_id: int,
    *,
    if_match: str | None,
    target: int | None,
    now: datetime,
) -> MentorsOut:
    """Fill the seats up to ``target`` (default ``mentorMaximum``) by expertise, seniority,
    load and time-zone spread; mentors booked over every slot, by another council or by
    their calendar, are passed over."""
    council = _open_council(session, council_id, if_match)
    require_open(council, "assign mentors")
    seats = min(target or council.mentor_maximum, 5)
    seats = min(max(seats, len(council.mentors)), council.mentor_maximum)
    loads = _loads(session, now, council.id)
    rows = session.execute(
        select(User, MentorProfile)
        .join(MentorProfile, MentorProfile.user_id == User.id)
        .where(User.role == Role.MENTOR, User.is_active.is_(True), MentorProfile.active.is_(True))
        .order_by(User.id)
    ).all()
    spans = _slot_spans(council)
    booked = slot_bookings(session, [u.id for u, _ in rows], spans, exclude_council=council.id)
    calendar = slot_busy(session, [u.id for u, _ in rows], spans)
    cands = {
        u.id: _candidate(
            u, p, loads.get(u.id, 0), frozenset(booked.get(u.id, {})) | calendar.get(u.id, set())
        )
        for u, p in rows
    }
    chosen_ids = {cm.mentor_id for cm in council.mentors}
    result = assign_mentors(
        council.topic,
        [
            c
            for uid, c in cands.items()
            if uid not in chosen_ids and len(c.booked_slot_ids) < len(spans)
        ],
        [Slot(sid, start, end) for sid, start, end in spans],
        target=seats,
        minimum=min(council.mentor_minimum, seats),
        already_chosen=[cands[i] for i in sorted(chosen_ids) if i in cands],
    )
    users = {u.id: u for u, _ in rows}
    for pick in result.picks:
        _add_seat(session, settings, council, users[pick.user_id], pick.expertise_match, now)
    record_change(
        session,
        council_id=council.id,
        kind="mentors.assigned",
        payload={"mentorIds": [p.user_id for p in result.picks], "auto": True},
    )
    session.flush()
    return mentors_out(council, result)


def add_mentor(
    session: Session,
    settings: Settings,
    council_id: int,
    *,
    if_match: str | None,
    mentor_id: int,
    is_lead: bool,
    now: datetime,
) -> MentorsOut:
    council = _open_council(session, council_id, if_match)
    require_open(council, "add mentors")
    mentor = require_mentor_user(session, mentor_id, "mentorId")
    if seat_of(council, mentor.id) is not None:
        raise Conflict(f"Mentor {mentor.id} is already on this council")
    if len(council.mentors) >= council.mentor_maximum:
        raise Conflict(f"The council already has its maximum of {council.mentor_maximum} mentors")
    refuse_booked_everywhere(
        session, mentor.id, _slot_spans(council), council_id=council.id, field="mentorId"
    )
    _add_seat(session, settings, council, mentor, _match(council, mentor), now)
    if is_lead:
        _set_lead(council, mentor.id)
    record_change(
        session,
        council_id=council.id,
        kind="mentors.assigned",
        payload={"mentorIds": [mentor.id], "lead": is_lead},
    )
    session.flush()
    return mentors_out(council)


def remove_mentor(
    session: Session, council_id: int, *, if_match: str | None, mentor_id: int
) -> MentorsOut:
    council = _open_council(session, council_id, if_match)
    require_open(council, "remove mentors")
    seat = _seat_or_404(council, mentor_id)
    if seat.is_lead or council.lead_mentor_id == mentor_id:
        _set_lead(council, None)
    council.mentors.remove(seat)
    record_change(
        session, council_id=council.id, kind="mentors.removed", payload={"mentorIds": [mentor_id]}
    )
    session.flush()
    return mentors_out(council)


def swap_mentor(
    session: Session,
    settings: Settings,
    council_id: int,
    *,
    if_match: str | None,
    mentor_id: int,
    replacement_id: int,
    now: datetime,
) -> MentorsOut:
    """Replace one mentor by another; the lead flag moves to the replacement."""
    council = _open_council(session, council_id, if_match)
    require_open(council, "swap mentors")
    seat = _seat_or_404(council, mentor_id)
    replacement = require_mentor_user(session, replacement_id, "replacementId")
    if seat_of(council, replacement.id) is not None:
        raise Conflict(f"Mentor {replacement.id} is already on this council")
    refuse_booked_everywhere(
        session, replacement.id, _slot_spans(council), council_id=council.id, field="replacementId"
    )
    was_lead = seat.is_lead or council.lead_mentor_id == mentor_id
    council.mentors.remove(seat)
    session.flush()
    _add_seat(session, settings, council, replacement, _match(council, replacement), now)
    if was_lead:
        _set_lead(council, replacement.id)
    payload: dict[str, Any] = {"removed": mentor_id, "added": replacement.id}
    record_change(session, council_id=council.id, kind="mentors.swapped", payload=payload)
    session.flush()
    return mentors_out(council)


def mark_lead(
    session: Session, council_id: int, *, if_match: str | None, mentor_id: int
) -> MentorsOut:
    """Mark this council mentor as the lead (clears any other lead)."""
    council = _open_council(session, council_id, if_match)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("Cannot change the lead: the council is cancelled")
    _seat_or_404(council, mentor_id)
    _set_lead(council, mentor_id)
    record_change(
        session, council_id=council.id, kind="mentors.lead", payload={"leadMentorId": mentor_id}
    )
    session.flush()
    return mentors_out(council)
