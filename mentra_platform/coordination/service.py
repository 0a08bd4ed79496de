"""The coordination state machine's moves: audited transitions, confirming from the engine,
and instant confirmation after a mentor's answer.

Every automated move goes through :func:`advance`, which checks it against the one phase
table (:mod:`mentra_platform.councils.phases`) and writes an :class:`AuditLog` entry naming
its cause (``council.phase_changed``; no actor: the automation made it). Confirming sets the
final slot, the attendees and the video link, raises ``invite_sequence`` (by the phase move)
and queues one confirmation to each attending mentor, the lead and the mentee(s); it never
double-books a mentor. Functions flush, never commit: the caller's transaction makes them
all-or-nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mentra_desktop.models import AuditLog, CoordinationStatus, CouncilSession, NotificationKind
from mentra_desktop.scheduling.selection import Decision, Status
from mentra_platform.alerts.service import raise_alert
from mentra_platform.assignment.bookings import refuse_double_booking
from mentra_platform.coordination.engine import decide
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict
from mentra_platform.core.tables import AlertKind
from mentra_platform.councils import phases
from mentra_platform.councils.access import load_council, slot_of
from mentra_platform.notifications.messages import confirmation_text, mentee_ids, queue

P = CoordinationStatus
VIDEO_BASE = "https://meet.mentra.app/c/"
DEFAULT_NOTICE = timedelta(hours=Settings.confirmation_notice_hours)
OPEN = (P.COLLECTING, P.SELECTING, P.RESCHEDULING)
"""The phases in which answers can still change the outcome."""


def notice(settings: Settings | None) -> timedelta:
    """The preparation time a confirmed slot must leave (``CONFIRMATION_NOTICE_HOURS``)."""
    return (
        DEFAULT_NOTICE if settings is None else timedelta(hours=settings.confirmation_notice_hours)
    )


def advance(
    session: Session,
    council: CouncilSession,
    target: CoordinationStatus,
    trigger: phases.Trigger,
    cause: str,
    now: datetime,
    actor_id: int | None = None,
) -> None:
    """Move ``council`` by the phase table and audit the move with its cause."""
    source = council.coordination_status
    phases.move(council, target, trigger, now)
    session.add(
        AuditLog(
            actor_id=actor_id,
            action="council.phase_changed",
            council_id=council.id,
            reason=cause,
            before={"coordinationStatus": source.value},
            after={"coordinationStatus": target.value, "trigger": trigger.value},
            at=now,
        )
    )


def confirm_slot(
    session: Session,
    council: CouncilSession,
    slot_id: int,
    mentor_ids: Sequence[int],
    trigger: phases.Trigger,
    cause: str,
    now: datetime,
    before_change: Callable[[], None] | None = None,
) -> int:
    """Confirm ``slot_id`` with ``mentor_ids`` attending; returns the confirmations queued.

    Raises :class:`Conflict` (changing nothing) when an attendee is booked elsewhere.
    ``before_change`` runs just before the ``council.confirmed`` change event (the
    caller's alerts, so the change log's lock is taken as late as possible)."""
    slot = slot_of(council, slot_id)
    if slot is None:
        raise Conflict(f"slot {slot_id} is not on this council")
    ids = list(dict.fromkeys(mentor_ids))
    refuse_double_booking(session, ids, slot.starts_at, slot.ends_at, council_id=council.id)
    advance(session, council, P.CONFIRMED, trigger, cause, now)
    council.final_slot_id = slot.id
    council.final_time_confirmed = True
    if not council.video_link:
        council.video_link = f"{VIDEO_BASE}{council.id}-{secrets.token_urlsafe(9)}"
    chosen = set(ids)
    for seat in council.mentors:
        seat.attending = seat.mentor_id in chosen
    lead = [council.lead_mentor_id] if council.lead_mentor_id is not None else []
    subject, text = confirmation_text(council)
    notes = queue(
        session,
        council,
        NotificationKind.CONFIRMATION,
        [*ids, *lead, *mentee_ids(session, council)],
        subject,
        text,
    )
    if before_change is not None:
        before_change()
    record_change(
        session,
        council_id=council.id,
        kind="council.confirmed",
        payload={
            "status": P.CONFIRMED.value,
            "finalSlotId": slot.id,
            "trigger": trigger.value,
            "inviteSequence": council.invite_sequence,
        },
    )
    return len(notes)


def first_feasible(decision: Decision) -> tuple[int, list[int]] | None:
    """The best slot that already reaches the minimum with pending answers taken as
    unavailable (the ranking puts feasible first, then the lead attending), or ``None``."""
    for row in decision.ranking_rows:
        slot_id, _start, feasible, _lead, attendees, _score = row
        if feasible:
            return int(slot_id), [int(m) for m in attendees]
    return None


def after_answer(
    session: Session, council_id: int, now: datetime, settings: Settings | None = None
) -> bool:
    """Instant confirmation: run the engine after a mentor's answer, in the answer's
    transaction, and confirm at once when it says so. True when the council was confirmed.

    While collecting or selecting, the engine's early verdict ``confirmed`` confirms. While
    rescheduling (real-time booking of alternatives), the first alternative that reaches the
    minimum confirms, the lead's first. A confirmation that would double-book a mentor is
    left to the deadline."""
    council = load_council(session, council_id, lock=True)
    if council.coordination_status not in OPEN:
        return False
    session.flush()
    verdict = decide(session, [council.id], now, notice(settings)).get(council.id)
    if verdict is None or verdict.decision is None:
        return False
    decision = verdict.decision
    pick: tuple[int, list[int]] | None = None
    if council.coordination_status == P.RESCHEDULING:
        pick = first_feasible(decision)
    elif decision.status is Status.CONFIRMED and decision.slot is not None:
        pick = int(decision.slot), [int(m) for m in decision.mentors]
    if pick is None:
        return False
    rescheduling = council.coordination_status == P.RESCHEDULING
    try:
        with session.begin_nested():
            confirm_slot(
                session,
                council,
                pick[0],
                pick[1],
                phases.Trigger.ANSWER,
                "instant confirmation after a mentor's answer",
                now,
            )
    except Conflict:
        return False
    if rescheduling:
        raise_alert(
            session,
            AlertKind.ALTERNATIVE_BOOKED,
            council_id=council.id,
            message=f"An alternative time was booked for \u201c{council.topic}\u201d",
            now=now,
            details={"slotId": pick[0], "mentorIds": pick[1]},
            dedupe_key=f"alternative_booked:{council.id}:{council.collection_round}",
        )
    return True


__all__ = ["OPEN", "advance", "after_answer", "confirm_slot", "first_feasible", "notice"]
