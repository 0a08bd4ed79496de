"""Per (mentor, slot) cells: busy, full, partial, tentative, outside hours, scores."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from mentra_desktop.scheduling.attendance import CellStatus, evaluate
from mentra_desktop.scheduling.localtime import outside_minutes, working_intervals
from mentra_desktop.scheduling.model import (
    ALL_DAYS,
    DEFAULT_WEIGHTS,
    Slot,
    Weights,
    WorkingHours,
    zone,
)

from .factories import at, mentor, request, rng, slots

NINE_TO_SIX = WorkingHours(time(9, 0), time(18, 0))


def cell(req, slot_index, mentor_id, weights=DEFAULT_WEIGHTS):
    return evaluate(req, weights).slots[slot_index].cell(mentor_id)


def test_slot_interval_is_start_plus_duration() -> None:
    ev = evaluate(request([mentor("a")], duration=45), DEFAULT_WEIGHTS)
    first = ev.slots[0]
    assert first.end - first.start == at(0.75) - at(0)


def test_available_not_busy_is_full_and_scores_weight_times_available() -> None:
    c = cell(request([mentor("a", {"s1": "available"}, seniority=2, expertise_match=1)]), 0, "a")
    assert c.full and c.status is CellStatus.FULL
    assert c.weight == pytest.approx(1.0 + 0.2 * 2 + 1.0)
    assert c.value == pytest.approx(c.weight) == pytest.approx(c.attend_score)


def test_busy_overrides_any_answer() -> None:
    m = mentor("a", {"s1": "available"}, busy=(rng(0.5, 2),))
    c = cell(request([m]), 0, "a")
    assert c.busy and not c.full and c.status is CellStatus.BUSY and c.value == 0


def test_busy_range_touching_the_slot_end_does_not_overlap() -> None:
    m = mentor("a", {"s1": "available"}, busy=(rng(1, 2), rng(-1, 0)))
    assert cell(request([m]), 0, "a").full


def test_partial_ranges_covering_whole_slot_count_as_full() -> None:
    m = mentor("a", {"s1": "available"}, partial={"s1": (rng(0, 0.5), rng(0.25, 1))})
    assert cell(request([m]), 0, "a").full


def test_partial_ranges_with_gap_give_fraction_and_partial_value() -> None:
    m = mentor("a", {"s1": "available"}, partial={"s1": (rng(0, 0.25), rng(0.5, 0.75))})
    c = cell(request([m]), 0, "a")
    assert not c.full and c.status is CellStatus.PARTIAL
    assert c.covered_fraction == pytest.approx(0.5)
    assert c.value == pytest.approx(c.weight * DEFAULT_WEIGHTS.partial * 0.5)


def test_partial_without_answer_reads_as_available_within_ranges() -> None:
    m = mentor("a", partial={"s1": (rng(-1, 2),)})
    assert cell(request([m]), 0, "a").full


def test_tentative_scores_but_is_not_full() -> None:
    c = cell(request([mentor("a", {"s1": "tentative"})]), 0, "a")
    assert not c.full and c.status is CellStatus.TENTATIVE
    assert c.value == pytest.approx(c.weight * DEFAULT_WEIGHTS.tentative)


def test_missing_answer_is_pending_and_listed() -> None:
    ev = evaluate(request([mentor("a"), mentor("b", {"s1": "unavailable"})]), DEFAULT_WEIGHTS)
    assert ev.slots[0].pending == ("a",)
    assert ev.slots[0].cell("b").status is CellStatus.UNAVAILABLE


def test_busy_pending_mentor_is_not_listed_as_pending() -> None:
    ev = evaluate(request([mentor("a", busy=(rng(0, 1),))]), DEFAULT_WEIGHTS)
    assert ev.slots[0].pending == ()


def test_outside_hours_penalty_per_hour() -> None:
    # 08:30-09:30 UTC for a 09:00-18:00 UTC mentor: 30 minutes outside.
    req = request(
        [mentor("a", {"s1": "available"}, working_hours=NINE_TO_SIX)], slots(-0.5, 24, 48)
    )
    c = cell(req, 0, "a")
    assert c.outside_minutes == pytest.approx(30)
    assert c.penalty == pytest.approx(0.25)
    assert c.attend_score == pytest.approx(c.weight - 0.25)


def test_slot_crossing_local_midnight() -> None:
    tz = zone("Europe/Berlin")
    start = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)  # 23:30-00:30 local
    late = WorkingHours(time(20, 0), time.max)
    assert outside_minutes(start, at(1, start), tz, late) == pytest.approx(30)
    early = WorkingHours(time(0, 0), time(1, 0))
    assert outside_minutes(start, at(1, start), tz, early) == pytest.approx(30)


@pytest.mark.parametrize(
    ("zone_name", "utc_start", "expected_outside"),
    [
        # Berlin spring forward 2026-03-29 02:00 -> 03:00; 00:30-02:30 UTC = 01:30-04:30 local,
        # working 03:00-18:00 local: local 01:30-03:00 is 30 real minutes outside.
        ("Europe/Berlin", datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 30),
        # New York fall back 2026-11-01 02:00 -> 01:00; 05:00-07:00 UTC = 01:00 EDT..02:00 EST,
        # working 02:00-18:00: every minute before 02:00 EST is outside (120).
        ("America/New_York", datetime(2026, 11, 1, 5, 0, tzinfo=UTC), 120),
        # Sydney DST starts 2026-10-04 02:00 -> 03:00; 15:00-17:00 UTC = 01:00-04:00 local.
        ("Australia/Sydney", datetime(2026, 10, 3, 15, 0, tzinfo=UTC), 60),
    ],
)
def test_outside_minutes_across_dst_switch(
    zone_name: str, utc_start: datetime, expected_outside: float
) -> None:
    hours = {
        "Europe/Berlin": WorkingHours(time(3, 0), time(18, 0), ALL_DAYS),
        "America/New_York": WorkingHours(time(2, 0), time(18, 0), ALL_DAYS),
        "Australia/Sydney": WorkingHours(time(3, 0), time(18, 0), ALL_DAYS),
    }[zone_name]
    got = outside_minutes(utc_start, at(2, utc_start), zone(zone_name), hours)
    assert got == pytest.approx(expected_outside)


def test_working_intervals_follow_dst_offset() -> None:
    tz = zone("Europe/Berlin")
    days = working_intervals(
        datetime(2026, 3, 27, tzinfo=UTC),
        datetime(2026, 3, 31, tzinfo=UTC),
        tz,
        WorkingHours(NINE_TO_SIX.start, NINE_TO_SIX.end, ALL_DAYS),
    )
    starts = [lo.hour for lo, _ in days]
    assert starts == [8, 8, 7, 7]  # CET (+1) before the switch, CEST (+2) after


def test_weights_change_scores() -> None:
    weights = Weights(tentative=0.25, seniority_weight=0.0, expertise_weight=0.0)
    c = cell(request([mentor("a", {"s1": "tentative"})]), 0, "a", weights)
    assert c.value == pytest.approx(0.25)


def test_base_score_includes_priority_and_non_full_values() -> None:
    req = request(
        [mentor("a", {"s1": "available"}), mentor("b", {"s1": "tentative"})],
        (Slot("s1", at(0), priority=2.0),),
    )
    s = evaluate(req, DEFAULT_WEIGHTS).slots[0]
    assert s.full == ("a",)
    assert s.full_scores == (s.cell("a").attend_score,)
    assert s.base_score == pytest.approx(2.0 + s.cell("b").value)


def test_mentor_order_does_not_matter() -> None:
    ms = [mentor("b", {"s1": "available"}), mentor("a", {"s1": "tentative"})]
    one = evaluate(request(ms), DEFAULT_WEIGHTS)
    two = evaluate(request(ms[::-1]), DEFAULT_WEIGHTS)
    assert one.slots == two.slots
