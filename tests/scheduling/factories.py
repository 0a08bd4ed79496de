"""Small builders so each test states only what it is about."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from mentra_desktop.scheduling.model import (
    ALL_DAYS,
    Answer,
    Council,
    Mentor,
    SelectionRequest,
    Slot,
    TimeRange,
    WorkingHours,
)

ALL_DAY = WorkingHours(time(0, 0), time.max, ALL_DAYS)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def at(hours: float, base: datetime = T0) -> datetime:
    return base + timedelta(hours=hours)


def rng(start_h: float, end_h: float, base: datetime = T0) -> TimeRange:
    return TimeRange(at(start_h, base), at(end_h, base))


def slots(*starts_h: float, priority: float = 0.0) -> tuple[Slot, ...]:
    return tuple(Slot(f"s{i + 1}", at(h), priority) for i, h in enumerate(starts_h))


def mentor(mid: str, answers: dict[str, str] | None = None, **kw: Any) -> Mentor:
    """A mentor working around the clock (no penalties) unless ``working_hours`` is given."""
    parsed = {k: Answer(v) for k, v in (answers or {}).items()}
    kw.setdefault("working_hours", ALL_DAY)
    return Mentor(mid, answers=parsed, **kw)


def request(
    mentors: list[Mentor],
    council_slots: tuple[Slot, ...] | None = None,
    *,
    minimum: int = 3,
    maximum: int = 5,
    lead: str | None = None,
    now: datetime = NOW,
    deadline: datetime = DEADLINE,
    duration: int = 60,
) -> SelectionRequest:
    council = Council(
        "c1",
        council_slots or slots(0, 24, 48),
        mentor_minimum=minimum,
        mentor_maximum=maximum,
        lead_mentor=lead,
        duration_minutes=duration,
    )
    return SelectionRequest(now, deadline, council, tuple(mentors))
