"""Alternative start times for a council none of whose slots works.

Sources: each mentor's own alternative proposals and their local working hours, both
within the next :data:`HORIZON` (14 days) and minus the mentor's busy ranges. Working
hours are converted per local day with :mod:`zoneinfo`, so the overlap is right across
DST switches. Candidate starts are on the hour or half hour
(UTC), strictly after ``now``, and the whole duration must fit.

A mentor is a *likely attendee* of a candidate when the whole session lies inside
one of their proposals or inside their working day, and they are not busy. Candidates
are ranked: reaches ``mentor_minimum``; the lead is likely; more likely attendees
(capped at ``mentor_maximum``); earlier start. Up to :data:`MAX_ALTERNATIVES` are
returned, no two overlapping (so five options are five different sessions rather
than five half-hour shifts of one). Deterministic for equal input.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from mentra_desktop.scheduling.localtime import working_intervals
from mentra_desktop.scheduling.model import Mentor, SelectionRequest

if TYPE_CHECKING:
    from mentra_desktop.scheduling.attendance import CouncilEvaluation

HORIZON = timedelta(days=14)
MAX_ALTERNATIVES = 5
STEP_SECONDS = 30 * 60


class Alternative(NamedTuple):
    """A proposed start with the mentors likely to attend (capped, lead first kept)."""

    start: datetime
    end: datetime
    likely_attendees: tuple[str, ...]
    reaches_minimum: bool
    lead_included: bool


Interval = tuple[int, int]


def _merge(intervals: list[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    """``intervals`` minus ``holes``; both sorted and disjoint."""
    result: list[Interval] = []
    for lo, hi in intervals:
        cursor = lo
        for h_lo, h_hi in holes:
            if h_hi <= cursor or h_lo >= hi:
                continue
            if h_lo > cursor:
                result.append((cursor, h_lo))
            cursor = max(cursor, h_hi)
        if cursor < hi:
            result.append((cursor, hi))
    return result


def _epoch(value: datetime) -> int:
    """Whole epoch seconds, rounded down (candidates are whole seconds)."""
    return math.floor(value.timestamp())


def _epoch_up(value: datetime) -> int:
    return math.ceil(value.timestamp())


def free_intervals(mentor: Mentor, window_start: datetime, horizon_end: datetime) -> list[Interval]:
    """Epoch-second intervals when ``mentor`` could plausibly meet (sorted, disjoint).

    Proposals are clipped to ``[window_start, horizon_end)`` like working hours, so an
    open-ended proposal costs no more than the window. Fractions of a second round
    against the mentor: free time shrinks to whole seconds, busy time grows to them.
    """
    ranges = [
        (_epoch_up(lo), _epoch(hi))
        for lo, hi in working_intervals(window_start, horizon_end, mentor.tz, mentor.working_hours)
    ]
    ranges.extend(
        (_epoch_up(max(r.start, window_start)), _epoch(min(r.end, horizon_end)))
        for r in mentor.alternatives
        if r.overlaps(window_start, horizon_end)
    )
    busy = _merge([(_epoch(r.start), _epoch_up(r.end)) for r in mentor.busy])
    return _subtract(_merge([(lo, hi) for lo, hi in ranges if lo < hi]), busy)


def _fits(free: list[Interval], starts: list[int], t: int, length: int) -> bool:
    i = bisect_right(starts, t) - 1
    return i >= 0 and free[i][1] >= t + length


def propose_alternatives(
    request: SelectionRequest, ev: CouncilEvaluation | None = None
) -> tuple[Alternative, ...]:
    """Up to five ranked, non-overlapping alternative starts (see the module docstring)."""
    council = request.council
    length = council.duration_minutes * 60
    now = _epoch(request.now)
    first = (now // STEP_SECONDS + 1) * STEP_SECONDS
    window_start = datetime.fromtimestamp(first, UTC)
    horizon_end = request.now + HORIZON + council.duration
    mentors = sorted(request.mentors, key=lambda m: m.id)
    weight = (
        ev.mentor_weights if ev else {m.id: 1.0 for m in mentors}
    )  # weights only break ties among more mentors than the cap
    free = {m.id: free_intervals(m, window_start, horizon_end) for m in mentors}
    starts = {mid: [lo for lo, _ in intervals] for mid, intervals in free.items()}
    candidates: set[int] = set()
    for intervals in free.values():
        for lo, hi in intervals:
            t = max(first, -(-lo // STEP_SECONDS) * STEP_SECONDS)
            while t + length <= hi:
                candidates.add(t)
                t += STEP_SECONDS
    lead = council.lead_mentor
    ranked: list[tuple[tuple[bool, bool, int, int], int, tuple[str, ...]]] = []
    for t in candidates:
        likely = [m.id for m in mentors if _fits(free[m.id], starts[m.id], t, length)]
        if not likely:
            continue
        if len(likely) > council.mentor_maximum:
            likely.sort(key=lambda mid: (mid != lead, -weight[mid], mid))
            likely = sorted(likely[: council.mentor_maximum])
        has_lead = lead is not None and lead in likely
        key = (len(likely) < council.mentor_minimum, not has_lead, -len(likely), t)
        ranked.append((key, t, tuple(likely)))
    ranked.sort()
    chosen: list[Alternative] = []
    for key, t, seated in ranked:
        if any(t < _epoch(a.end) and _epoch(a.start) < t + length for a in chosen):
            continue
        start = datetime.fromtimestamp(t, UTC)
        chosen.append(Alternative(start, start + council.duration, seated, not key[0], not key[1]))
        if len(chosen) == MAX_ALTERNATIVES:
            break
    return tuple(chosen)
