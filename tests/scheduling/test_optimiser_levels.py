"""The lexicographic levels: exact against an independent model, a sound LP bound, exact
fallbacks, and a gap that is zero only when every level is proven."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from unittest import mock

import highspy
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mentra_desktop.scheduling import optimiser_levels
from mentra_desktop.scheduling.model import (
    Answer,
    Council,
    Mentor,
    SelectionRequest,
    Slot,
)
from mentra_desktop.scheduling.optimiser import (
    greedy_plan,
    lexicographic_gap,
    optimise,
    solve_problem,
)
from mentra_desktop.scheduling.optimiser_levels import Solved, dual_bound, level_costs
from mentra_desktop.scheduling.optimiser_milp import build_rows
from mentra_desktop.scheduling.optimiser_problem import Problem, flatten, objective

from .test_optimiser import random_problem
from .test_optimiser_properties import brute_force, problems

MONDAY = datetime(2027, 1, 4, tzinfo=UTC)


def crowded_week(councils: int, mentors: int, seed: int) -> list[SelectionRequest]:
    """Councils of 5 invited mentors proposing 3–5 one-hour slots in one week of business
    hours (45 starts), 55 % of answers available: every mentor is wanted by ~25 councils."""
    rng = np.random.default_rng(seed)
    answers = (Answer.AVAILABLE, Answer.TENTATIVE, Answer.UNAVAILABLE, None)
    batch = []
    for c in range(councils):
        hours = sorted(rng.choice(45, size=int(rng.integers(3, 6)), replace=False).tolist())
        slots = tuple(
            Slot(f"s{k}", MONDAY + timedelta(days=h // 9, hours=8 + h % 9))
            for k, h in enumerate(hours)
        )
        people = []
        for m in rng.choice(mentors, size=5, replace=False).tolist():
            said = {}
            for slot in slots:
                answer = answers[rng.choice(4, p=(0.55, 0.15, 0.15, 0.15))]
                if answer is not None:
                    said[slot.id] = answer
            people.append(Mentor(f"m{m}", "UTC", answers=said))
        minimum = 3 if rng.random() < 0.8 else 2
        council = Council(f"c{c}", slots, minimum, 5, people[0].id)
        batch.append(SelectionRequest(MONDAY - timedelta(days=7), MONDAY, council, tuple(people)))
    return batch


def most_councils(requests: list[SelectionRequest]) -> int:
    """The most councils that can meet, by a model written independently of the optimiser.

    Straight from the answers (no busy ranges or partials here, so "available" is "can
    attend fully"): one binary per council slot and per available mentor of that slot,
    and no mentor in two sessions covering the same instant — checked at every session
    start, which is enough for intervals (any pairwise-overlapping set shares the
    latest start).
    """
    h = highspy.Highs()
    h.silent()
    scheduled = []
    sessions: dict[str, list[tuple[datetime, datetime, highspy.highs_var]]] = {}
    for request in requests:
        council = request.council
        chosen = []
        for slot in council.slots:
            available = [
                m.id for m in request.mentors if m.answers.get(slot.id) == Answer.AVAILABLE
            ]
            if len(available) < council.mentor_minimum:
                continue
            meets = h.addBinary()
            seats = [h.addBinary() for _ in available]
            h.addConstr(highspy.qsum(seats) >= council.mentor_minimum * meets)
            h.addConstr(highspy.qsum(seats) <= council.mentor_maximum * meets)
            for seat in seats:
                h.addConstr(seat <= meets)
            for mentor, seat in zip(available, seats, strict=True):
                sessions.setdefault(mentor, []).append(
                    (slot.start, slot.start + council.duration, seat)
                )
            chosen.append(meets)
        if chosen:
            h.addConstr(highspy.qsum(chosen) <= 1)
            scheduled.extend(chosen)
    for spans in sessions.values():
        for instant in {start for start, _, _ in spans}:
            covering = [seat for start, end, seat in spans if start <= instant < end]
            if len(covering) > 1:
                h.addConstr(highspy.qsum(covering) <= 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.maximize(highspy.qsum(scheduled))
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return round(h.getInfo().objective_function_value)


def test_scheduled_count_equals_an_independent_count_only_optimum() -> None:
    requests = crowded_week(councils=500, mentors=100, seed=7)
    result = optimise(requests, time_limit_s=60)
    best = most_councils(requests)
    assert result.status == "optimal" and result.gap == 0
    assert result.objective["scheduled"] == best == result.scheduled_bound
    assert greedy_plan(requests).objective["scheduled"] < best  # not a trivial instance


def _all_plans_max(problem: Problem, cost: np.ndarray) -> int:
    """``max cost · x`` over every 0/1 point of the model, by enumeration."""
    arrays = flatten(problem)
    rows = build_rows(arrays)
    n = len(arrays.option_index) + len(arrays.pair_option)
    dense = np.zeros((len(rows.lower), n))
    row_of = np.repeat(np.arange(len(rows.lower)), np.diff(np.r_[rows.starts, len(rows.index)]))
    dense[row_of, rows.index] = rows.value
    points = np.array(list(itertools.product((0, 1), repeat=n)), dtype=np.float64)
    activity = points @ dense.T
    inside = np.all((activity >= rows.lower) & (activity <= rows.upper), axis=1)
    return int((points[inside] @ cost).max())


@settings(max_examples=40)
@given(problems(max_councils=2, max_mentors=3), st.integers(0, 2**32 - 1))
def test_dual_bound_holds_for_any_multipliers(problem: Problem, seed: int) -> None:
    arrays = flatten(problem)
    n = len(arrays.option_index) + len(arrays.pair_option)
    assume(0 < n <= 12)
    rows = build_rows(arrays)
    row_of = np.repeat(np.arange(len(rows.lower)), np.diff(np.r_[rows.starts, len(rows.index)]))
    rng = np.random.default_rng(seed)
    for cost in level_costs(arrays):
        best = _all_plans_max(problem, cost)
        for duals in (rng.normal(size=len(rows.lower)) * 3, np.zeros(len(rows.lower))):
            bound, reduced, slack = dual_bound(rows, row_of, cost, duals)
            assert bound >= best and slack >= 0 and len(reduced) == n


@given(problems())
def test_the_exact_level_mips_alone_reach_the_lexicographic_optimum(problem: Problem) -> None:
    # Multipliers of zero make every LP ignore the levels above, so the levels are
    # settled by RENS and the exact MIP with fixed-level rows.
    with mock.patch.object(optimiser_levels, "multipliers", lambda _: ((), (0,), (0, 0))):
        plan, status, gap, _ = solve_problem(problem, 10.0)
    assert status == "optimal" and gap == 0
    assert objective(problem, plan) == brute_force(problem)


def test_a_dense_instance_is_proven_level_by_level() -> None:
    problem = random_problem(councils=80, mentors=30, hours=20, seed=1)
    plan, status, gap, bound = solve_problem(problem, 60.0)
    assert status == "optimal" and gap == 0 and bound == len(plan)


def _outcome(values: tuple[int, int, int], bounds: tuple[int, int, int], proven: int) -> Solved:
    return Solved(None, values, bounds, proven, 0.0)


def test_gap_is_the_first_unproven_level_over_all_components() -> None:
    done = _outcome((10, 40, 900), (10, 40, 900), 3)
    assert lexicographic_gap([done, done]) == (3, 0.0)
    attendees_open = _outcome((5, 20, 100), (5, 24, 10**9), 1)
    assert lexicographic_gap([done, attendees_open]) == (1, 4 / 60)
    count_open = _outcome((5, 20, 100), (7, 10**6, 10**9), 0)
    assert lexicographic_gap([attendees_open, count_open]) == (0, 2 / 10)
    # An unproven integer level is at least one above its value, whatever was passed.
    stale = _outcome((5, 20, 100), (5, 20, 100), 0)
    assert lexicographic_gap([stale]) == (0, 1 / 5)
