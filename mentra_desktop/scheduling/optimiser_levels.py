"""Lexicographic solve of one component: councils scheduled, then attendees, then score.

The levels are solved one after another, each to a proven optimum with the levels above
held at their optimal values, so no weight ever has to out-rank a whole level (a single
objective weighted ~1e12 per council is at the mercy of the solver's tolerances; one
10,000-council run came back ``optimal`` three councils short). For level ``k`` with
objective ``L_k`` and the levels above at their optima ``v_j``:

1. **LP.** HiGHS' dual simplex maximises ``L_k + Σ_{j<k} w_j L_j`` over the LP
   relaxation, hot-started from the previous level. The multipliers ``w_j`` are small
   integers that only steer the LP towards plans keeping the levels above; no result
   depends on them being large enough. By weak duality the row duals give an upper
   bound ``B`` on that weighted objective over every integer plan; :func:`dual_bound`
   recomputes it from the duals with an explicit rounding allowance, so the proof does
   not rest on the solver's tolerances.
2. **RENS.** If the LP optimum is slightly fractional, the columns it left integral are
   fixed and the rest is solved as a small MIP, for a good plan.
3. **Proof.** Every plan that keeps the levels above scores ``L_k <= B - Σ w_j v_j``
   (an integer after rounding down), so a plan keeping them and reaching that value is
   optimal on level ``k``.
4. **MIP.** Otherwise HiGHS' branch and cut maximises ``L_k`` alone subject to
   ``L_j >= v_j`` for the levels above (integer rows with integer right-hand sides, so
   the fixing is exact), warm-started from the best plan so far. Columns the LP bound
   rules out for every strictly better plan are fixed first (reduced-cost fixing).

A level the deadline cuts short ends the solve: the best plan so far comes back with the
number of levels proven and an upper bound on the first unproven one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from highspy._core import _Highs

from .optimiser_milp import Rows, pass_model, quiet_highs
from .optimiser_problem import Arrays, IntArray

FloatArray = npt.NDArray[np.float64]
Levels = tuple[int, int, int]

LEVELS = 3
"""Councils scheduled, attendees, score."""

_SETTINGS: dict[str, bool | int | float | str] = {
    "threads": 1,
    "random_seed": 0,
    "mip_rel_gap": 0.0,
    "mip_abs_gap": 0.5,  # every level is integral: a gap below 1 is no gap
}
_INTEGRAL = 1e-6
"""An LP value this close to an integer counts as that integer (then checked exactly)."""
NEARLY_INTEGRAL = 0.05
"""At most this share of fractional LP columns: the exact MIP runs without presolve.

