"""Rescheduling: the engine's alternative times become the council's new proposed slots.

The old slots, their answers and every unspent one-click link go; each alternative becomes a
slot; every mentor gets new one-click links with a new deadline (``RESCHEDULING_WINDOW_HOURS``
from now, but at least the preparation notice before the earliest alternative, and at least
an hour away). The collection round goes up, so the reminder schedule starts again. While
rescheduling, the first alternative that reaches the minimum confirms at once
(:func:`mentra_platform.coordination.service.after_answer`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
)
from mentra_desktop.scheduling.alternatives import Alternative
from mentra_platform.alerts.service import raise_alert
from mentra_platform.alerts.wording import utc_text
from mentra_platform.coordination.service import advance, notice
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.tables import AlertKind, OneClickToken
from mentra_platform.councils import phases
from mentra_platform.councils.queries import iso
from mentra_platform.responses.invitations import invite_seat

MIN_WINDOW = timedelta(hours=1)


def rescheduling_deadline(
    settings: Settings, alternatives: Sequence[Alternative], now: datetime
) -> datetime:
    earliest = min(a.start for a in alternatives)
    window = now + timedelta(hours=settings.rescheduling_window_hours)
    return max(min(window, earliest - notice(settings)), now + MIN_WINDOW)


def reopen_collection(
    session: Session,
    settings: Settings,
    council: CouncilSession,
    deadline: datetime,
    now: datetime,
    subject: str,
) -> None:
    """Start a new collection round: fresh links to every mentor, a new deadline."""
    seat_ids = [seat.id for seat in council.mentors]
    session.execute(
        delete(OneClickToken)
        .where(OneClickToken.council_mentor_id.in_(seat_ids), OneClickToken.used_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    council.collection_round = (council.collection_round or 0) + 1
    council.mentor_response_deadline = deadline
    council.invitations_sent_at = now
    for seat in council.mentors:
        note = invite_seat(session, settings, council, seat, seat.mentor, now)
        note.subject = f"{subject}: {council.topic}"[:200]


def send_alternatives(
    session: Session,
    settings: Settings,
    council: CouncilSession,
    alternatives: Sequence[Alternative],
    now: datetime,
    before_change: Callable[[], None] | None = None,
) -> None:
    """needs_alternatives → rescheduling with ``alternatives`` as the new slots.

    ``before_change`` runs just before the ``council.rescheduling`` change event, after the
    new slots and invitations (see :func:`~.deadlines.decide_at_deadline`)."""
    advance(
        session,
        council,
        CoordinationStatus.RESCHEDULING,
        phases.Trigger.ALTERNATIVES,
        "the engine's alternative times sent to the mentors",
        now,
    )
    # The old answers go first, by one statement, and the seats' collections are set empty
    # without loading them: deleting the slots would otherwise cascade to answers the unit
    # of work still meant to delete (SAWarning: 0 rows matched), depending on flush order.
    seat_ids = [seat.id for seat in council.mentors]
    session.execute(
        delete(CouncilSlotAnswer)
        .where(CouncilSlotAnswer.council_mentor_id.in_(seat_ids))
        .execution_options(synchronize_session=False)
    )
    for seat in council.mentors:
        for answer in seat.__dict__.get("slot_answers", ()):
            if answer in session:
                session.expunge(answer)
        set_committed_value(seat, "slot_answers", [])
        seat.availability_response = AvailabilityResponse.PENDING
        seat.response_date = None
        seat.attending = None
        seat.alternative_proposals = []
        seat.available_time_slots = {}
    council.slots.clear()
    council.final_slot_id = None
    session.flush()
    for position, alt in enumerate(sorted(alternatives, key=lambda a: a.start)):
        council.slots.append(CouncilSlot(position=position, starts_at=alt.start, ends_at=alt.end))
    session.flush()
    deadline = rescheduling_deadline(settings, alternatives, now)
    reopen_collection(session, settings, council, deadline, now, "New times proposed")
    starts = [iso(a.start) for a in sorted(alternatives, key=lambda a: a.start)]
    if before_change is not None:
        before_change()
    record_change(
        session,
        council_id=council.id,
        kind="council.rescheduling",
        payload={"slots": starts, "deadline": iso(deadline)},
    )
    raise_alert(
        session,
        AlertKind.ALTERNATIVES_SENT,
        council_id=council.id,
        message=(
            f"No proposed time worked for \u201c{council.topic}\u201d; {len(starts)} alternative "
            f"time(s) went to the mentors, answers close {utc_text(deadline)}"
        ),
        now=now,
        details={"slots": starts, "deadline": iso(deadline)},
        dedupe_key=f"alternatives_sent:{council.id}:{council.collection_round}",
    )


__all__ = ["reopen_collection", "rescheduling_deadline", "send_alternatives"]
