"""Recording a mentor's per-slot answers and deriving their overall ``availabilityResponse``.

Shared by the one-click POST and the authenticated response form so both leave the same
state: a :class:`CouncilSlotAnswer` per answered slot, ``availableTimeSlots`` mirroring the
partial ranges, ``responseDate`` stamped, and the overall answer recomputed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AvailabilityResponse,
    CouncilMentor,
    CouncilSession,
    CouncilSlotAnswer,
    SlotAnswerValue,
)


def lock_seat(session: Session, seat_id: int) -> CouncilMentor | None:
    """Load a seat with row locks (PostgreSQL; no-op on SQLite): its council's, then its own.

    Every council write locks the council row before anything else of that council (staff
    routes lock it first, :func:`record_change` takes the change-log lock after). An answer
    that locked the seat first and the council row only when recording the change would
    deadlock with a confirmation holding the council row and updating the seats.
    """
    council_id = session.scalar(select(CouncilMentor.council_id).where(CouncilMentor.id == seat_id))
    if council_id is None:
        return None
    session.execute(
        select(CouncilSession.id).where(CouncilSession.id == council_id).with_for_update()
    )
    return session.scalar(
        select(CouncilMentor).where(CouncilMentor.id == seat_id).with_for_update()
    )


def set_slot_answer(
    seat: CouncilMentor,
    slot_id: int,
    answer: SlotAnswerValue,
    ranges: list[list[str]],
    now: datetime,
) -> None:
    """Upsert one slot's answer; partial ranges are kept only for available/tentative."""
    if answer == SlotAnswerValue.UNAVAILABLE:
        ranges = []
    row = next((a for a in seat.slot_answers if a.slot_id == slot_id), None)
    if row is None:
        row = CouncilSlotAnswer(slot_id=slot_id)
        seat.slot_answers.append(row)
    row.answer = answer
    row.partial_ranges = ranges
    row.answered_at = now
    row.source = None  # the mentor's own answer, even over a calendar pre-fill
    spans: dict[str, Any] = dict(seat.available_time_slots or {})
    if ranges:
        spans[str(slot_id)] = ranges
    else:
        spans.pop(str(slot_id), None)
    seat.available_time_slots = spans


def overall(seat: CouncilMentor, council: CouncilSession) -> AvailabilityResponse:
    """Available if any slot is; else tentative if any is; unavailable only when every slot
    was declined; otherwise still pending."""
    answers = {a.slot_id: a.answer for a in seat.slot_answers}
    values = set(answers.values())
    if SlotAnswerValue.AVAILABLE in values:
        return AvailabilityResponse.AVAILABLE
    if SlotAnswerValue.TENTATIVE in values:
        return AvailabilityResponse.TENTATIVE
    slot_ids = {s.id for s in council.slots}
    if slot_ids and all(answers.get(s) == SlotAnswerValue.UNAVAILABLE for s in slot_ids):
        return AvailabilityResponse.UNAVAILABLE
    return AvailabilityResponse.PENDING


def finish_response(seat: CouncilMentor, council: CouncilSession, now: datetime) -> None:
    seat.response_date = now
    seat.availability_response = overall(seat, council)
