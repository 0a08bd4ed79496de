"""Working hours: one definition (days, overnight, defaults) for the engine and assignment."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from mentra_desktop.scheduling.alternatives import propose_alternatives
from mentra_desktop.scheduling.attendance import evaluate
from mentra_desktop.scheduling.documents import parse_mentor
from mentra_desktop.scheduling.localtime import outside_minutes, working_intervals
from mentra_desktop.scheduling.model import (
    ALL_DAYS,
    DEFAULT_WEIGHTS,
    WEEKDAYS,
    SchedulingInputError,
    Slot,
    WorkingHours,
    zone,
)

from .factories import at, mentor, request

NIGHT = WorkingHours(time(22, 0), time(6, 0))  # Monday to Friday nights


def test_defaults_are_nine_to_six_monday_to_friday() -> None:
    assert WorkingHours() == WorkingHours(time(9, 0), time(18, 0), WEEKDAYS)
    parsed = parse_mentor({"id": "m", "timezone": "UTC"}, 0)
    assert parsed.working_hours == WorkingHours()


def test_overnight_day_belongs_to_the_day_it_starts() -> None:
    tokyo = zone("Asia/Tokyo")
    # Friday 2026-12-04 22:00 JST to Saturday 06:00; nothing starts on Saturday night.
    got = working_intervals(
        datetime(2026, 12, 4, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 6, 0, 0, tzinfo=UTC),
        tokyo,
        NIGHT,
    )
    assert got == [
        (datetime(2026, 12, 4, 13, 0, tzinfo=UTC), datetime(2026, 12, 4, 21, 0, tzinfo=UTC))
    ]
    # Saturday 01:00-02:00 JST is inside Friday's night; Sunday 01:00 is not.
    assert outside_minutes(
        datetime(2026, 12, 4, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 4, 17, 0, tzinfo=UTC),
        tokyo,
        NIGHT,
    ) == pytest.approx(0)
    assert outside_minutes(
        datetime(2026, 12, 5, 16, 0, tzinfo=UTC),
        datetime(2026, 12, 5, 17, 0, tzinfo=UTC),
        tokyo,
        NIGHT,
    ) == pytest.approx(60)


def test_weekend_slot_is_outside_a_weekday_mentors_hours() -> None:
    # 2026-12-05 is a Saturday, 2026-12-07 a Monday; both 10:00 UTC.
    saturday, monday = datetime(2026, 12, 5, 10, tzinfo=UTC), datetime(2026, 12, 7, 10, tzinfo=UTC)
    council_slots = (Slot("sat", saturday), Slot("mon", monday))
    m = mentor("a", {"sat": "available", "mon": "available"}, working_hours=WorkingHours())
    ev = evaluate(request([m], council_slots, minimum=1, maximum=1), DEFAULT_WEIGHTS)
    assert [s.cells[0].outside_minutes for s in ev.slots] == [60, 0]


def test_overnight_mentor_is_proposed_night_alternatives() -> None:
    m = mentor("n", timezone="UTC", working_hours=WorkingHours(time(23, 0), time(1, 0), ALL_DAYS))
    alts = propose_alternatives(request([m], minimum=1, maximum=1))
    assert alts and all(a.start.hour in (23, 0) and a.end.hour in (0, 1) for a in alts)
    assert alts[0].start == datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
    assert at(0) > alts[0].start  # before the slots, inside the window


@pytest.mark.parametrize(
    ("start", "end", "days", "field"),
    [
        ("09:00", "09:00", [1], "working_hours.end"),
        ("24:00", "09:00", [1], "working_hours.start"),
        ("9am", "17:00", [1], "working_hours.start"),
        ("09:00", "25:00", [1], "working_hours.end"),
        ("09:00", "17:60", [1], "working_hours.end"),
        ("09:00", "17:00", [], "working_hours.days"),
        ("09:00", "17:00", [8], "working_hours.days"),
        ("09:00", "17:00", [True], "working_hours.days"),
    ],
)
def test_parse_refuses_naming_the_field(start: str, end: str, days: list[int], field: str) -> None:
    with pytest.raises(SchedulingInputError) as err:
        WorkingHours.parse(start, end, days, where="profile.")
    assert err.value.field == "profile." + field


def test_parse_accepts_overnight_and_24_00() -> None:
    assert WorkingHours.parse("22:00", "06:00", [5]).overnight
    whole = WorkingHours.parse("00:00", "24:00", range(1, 8))
    assert whole.end == time.max and not whole.overnight and whole.days == ALL_DAYS
