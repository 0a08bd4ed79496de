"""Pre-filling a mentor's answers from their calendar when they are invited.

For each proposed slot the mentor has not answered themself: ``unavailable`` with the source
``calendar`` when their calendar is busy during it, or when it lies outside the hours of a
connected Calendly availability schedule. A slot pre-filled earlier that is free now goes
back to pending. The mentor may change every pre-filled answer (their own answer clears
the source); the council document shows which answers came from a calendar.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import CouncilMentor, CouncilSession, CouncilSlotAnswer, SlotAnswerValue
from mentra_platform.calendars.busy import slot_busy
from mentra_platform.calendars.hours import inside_hours
from mentra_platform.core.tables import CalendarConnection, CalendarKind

CALENDAR = "calendar"


def _schedules(session: Session, mentor_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CalendarConnection.availability).where(
            CalendarConnection.mentor_id == mentor_id,
            CalendarConnection.kind == CalendarKind.CALENDLY,
            CalendarConnection.availability.is_not(None),
        )
    ).all()
    return [r for r in rows if isinstance(r, dict)]


def _outside(schedules: list[dict[str, Any]], start: datetime, end: datetime) -> bool:
    for schedule in schedules:
        try:
            if not inside_hours(schedule, start, end):
                return True
        except (ValueError, TypeError, AttributeError):
            continue  # an unreadable schedule marks nothing
    return False


def prefill_seat(
    session: Session, council: CouncilSession, seat: CouncilMentor, now: datetime
) -> list[int]:
    """Pre-fill the seat's answers (see the module docstring); the slot ids marked."""
    slots = [(s.id, s.starts_at, s.ends_at) for s in council.slots]
    busy = slot_busy(session, [seat.mentor_id], slots).get(seat.mentor_id, set())
    schedules = _schedules(session, seat.mentor_id)
    answers = {a.slot_id: a for a in seat.slot_answers}
    spans: dict[str, Any] = dict(seat.available_time_slots or {})
    marked: list[int] = []
    for sid, start, end in slots:
        row = answers.get(sid)
        if row is not None and row.source != CALENDAR and row.answer != SlotAnswerValue.PENDING:
            continue  # the mentor's own answer
        if sid in busy or _outside(schedules, start, end):
            if row is None:
                row = CouncilSlotAnswer(slot_id=sid)
                seat.slot_answers.append(row)
            row.answer = SlotAnswerValue.UNAVAILABLE
            row.partial_ranges = []
            row.answered_at = now
            row.source = CALENDAR
            spans.pop(str(sid), None)
            marked.append(sid)
        elif row is not None and row.source == CALENDAR:
            row.answer = SlotAnswerValue.PENDING
            row.answered_at = None
            row.source = None
    seat.available_time_slots = spans
    return marked


__all__ = ["CALENDAR", "prefill_seat"]
