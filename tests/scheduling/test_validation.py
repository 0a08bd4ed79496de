"""The Python API refuses what the engine cannot compute with, naming the field."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from mentra_desktop.scheduling.model import (
    Council,
    Mentor,
    SchedulingInputError,
    Slot,
    TimeRange,
    Weights,
    require_aware,
)
from mentra_desktop.scheduling.selection import select

from .factories import DEADLINE, T0, mentor, request


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused(value: float) -> None:
    with pytest.raises(SchedulingInputError, match=r"mentors\[a\]\.seniority"):
        Mentor("a", seniority=value)
    with pytest.raises(SchedulingInputError, match=r"council\.slots\[s\]\.priority"):
        Slot("s", T0, value)
    with pytest.raises(SchedulingInputError, match=r"weights\.base"):
        Weights(base=value)


def test_duration_is_bounded_so_slot_ends_are_computable() -> None:
    for minutes in (0, 24 * 60 + 1, 10**30):
        with pytest.raises(SchedulingInputError, match=r"council\.duration_minutes"):
            Council("c", (Slot("s", T0),), 1, 1, None, minutes)
    assert Council("c", (Slot("s", T0),), 1, 1, None, 24 * 60).duration_minutes == 1440


def test_slot_starts_and_now_must_leave_room_for_the_engines_arithmetic() -> None:
    with pytest.raises(SchedulingInputError, match=r"council\.slots\[s\]\.start"):
        Slot("s", datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
    with pytest.raises(SchedulingInputError, match="now"):
        request([mentor("a")], now=datetime(9999, 12, 31, tzinfo=UTC), deadline=DEADLINE)
    with pytest.raises(SchedulingInputError, match="instant out of range"):
        require_aware(datetime.fromisoformat("0001-01-01T00:00:00+05:00"), "x")


def test_far_future_busy_sentinel_is_still_accepted() -> None:
    forever = TimeRange(T0, datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    req = request([mentor("a", {"s1": "available"}, busy=(forever,))], minimum=1, maximum=1)
    assert select(req, Weights()).ranking[0].feasible is False


@pytest.mark.parametrize("name", ["Europe", "A" * 400, "", "../etc/passwd"])
def test_bad_zone_names_are_refused_not_crashing(name: str) -> None:
    with pytest.raises(SchedulingInputError, match=r"mentors\[a\]\.timezone"):
        Mentor("a", timezone=name)
