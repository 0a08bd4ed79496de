"""A mentor withdraws from a confirmed council (before its session starts).

Their answer for the final slot becomes ``unavailable`` and their seat stops attending.
If the council still has its minimum it stays confirmed: the attendee list changed, so the
invite's sequence goes up and everyone (the attendees, the lead, the mentee, and the mentor
who withdrew) is told. Below the minimum it goes back to collecting (the ``withdrawal``
move, which raises the sequence): the final slot is released, a new round of one-click
links goes to every mentor with a new deadline (``RESCHEDULING_WINDOW_HOURS``), and the
coordinators get a ``withdrawal_below_minimum`` alert. Audited either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    NotificationKind,
    SlotAnswerValue,
    User,
)
from mentra_platform.alerts.service import raise_alert
from mentra_platform.coordination.alternatives import reopen_collection
from mentra_platform.coordination.service import advance
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, Forbidden
from mentra_platform.core.tables import AlertKind
from mentra_platform.councils import phases
from mentra_platform.councils.access import display_name, load_visible, seat_of, slot_of
from mentra_platform.notifications.messages import mentee_ids, queue
from mentra_platform.responses.answers import finish_response, set_slot_answer

P = CoordinationStatus


@dataclass(frozen=True)
class WithdrawalResult:
    council_id: int
    coordination_status: CoordinationStatus
    attending_mentor_ids: list[int]
    invite_sequence: int
    version: int


def withdraw(
    session: Session, settings: Settings, user: User, council_id: int, reason: str, now: datetime
) -> WithdrawalResult:
    council = load_visible(session, user, council_id, lock=True)
    seat = seat_of(council, user.id)
    if seat is None:
        raise Forbidden("You are not a mentor on this council")
    if council.coordination_status != P.CONFIRMED or council.final_slot_id is None:
        raise Conflict(
            f"Only a confirmed council can be left; this one is {council.coordination_status}"
        )
    if not seat.attending:
        raise Conflict("You are not attending this council")
    slot = slot_of(council, council.final_slot_id)
    if slot is not None and slot.starts_at <= now:
        raise Conflict("The session already started")
    before = sorted(cm.mentor_id for cm in council.mentors if cm.attending)
    seat.attending = False
    set_slot_answer(seat, council.final_slot_id, SlotAnswerValue.UNAVAILABLE, [], now)
    if reason:
        seat.conflict_notes = reason
    finish_response(seat, council, now)
    remaining = [cm.mentor_id for cm in council.mentors if cm.attending]
    who = display_name(user)
    lead = [council.lead_mentor_id] if council.lead_mentor_id is not None else []
    everyone = [*remaining, *lead, user.id, *mentee_ids(session, council)]
    if len(remaining) >= council.mentor_minimum:
        council.invite_sequence += 1
        queue(
            session,
            council,
            NotificationKind.CONFIRMATION,
            everyone,
            f"Council update: {who} can no longer attend {council.topic}"[:200],
            f"{who} withdrew from \u201c{council.topic}\u201d. The council goes ahead as "
            f"confirmed with {len(remaining)} mentors.",
        )
        cause = "withdrawal; the council keeps its minimum"
    else:
        advance(
            session,
            council,
            P.COLLECTING,
            phases.Trigger.WITHDRAWAL,
            "withdrawal below the minimum",
            now,
        )
        council.final_slot_id = None
        council.final_time_confirmed = False
        for cm in council.mentors:
            cm.attending = None
        deadline = now + timedelta(hours=settings.rescheduling_window_hours)
        reopen_collection(session, settings, council, deadline, now, "Council reopened")
        queue(
            session,
            council,
            NotificationKind.CUSTOM,
            [*lead, *mentee_ids(session, council)],
            f"Council no longer confirmed: {council.topic}"[:200],
            f"{who} withdrew from \u201c{council.topic}\u201d and it no longer has its minimum "
            "of mentors. We are collecting availability again.",
        )
        raise_alert(
            session,
            AlertKind.WITHDRAWAL_BELOW_MINIMUM,
            council_id=council.id,
            message=(
                f"{who} withdrew from \u201c{council.topic}\u201d; {len(remaining)} mentor(s) left "
                f"of the minimum {council.mentor_minimum}: collecting again"
            ),
            now=now,
            details={"mentorId": user.id, "remainingMentorIds": remaining},
            dedupe_key=f"withdrawal_below:{council.id}:{council.collection_round}",
        )
        cause = "withdrawal below the minimum"
    session.add(
        AuditLog(
            actor_id=user.id,
            action="mentor.withdrew",
            council_id=council.id,
            reason=reason or cause,
            before={"attendingMentorIds": before},
            after={
                "attendingMentorIds": sorted(remaining),
                "coordinationStatus": council.coordination_status.value,
            },
            at=now,
        )
    )
    record_change(
        session,
        council_id=council.id,
        kind="mentor.withdrew",
        entity="council_mentor",
        entity_id=seat.id,
        payload={"mentorId": user.id, "status": council.coordination_status.value},
    )
    session.flush()
    return WithdrawalResult(
        council_id=council.id,
        coordination_status=council.coordination_status,
        attending_mentor_ids=sorted(cm.mentor_id for cm in council.mentors if cm.attending),
        invite_sequence=council.invite_sequence,
        version=council.version,
    )


__all__ = ["WithdrawalResult", "withdraw"]