On the schedules this engine sees the LP is almost integral; the MIP then mostly proves
the bound, and HiGHS' presolve (probing every binary through the dense level rows) costs
more than the whole search — 50 s against 6 s at 13,000 options. A far-from-integral LP
(random dense instances) means real search, where presolve pays for itself.
"""


@dataclass(frozen=True, slots=True)
class Solved:
    """One component's outcome.

    ``columns`` are the plan's 0/1 values over ``[y..., x...]`` (``None`` if no plan was
    found) and ``values`` its levels (scheduled, attendees, score in milli-points).
    ``proven`` counts the leading levels proven optimal (3: lexicographically optimal).
    ``bounds[k]`` bounds level ``k`` from above over plans that keep the levels above it
    at ``values``; it equals ``values[k]`` for a proven level.
    """

    columns: FloatArray | None
    values: Levels
    bounds: Levels
    proven: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Certificate:
    """An LP optimum and the bound its duals prove: ``cost · x <= bound`` for every plan.

    ``reduced`` are the reduced costs ``cost - Aᵀπ`` and ``slack`` the rounding allowance
    already included in ``bound``; together they drive reduced-cost fixing.
    """

    columns: FloatArray
    bound: float
    reduced: FloatArray
    slack: float


def level_costs(part: Arrays) -> tuple[IntArray, IntArray, IntArray]:
    """The three levels as integer column costs over ``[y..., x...]``."""
    n_opt, n_pair = len(part.option_index), len(part.pair_option)
    scheduled = np.r_[np.ones(n_opt, np.int64), np.zeros(n_pair, np.int64)]
    attendees = np.r_[np.zeros(n_opt, np.int64), np.ones(n_pair, np.int64)]
    score = np.r_[part.option_score, part.pair_score].astype(np.int64)
    return scheduled, attendees, score


def multipliers(part: Arrays) -> tuple[tuple[int, ...], ...]:
    """Per level, the multipliers of the levels above in its LP objective.

    One more council is worth more than the most attendees one council seats, one more
    attendee four times the largest score an attendee carries: rough exchange rates that
    usually make the LP optimum keep the levels above. When they do not, the level is
    settled by the exact MIP instead; they never decide correctness.
    """
    seats = int(part.option_max.max(initial=0)) + 1
    beta = 4 * (int(np.abs(part.pair_score).max(initial=0)) + 1)
    alpha = seats * beta + 4 * (int(np.abs(part.option_score).max(initial=0)) + 1)
    return (), (seats,), (alpha, beta)


def trivial_bounds(part: Arrays) -> Levels:
    """Upper bounds on each level that need no solve: every council at its best option."""
    n_council = int(part.option_council.max(initial=-1)) + 1
    eligible = np.bincount(part.pair_option, minlength=len(part.option_index))
    positive = np.bincount(
        part.pair_option,
        weights=np.maximum(part.pair_score, 0),
        minlength=len(part.option_index),
    ).astype(np.int64)
    seats = np.zeros(n_council, np.int64)
    score = np.zeros(n_council, np.int64)
    np.maximum.at(seats, part.option_council, np.minimum(eligible, part.option_max))
    np.maximum.at(score, part.option_council, part.option_score + positive)
    return len(np.unique(part.option_council)), int(seats.sum()), int(score.sum())


def dual_bound(
    rows: Rows, row_of: IntArray, cost: IntArray, row_dual: FloatArray
) -> tuple[float, FloatArray, float]:
    """An upper bound on ``cost · x`` over every 0/1 ``x`` within ``rows``, from any duals.

    For any multipliers ``π``, ``cost·x = π·Ax + (cost - Aᵀπ)·x``; the first term is at
    most ``Σ π_i·upper_i`` (``π_i > 0``) plus ``Σ π_i·lower_i`` (``π_i < 0``), the second
    at most the sum of the positive reduced costs. Multipliers pointing at an infinite
    side are zeroed, which keeps the bound valid. Float rounding is bounded explicitly
    (no result carries more than ``nnz + 4`` unit roundoffs of the magnitudes summed) and
    added. Returns ``(bound, reduced costs, rounding allowance included in bound)``.
    """
    finite_upper, finite_lower = np.isfinite(rows.upper), np.isfinite(rows.lower)
    usable = ((row_dual > 0) & finite_upper) | ((row_dual < 0) & finite_lower)
    pi = np.where(usable, row_dual, 0.0)
    upper = np.where(finite_upper, rows.upper, 0.0)
    lower = np.where(finite_lower, rows.lower, 0.0)
    row_terms = np.where(pi > 0, pi * upper, pi * lower)
    products = rows.value * pi[row_of]
    costs = cost.astype(np.float64)
    reduced = costs - np.bincount(rows.index, weights=products, minlength=len(cost))
    total = math.fsum(row_terms.tolist()) + math.fsum(np.maximum(reduced, 0.0).tolist())
    depth = int(np.bincount(rows.index, minlength=len(cost)).max(initial=0)) + 4
    magnitude = float(
        np.abs(row_terms).sum() + np.abs(costs).sum() + np.abs(products).sum() + abs(total)
    )
    slack = 2.0 * depth * magnitude * 2.0**-52
    return total + slack, reduced, slack


class _Component:
    """The per-component state: the model, its LP (kept hot across levels), the deadline."""

    def __init__(self, part: Arrays, rows: Rows, deadline: float) -> None:
        self.part = part
        self.rows = rows
        self.deadline = deadline
        self.n_opt = len(part.option_index)
        self.n = self.n_opt + len(part.pair_option)
        self.row_of = np.repeat(
            np.arange(len(rows.lower)), np.diff(np.r_[rows.starts, len(rows.index)])
        ).astype(np.int64)
        self.levels = level_costs(part)
        self.trivial = trivial_bounds(part)
        self.columns = np.arange(self.n, dtype=np.int32)
        self._lp: _Highs | None = None

    def remaining(self) -> float:
        return self.deadline - time.perf_counter()

    def feasible(self, x: IntArray) -> bool:
        """Exactly (integer arithmetic): ``x`` is 0/1 and satisfies every row."""
        if not np.all((x == 0) | (x == 1)):
            return False
        activity = np.bincount(
            self.row_of,
            weights=self.rows.value * x[self.rows.index],
            minlength=len(self.rows.lower),
        )
        return bool(np.all(activity >= self.rows.lower) and np.all(activity <= self.rows.upper))

    def value(self, k: int, x: IntArray) -> int:
        return int(self.levels[k] @ x)

    def keeps(self, x: IntArray, above: Sequence[int]) -> bool:
        return all(self.value(j, x) == v for j, v in enumerate(above))

    def _run(self, h: _Highs) -> bool:
        """Run ``h`` with what is left of the deadline; False if no time was left.

        HiGHS measures ``time_limit`` against an instance's accumulated run time, so a
        reused instance gets its past runs added.
        """
        left = self.remaining()
        if left <= 0:
            return False
        h.setOptionValue("time_limit", h.getRunTime() + left)
        h.run()
        return True

    def lp(self, cost: IntArray) -> Certificate | None:
        """The LP optimum for ``cost`` and its bound; ``None`` if cut short."""
        if self._lp is None:
            self._lp = quiet_highs(_SETTINGS | {"presolve": "off"})
            zeros = np.zeros(self.n)
            pass_model(self._lp, self.rows, zeros, zeros, np.ones(self.n), integer=False)
        h = self._lp
        h.changeColsCost(self.n, self.columns, cost.astype(np.float64))
        if not self._run(h) or h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        solution = h.getSolution()
        if not solution.dual_valid:
            return None
        duals = np.asarray(solution.row_dual, dtype=np.float64)
        bound, reduced, slack = dual_bound(self.rows, self.row_of, cost, duals)
        return Certificate(np.asarray(solution.col_value, dtype=np.float64), bound, reduced, slack)

    def mip(
        self,
        cost: IntArray,
        lower: FloatArray,
        upper: FloatArray,
        floors: Sequence[tuple[IntArray, int]],
        start: IntArray | None,
        *,
        presolve: bool,
    ) -> tuple[highspy.HighsModelStatus, IntArray | None, float]:
        """Maximise ``cost`` over the integer model with column bounds and ``floors``
        (rows ``levels · x >= value``); returns status, the plan (or None), dual bound."""
        h = quiet_highs(_SETTINGS | {"presolve": "on" if presolve else "off"})
        pass_model(h, self.rows, cost.astype(np.float64), lower, upper, integer=True)
        for level, floor in floors:
            cols = np.flatnonzero(level).astype(np.int32)
            h.addRow(
                float(floor), highspy.kHighsInf, len(cols), cols, level[cols].astype(np.float64)
            )
        if start is not None:
            warm = highspy.HighsSolution()
            warm.col_value = start.astype(np.float64)
            warm.value_valid = True
            h.setSolution(warm)
        if not self._run(h):
            return highspy.HighsModelStatus.kTimeLimit, None, math.inf
        info = h.getInfo()
        found = None
        if info.primal_solution_status == highspy.SolutionStatus.kSolutionStatusFeasible:
            found = np.rint(np.asarray(h.getSolution().col_value)).astype(np.int64)
        return h.getModelStatus(), found, float(info.mip_dual_bound)


@dataclass(frozen=True, slots=True)
class _Level:
    columns: IntArray
    bound: int
    proven: bool


def _solve_level(
    comp: _Component, k: int, above: Sequence[int], weights: Sequence[int], best: IntArray
) -> _Level:
    """Level ``k`` with the levels above fixed at ``above``; ``best`` keeps them already."""
    cost = comp.levels[k] + sum(
        (w * comp.levels[j] for j, w in enumerate(weights)), np.zeros(comp.n, np.int64)
    )
    offset = sum(w * v for w, v in zip(weights, above, strict=True))
    bound = comp.trivial[k]

    def consider(candidate: IntArray | None) -> None:
        nonlocal best
        if (
            candidate is not None
            and comp.feasible(candidate)
            and comp.keeps(candidate, above)
            and comp.value(k, candidate) > comp.value(k, best)
        ):
            best = candidate

    certificate = comp.lp(cost)
    if certificate is None:
        return _Level(best, bound, False)
    bound = min(bound, math.floor(certificate.bound) - offset)
    x = certificate.columns
    rounded = np.rint(x).astype(np.int64)
    integral = np.abs(x - rounded) <= _INTEGRAL
    nearly = np.mean(~integral) <= NEARLY_INTEGRAL
    if integral.all():
        consider(rounded)
    elif comp.value(k, best) < bound:
        # RENS: the LP's integral columns fixed, the fractional rest solved as a MIP.
        lower = np.where(integral, rounded, 0).astype(np.float64)
        upper = np.where(integral, rounded, 1).astype(np.float64)
        _, found, _ = comp.mip(cost, lower, upper, (), None, presolve=True)
        consider(found)
    if comp.value(k, best) >= bound:
        return _Level(best, comp.value(k, best), True)

    # Exact MIP on level k alone, the levels above held by integer rows. A strictly better
    # plan has weighted value >= incumbent + 1, so every column whose reduced cost alone
    # would cost more than the remaining room keeps its LP-optimal bound.
    room = certificate.bound + certificate.slack - (comp.value(k, best) + offset) - 1
    pinned = np.abs(certificate.reduced) > room
    at = (certificate.reduced > 0).astype(np.float64)
    lower = np.where(pinned, at, 0.0)
    upper = np.where(pinned, at, 1.0)
    floors = [(comp.levels[j], v) for j, v in enumerate(above)]
    incumbent = comp.value(k, best)
    status, found, dual = comp.mip(comp.levels[k], lower, upper, floors, best, presolve=not nearly)
    consider(found)
    # Optimal over the pinned model, which holds every strictly better plan: either the
    # incumbent was optimal or the plan found is (if it survived the exact checks).
    settled = status == highspy.HighsModelStatus.kInfeasible
    if status == highspy.HighsModelStatus.kOptimal and found is not None:
        settled = best is found or comp.value(k, found) <= incumbent
    if settled:
        return _Level(best, comp.value(k, best), True)
    if math.isfinite(dual):
        bound = min(bound, max(comp.value(k, best), math.floor(dual + 1e-6 * max(1.0, abs(dual)))))
    return _Level(best, max(bound, comp.value(k, best) + 1), False)


def solve_component(part: Arrays, rows: Rows, start: FloatArray, deadline: float) -> Solved:
    """Solve one component lexicographically by ``deadline`` (a ``perf_counter`` time).

    ``start`` (the greedy plan) is the first incumbent: the result never falls below it
    on the first level, and the caller keeps whichever of the two is better overall.
    """
    began = time.perf_counter()
    comp = _Component(part, rows, deadline)
    best = np.rint(start).astype(np.int64)
    if not comp.feasible(best):
        best = np.zeros(comp.n, np.int64)
    bounds = list(comp.trivial)
    above: list[int] = []
    for k, weights in enumerate(multipliers(part)):
        level = _solve_level(comp, k, above, weights, best)
        best, bounds[k] = level.columns, level.bound
        if not level.proven:
            break
        above.append(comp.value(k, best))
    values = (comp.value(0, best), comp.value(1, best), comp.value(2, best))
    return Solved(
        best.astype(np.float64),
        values,
        (bounds[0], bounds[1], bounds[2]),
        len(above),
        time.perf_counter() - began,
    )
