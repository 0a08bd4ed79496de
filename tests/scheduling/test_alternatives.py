"""Alternative start times: sources, ranking, busy exclusion, alignment, DST."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from time import perf_counter

from mentra_desktop.scheduling.alternatives import HORIZON, propose_alternatives
from mentra_desktop.scheduling.model import ALL_DAYS, TimeRange, WorkingHours

from .factories import NOW, mentor, request

OFFICE = WorkingHours(time(9, 0), time(17, 0))


def test_working_hour_overlap_across_zones() -> None:
    # Berlin 09-17 (08-16 UTC in winter) and New York 09-17 (14-22 UTC): overlap 14-16 UTC.
    ms = [
        mentor("b", timezone="Europe/Berlin", working_hours=OFFICE),
        mentor("n", timezone="America/New_York", working_hours=OFFICE),
    ]
    alts = propose_alternatives(request(ms, minimum=2, maximum=2))
    assert alts and len(alts) <= 5
    for alt in alts:
        assert alt.reaches_minimum and alt.likely_attendees == ("b", "n")
        assert time(14, 0) <= alt.start.time() and alt.end.time() <= time(16, 0)
        assert alt.start.minute in (0, 30) and alt.start > NOW


def test_alternatives_do_not_overlap_and_are_earliest_first_within_rank() -> None:
    ms = [mentor(m) for m in "abc"]
    alts = propose_alternatives(request(ms))
    assert len(alts) == 5
    starts = [a.start for a in alts]
    assert starts == sorted(starts)
    assert all(b - a >= timedelta(hours=1) for a, b in itertools.pairwise(starts))
    assert starts[0] == datetime(2026, 11, 26, 12, 30, tzinfo=UTC)  # strictly after now


def test_busy_ranges_are_excluded() -> None:
    busy = (TimeRange(NOW, NOW + timedelta(days=1)),)
    ms = [mentor("a", busy=busy), mentor("b"), mentor("c")]
    alts = propose_alternatives(request(ms))
    assert alts[0].start >= NOW + timedelta(days=1)


def test_reaching_minimum_beats_earlier() -> None:
    # c only works from day 3 on: earlier times seat 2 (< minimum 3).
    day3 = NOW + timedelta(days=3)
    ms = [mentor("a"), mentor("b"), mentor("c", busy=(TimeRange(NOW, day3),))]
    alts = propose_alternatives(request(ms))
    assert alts[0].reaches_minimum and alts[0].start >= day3


def test_lead_preferred_among_equal_counts() -> None:
    day1 = NOW + timedelta(days=1)
    ms = [mentor("a"), mentor("b"), mentor("lead", busy=(TimeRange(NOW, day1),))]
    alts = propose_alternatives(request(ms, minimum=2, lead="lead"))
    assert alts[0].lead_included and alts[0].start >= day1


def test_mentor_proposals_beyond_working_hours_count() -> None:
    # Both work 09-17 UTC; b proposes a Saturday evening; a works around the clock.
    proposal = TimeRange(
        datetime(2026, 11, 28, 19, 0, tzinfo=UTC), datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    )
    ms = [
        mentor("a", working_hours=WorkingHours(time(18, 0), time(22, 0), ALL_DAYS)),
        mentor("b", working_hours=WorkingHours(time(6, 0), time(7, 0)), alternatives=(proposal,)),
    ]
    alts = propose_alternatives(request(ms, minimum=2, maximum=2))
    assert alts[0].start == proposal.start and alts[0].likely_attendees == ("a", "b")


def test_window_is_fourteen_days() -> None:
    ms = [mentor("a", working_hours=OFFICE)]
    alts = propose_alternatives(request(ms, minimum=1, maximum=1))
    assert all(a.start < NOW + HORIZON for a in alts)


def test_dst_switch_moves_utc_overlap() -> None:
    # Around the US switch (2026-11-01), New York 09:00 is 13:00 UTC before, 14:00 after.
    now = datetime(2026, 10, 31, 0, 0, tzinfo=UTC)  # a Saturday: work every day here
    every_day = WorkingHours(OFFICE.start, OFFICE.end, ALL_DAYS)
    ms = [mentor("n", timezone="America/New_York", working_hours=every_day)]
    req = request(ms, minimum=1, maximum=1, now=now, deadline=now)
    alts = propose_alternatives(req)
    assert alts[0].start == datetime(2026, 10, 31, 13, 0, tzinfo=UTC)
    # Sydney 09:00 is 22:00 UTC (AEDT, +11) in November.
    evening = datetime(2026, 10, 31, 8, 0, tzinfo=UTC)  # 19:00 in Sydney
    ms = [mentor("s", timezone="Australia/Sydney", working_hours=every_day)]
    req = request(ms, minimum=1, maximum=1, now=evening, deadline=evening)
    first = propose_alternatives(req)[0]
    assert first.start.hour == 22


def test_deterministic() -> None:
    ms = [
        mentor(m, timezone=z, working_hours=OFFICE)
        for m, z in zip("abc", ["UTC", "Europe/Berlin", "Asia/Kolkata"], strict=True)
    ]
    assert propose_alternatives(request(ms)) == propose_alternatives(request(ms[::-1]))


def test_open_ended_proposals_are_clipped_to_the_window() -> None:
    # A proposal running for centuries used to enumerate a candidate every half hour of
    # it (minutes of CPU and gigabytes); every alternative lies in the 14-day window.
    forever = TimeRange(NOW, datetime(9000, 1, 1, tzinfo=UTC))
    ms = [mentor("a", working_hours=OFFICE, alternatives=(forever,)), mentor("b"), mentor("c")]
    began = perf_counter()
    alts = propose_alternatives(request(ms))
    assert perf_counter() - began < 2.0
    assert alts and all(a.start > NOW and a.start <= NOW + HORIZON for a in alts)


def test_busy_range_ending_within_a_second_still_blocks_that_start() -> None:
    # Busy until 13:00:00.5: a session at 13:00 would overlap it by half a second.
    busy = (TimeRange(NOW, datetime(2026, 11, 26, 13, 0, 0, 500000, tzinfo=UTC)),)
    ms = [mentor("a", busy=busy), mentor("b"), mentor("c")]
    alts = propose_alternatives(request(ms))
    assert alts[0].reaches_minimum
    assert alts[0].start == datetime(2026, 11, 26, 13, 30, tzinfo=UTC)
    assert all(
        not r.overlaps(a.start, a.end) for a in alts if "a" in a.likely_attendees for r in busy
    )
