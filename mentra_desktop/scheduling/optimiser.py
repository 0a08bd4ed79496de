"""Cross-council optimiser: many councils choose slots at once without double-booking.

Contract. Given a batch of :class:`SelectionRequest` and already-confirmed sessions,
pick at most one slot per council and its attendees so that no mentor sits in two
overlapping sessions (confirmed ones included), every scheduled council seats between
its minimum and maximum of mentors who can attend fully (per :mod:`.attendance`:
available, the whole hour, not busy), and the objective is lexicographic:

1. the number of scheduled councils, then
2. the total number of attendees, then
3. the total score — the engine's own slot score (``base_score + Σ attend_score``)
   plus a *lead bonus* for every council whose lead attends. The single-council rule
   ranks "lead attends" above everything; across councils the issue puts councils and
   attendees first, so the lead is counted on the score level with a bonus of twice the
   largest absolute score any one slot can reach: within one council, seating the lead
   always beats any other score difference.

The solver is HiGHS (simplex and branch and cut, through ``highspy``). Each independent
component is solved level by level (:mod:`.optimiser_levels`): the number scheduled to a
proven optimum, then the attendees with that number held by an exact integer row, then
the score with both held, so no weight has to out-rank a whole level. Each component
starts from the greedy plan and keeps whichever plan is lexicographically better, so a
time-limited run is never worse than greedy. ``optimal`` means every level of every
component is proven. Every plan is re-checked by :func:`.optimiser_problem.check_plan`
before it is returned; if the solver's plan failed the check the greedy plan is
returned instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from mentra_desktop.scheduling.attendance import SlotEvaluation, evaluate
from mentra_desktop.scheduling.model import (
    DEFAULT_WEIGHTS,
    SchedulingInputError,
    SelectionRequest,
    Weights,
    require_aware,
)
from mentra_desktop.scheduling.optimiser_levels import (
    LEVELS,
    Levels,
    Solved,
    level_costs,
    solve_component,
)
from mentra_desktop.scheduling.optimiser_milp import (
    build_rows,
    components,
    overlap_cliques,
    subset,
)
from mentra_desktop.scheduling.optimiser_problem import (
    SCORE_SCALE,
    Arrays,
    IntArray,
    Option,
    Plan,
    Problem,
    check_plan,
    flatten,
    greedy,
    objective,
)

BUNDLE_OPTIONS = 400
"""Small components are solved together, up to about this many options per model."""


@dataclass(frozen=True, slots=True)
class ConfirmedSession:
    """A session already confirmed: the mentor is busy over ``[start, end)``."""

    mentor: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class ScheduledCouncil:
    council: str
    slot: str
    mentors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OptimisationResult:
    """The plan and how good it is known to be.

    ``objective`` holds ``scheduled``, ``attendees`` and ``score`` (points, lead bonus
    included). ``gap`` is the relative gap of the first level not proven optimal, 0 when
    every level is (see :func:`lexicographic_gap`); ``scheduled_bound`` is a proven upper
    bound on the number of schedulable councils. ``seconds`` is the total wall time.
    """

    status: str
    scheduled: tuple[ScheduledCouncil, ...]
    unscheduled: tuple[str, ...]
    objective: dict[str, float]
    gap: float
    scheduled_bound: int
    seconds: float


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _micros(value: datetime) -> int:
    """Exact microseconds since the epoch (a float timestamp loses them after 2242)."""
    return (value - _EPOCH) // _MICROSECOND


def _ticks(instants: Sequence[int]) -> IntArray:
    """Each instant's rank among the distinct ``instants``: exact, small integer times.

    Overlap and touching depend only on the order of starts and ends, which ranks keep
    exactly, down to the microsecond; whole epoch seconds would truncate ``11:00:00.5``
    to ``11:00:00`` and let a session overlapping another by half a second "touch" it.
    """
    values = np.fromiter(instants, dtype=np.int64, count=len(instants))
    ranks: IntArray = np.unique(values, return_inverse=True)[1].astype(np.int64)
    return ranks


def build_problem(
    requests: Sequence[SelectionRequest],
    confirmed: Sequence[ConfirmedSession] = (),
    weights: Weights = DEFAULT_WEIGHTS,
) -> Problem:
    """Evaluate every council once and flatten it into the solver-neutral problem."""
    council_ids = [r.council.id for r in requests]
    if len(set(council_ids)) != len(council_ids):
        dup = next(c for c in council_ids if council_ids.count(c) > 1)
        raise SchedulingInputError("councils", f"duplicate council id {dup!r}")
    mentor_index: dict[str, int] = {}
    slots: list[tuple[int, SlotEvaluation]] = []
    leads: list[int] = []
    for number, request in enumerate(requests):
        evaluation = evaluate(request, weights)
        for mentor in request.mentors:
            mentor_index.setdefault(mentor.id, len(mentor_index))
        lead = request.council.lead_mentor
        leads.append(mentor_index[lead] if lead is not None else -1)
        slots.extend((number, slot) for slot in evaluation.slots)
    sessions: list[tuple[int, datetime, datetime]] = []
    for k, session in enumerate(confirmed):
        start = require_aware(session.start, f"confirmed[{k}].start")
        end = require_aware(session.end, f"confirmed[{k}].end")
        if end <= start:
            raise SchedulingInputError(f"confirmed[{k}].end", "must be after start")
        if session.mentor in mentor_index:  # a mentor in no council constrains nothing
            sessions.append((mentor_index[session.mentor], start, end))
    instants = [_micros(t) for _, slot in slots for t in (slot.start, slot.end)]
    instants += [_micros(t) for _, start, end in sessions for t in (start, end)]
    tick = _ticks(instants).tolist()  # starts and ends alternate: slots, then sessions
    options = [
        Option(
            council=number,
            slot_id=slot.slot.id,
            start=tick[2 * k],
            end=tick[2 * k + 1],
            base_score=round(slot.base_score * SCORE_SCALE),
            mentors=tuple(mentor_index[m] for m in slot.full),
            mentor_scores=tuple(round(s * SCORE_SCALE) for s in slot.full_scores),
        )
        for k, (number, slot) in enumerate(slots)
    ]
    first = 2 * len(slots)
    busy = [
        (mentor, tick[first + 2 * k], tick[first + 2 * k + 1])
        for k, (mentor, _, _) in enumerate(sessions)
    ]
    reach = max((abs(o.base_score) + sum(map(abs, o.mentor_scores)) for o in options), default=0)
    return Problem(
        council_ids=tuple(council_ids),
        minimum=tuple(r.council.mentor_minimum for r in requests),
        maximum=tuple(r.council.mentor_maximum for r in requests),
        leads=tuple(leads),
        order=tuple(int(r.deadline.timestamp()) for r in requests),
        mentor_ids=tuple(mentor_index),
        options=tuple(options),
        confirmed=tuple(busy),
        lead_bonus=2 * reach + 1,
    )


def _bundles(label: npt.NDArray[np.int64]) -> list[npt.NDArray[np.bool_]]:
    """Option masks: each large component alone, small ones packed together."""
    roots, sizes = np.unique(label, return_counts=True)
    masks: list[npt.NDArray[np.bool_]] = []
    pending: list[int] = []
    filled = 0
    for root, size in sorted(zip(roots.tolist(), sizes.tolist(), strict=True), key=lambda t: -t[1]):
        pending.append(root)
        filled += size
        if filled >= BUNDLE_OPTIONS:
            masks.append(np.isin(label, pending))
            pending, filled = [], 0
    if pending:
        masks.append(np.isin(label, pending))
    return masks


def _warm_start(part: Arrays, plan: Plan, n_mentors: int) -> npt.NDArray[np.float64]:
    """The greedy plan restricted to ``part``, as 0/1 column values."""
    n_opt = len(part.option_index)
    columns = np.zeros(n_opt + len(part.pair_option))
    local = {int(o): k for k, o in enumerate(part.option_index)}
    keys = part.pair_option * n_mentors + part.pair_mentor
    order = np.argsort(keys)
    for option_index, mentors in plan:
        k = local.get(option_index)
        if k is None:
            continue
        columns[k] = 1.0
        wanted = k * n_mentors + np.asarray(mentors, dtype=np.int64)
        columns[n_opt + order[np.searchsorted(keys, wanted, sorter=order)]] = 1.0
    return columns


def _levels(part: Arrays, columns: npt.NDArray[np.float64]) -> Levels:
    x = np.rint(columns).astype(np.int64)
    scheduled, attendees, score = (int(c @ x) for c in level_costs(part))
    return scheduled, attendees, score


def _keep_better(part: Arrays, solved: Solved, start: npt.NDArray[np.float64]) -> Solved:
    """The solver's outcome, or the greedy plan when that is lexicographically better.

    The solver starts from greedy and only accepts strict improvements, so this is a
    safety net. Greedy cannot beat a proven level, so it inherits the proven levels, and
    the bounds (on the optimum, not on a plan) still hold.
    """
    greedy_values = _levels(part, start)
    if solved.columns is None:
        return Solved(start, greedy_values, solved.bounds, 0, solved.seconds)
    if solved.values >= greedy_values:
        return solved
    return Solved(start, greedy_values, solved.bounds, solved.proven, solved.seconds)


def lexicographic_gap(outcomes: Sequence[Solved]) -> tuple[int, float]:
    """``(levels proven everywhere, gap)``.

    The gap is the relative gap of the first level not proven in every component,
    ``(Σ bound - Σ value) / max(|Σ value|, 1)`` over the components, where a component's
    bound holds for plans that keep the levels above at their (proven) optimum. It is 0
    exactly when every level is proven, and at least ``1 / max(|Σ value|, 1)`` otherwise
    (an unproven integer level is bounded by at least its value plus one).
    """
    proven = min((o.proven for o in outcomes), default=LEVELS)
    if proven == LEVELS:
        return proven, 0.0
    value = sum(o.values[proven] for o in outcomes)
    bound = sum(
        o.values[proven] if o.proven > proven else max(o.bounds[proven], o.values[proven] + 1)
        for o in outcomes
    )
    return proven, (bound - value) / max(abs(value), 1)


def solve_problem(problem: Problem, time_limit_s: float) -> tuple[Plan, str, float, int]:
    """Solve ``problem``; return ``(plan, status, gap, scheduled_bound)``.

    ``status`` is ``optimal`` only when every level of every component is proven; see
    :func:`lexicographic_gap` for ``gap``. ``scheduled_bound`` is a proven upper bound on
    the number of schedulable councils.
    """
    deadline = time.perf_counter() + time_limit_s
    baseline = greedy(problem)
    arrays = flatten(problem)
    label = components(arrays, overlap_cliques(arrays))
    plan: list[tuple[int, tuple[int, ...]]] = []
    outcomes: list[Solved] = []
    remaining = float(len(arrays.option_index))
    # Smallest first: each bundle's share of the time is proportional to its options,
    # and what the small ones leave goes to the large ones after them.
    for mask in sorted(_bundles(label), key=np.count_nonzero):
        part = subset(arrays, mask)
        share = max(deadline - time.perf_counter(), 0.0) * len(part.option_index) / remaining
        remaining -= len(part.option_index)
        start = _warm_start(part, baseline, len(problem.mentor_ids))
        solved = solve_component(part, build_rows(part), start, time.perf_counter() + share)
        solved = _keep_better(part, solved, start)
        outcomes.append(solved)
        columns = solved.columns if solved.columns is not None else start
        chosen = np.flatnonzero(columns[: len(part.option_index)] > 0.5)
        attend = columns[len(part.option_index) :] > 0.5
        for k in chosen.tolist():
            mentors = part.pair_mentor[attend & (part.pair_option == k)]
            plan.append((int(part.option_index[k]), tuple(sorted(mentors.tolist()))))
    proven, gap = lexicographic_gap(outcomes)
    bound = sum(
        o.values[0] if o.proven > 0 else max(o.bounds[0], o.values[0] + 1) for o in outcomes
    )
    found: Plan = tuple(sorted(plan))
    if check_plan(problem, found) or objective(problem, found) < objective(problem, baseline):
        return baseline, "feasible", max(gap, 1e-9), max(bound, len(baseline))
    return found, ("optimal" if proven == LEVELS else "feasible"), gap, bound


def _result(
    problem: Problem, plan: Plan, status: str, gap: float, bound: int, began: float
) -> OptimisationResult:
    value = objective(problem, plan)
    scheduled = []
    for option_index, mentors in sorted(plan, key=lambda t: problem.options[t[0]].council):
        option = problem.options[option_index]
        names = tuple(sorted(problem.mentor_ids[m] for m in mentors))
        scheduled.append(
            ScheduledCouncil(problem.council_ids[option.council], option.slot_id, names)
        )
    placed = {s.council for s in scheduled}
    return OptimisationResult(
        status=status,
        scheduled=tuple(scheduled),
        unscheduled=tuple(c for c in problem.council_ids if c not in placed),
        objective={
            "scheduled": value.scheduled,
            "attendees": value.attendees,
            "score": value.score / SCORE_SCALE,
        },
        gap=gap,
        scheduled_bound=bound,
        seconds=time.perf_counter() - began,
    )


def optimise(
    requests: Sequence[SelectionRequest],
    confirmed: Sequence[ConfirmedSession] = (),
    time_limit_s: float = 10.0,
    weights: Weights = DEFAULT_WEIGHTS,
) -> OptimisationResult:
    """The best plan HiGHS finds within ``time_limit_s``; ``optimal`` when proven."""
    if not time_limit_s > 0:  # also refuses NaN, which compares false with everything
        raise SchedulingInputError("time_limit_s", "must be positive")
    began = time.perf_counter()
    problem = build_problem(requests, confirmed, weights)
    plan, status, gap, bound = solve_problem(problem, time_limit_s)
    return _result(problem, plan, status, gap, bound, began)


def greedy_plan(
    requests: Sequence[SelectionRequest],
    confirmed: Sequence[ConfirmedSession] = (),
    weights: Weights = DEFAULT_WEIGHTS,
) -> OptimisationResult:
    """The one-council-at-a-time baseline (deadline order), as a result (``feasible``)."""
    began = time.perf_counter()
    problem = build_problem(requests, confirmed, weights)
    plan = greedy(problem)
    return _result(problem, plan, "feasible", float("nan"), len(problem.council_ids), began)
