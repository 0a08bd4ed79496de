"""The optimiser's integer programme, built with numpy for HiGHS (highspy).

Variables: ``y[o]`` — option ``o`` (a council's slot) is chosen; ``x[p]`` — the mentor
of pair ``p`` attends its option. Constraints, all built as sparse rows at once:

* each council: ``sum y[o] <= 1``;
* each option: ``min * y[o] <= sum x[p] <= max * y[o]`` and ``x[p] <= y[o]``;
* each mentor, each maximal clique of pairwise-overlapping intervals of that mentor
  (found by a sweep over starts): ``sum x[p] <= 1``. Cliques instead of pairwise
  conflicts keep the LP relaxation tight and the row count linear.

Confirmed sessions never reach the model: :func:`~.optimiser_problem.flatten` removes
the pairs they block. :mod:`.optimiser_levels` solves it level by level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
from highspy._core import _Highs

from .optimiser_problem import Arrays, IntArray

_SPAN = 1 << 40


@dataclass(frozen=True, slots=True)
class Rows:
    """Constraint rows in CSR form over columns ``[y..., x...]``."""

    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    starts: IntArray
    index: IntArray
    value: npt.NDArray[np.float64]


def overlap_cliques(arrays: Arrays) -> tuple[IntArray, IntArray]:
    """Maximal cliques (size >= 2) of each mentor's overlapping intervals, as CSR.

    Returns ``(starts, pairs)``: clique ``k`` holds pairs ``pairs[starts[k]:starts[k+1]]``.
    For intervals sorted by start, the clique alive at a start instant is maximal exactly
    when some member ends before the next start of the same mentor, so one vectorised
    pass over a window of at most the longest duration finds them all.
    """
    start = arrays.option_start[arrays.pair_option]
    end = arrays.option_end[arrays.pair_option]
    mentor = arrays.pair_mentor
    order = np.lexsort((end, start, mentor))
    start, end, mentor = start[order], end[order], mentor[order]
    n = len(order)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    key = mentor * _SPAN + start
    longest = int((end - start).max())
    hi = np.searchsorted(key, key, side="right") - 1
    anchors = np.flatnonzero(hi == np.arange(n))  # the last interval of each start instant
    lo = np.searchsorted(key, key[anchors] - longest, side="right")
    width = anchors - lo + 1
    owner = np.repeat(np.arange(len(anchors)), width)
    member = (
        np.repeat(lo, width)
        + np.arange(int(width.sum()))
        - np.repeat(np.cumsum(width) - width, width)
    )
    alive = end[member] > start[anchors[owner]]
    owner, member = owner[alive], member[alive]
    size = np.bincount(owner, minlength=len(anchors))
    first = np.cumsum(size) - size
    min_end = np.minimum.reduceat(end[member], first) if len(member) else np.zeros(0, np.int64)
    nxt = anchors + 1
    has_next = nxt < n
    nxt = np.where(has_next, nxt, 0)
    same_mentor = has_next & (mentor[nxt] == mentor[anchors])
    maximal = ~same_mentor | (min_end <= start[nxt])
    keep = maximal & (size >= 2)
    member_keep = keep[owner]
    kept_sizes = size[keep]
    starts = np.r_[0, np.cumsum(kept_sizes)].astype(np.int64)
    return starts, order[member[member_keep]].astype(np.int64)


def build_rows(arrays: Arrays) -> Rows:
    """All constraint rows of the model, vectorised."""
    n_opt = len(arrays.option_index)
    n_pair = len(arrays.pair_option)
    pair_col = n_opt + np.arange(n_pair, dtype=np.int64)
    # Councils: sum y <= 1 (options are grouped by council already, ascending).
    council_rows = np.unique(arrays.option_council, return_inverse=True)[1]
    n_council = int(council_rows.max()) + 1 if n_opt else 0
    eligible = np.bincount(arrays.pair_option, minlength=n_opt)
    pair_order = np.argsort(arrays.pair_option, kind="stable")
    # Option rows: sum x - max y <= 0 (only where it can bind) and sum x - min y >= 0.
    needs_max = np.flatnonzero(eligible > arrays.option_max)
    clique_starts, clique_pairs = overlap_cliques(arrays)
    n_clique = len(clique_starts) - 1

    blocks: list[tuple[IntArray, IntArray, npt.NDArray[np.float64]]] = []
    lowers: list[npt.NDArray[np.float64]] = []
    uppers: list[npt.NDArray[np.float64]] = []
    row = 0

    def add(
        rows: IntArray,
        cols: IntArray,
        vals: npt.NDArray[np.float64],
        lo: Sequence[float] | npt.NDArray[np.float64],
        up: Sequence[float] | npt.NDArray[np.float64],
        count: int,
    ) -> None:
        nonlocal row
        blocks.append((rows + row, cols, vals))
        lowers.append(np.asarray(lo, dtype=np.float64))
        uppers.append(np.asarray(up, dtype=np.float64))
        row += count

    inf = highspy.kHighsInf
    add(
        council_rows,
        np.arange(n_opt),
        np.ones(n_opt),
        np.full(n_council, -inf),
        np.ones(n_council),
        n_council,
    )
    # minimum rows, one per option
    add(
        np.r_[np.arange(n_opt), arrays.pair_option[pair_order]],
        np.r_[np.arange(n_opt), pair_col[pair_order]],
        np.r_[-arrays.option_min.astype(np.float64), np.ones(n_pair)],
        np.zeros(n_opt),
        np.full(n_opt, inf),
        n_opt,
    )
    # maximum rows where the eligible count exceeds the maximum
    remap = np.full(n_opt, -1, dtype=np.int64)
    remap[needs_max] = np.arange(len(needs_max))
    in_max = remap[arrays.pair_option] >= 0
    add(
        np.r_[np.arange(len(needs_max)), remap[arrays.pair_option[in_max]]],
        np.r_[needs_max, pair_col[in_max]],
        np.r_[-arrays.option_max[needs_max].astype(np.float64), np.ones(int(in_max.sum()))],
        np.full(len(needs_max), -inf),
        np.zeros(len(needs_max)),
        len(needs_max),
    )
    # x <= y
    pr = np.arange(n_pair, dtype=np.int64)
    add(
        np.r_[pr, pr],
        np.r_[pair_col, arrays.pair_option],
        np.r_[np.ones(n_pair), -np.ones(n_pair)],
        np.full(n_pair, -inf),
        np.zeros(n_pair),
        n_pair,
    )
    # cliques
    clique_of = np.repeat(np.arange(n_clique), np.diff(clique_starts))
    add(
        clique_of,
        pair_col[clique_pairs],
        np.ones(len(clique_pairs)),
        np.full(n_clique, -inf),
        np.ones(n_clique),
        n_clique,
    )

    r = np.concatenate([b[0] for b in blocks])
    c = np.concatenate([b[1] for b in blocks])
    v = np.concatenate([b[2] for b in blocks])
    order = np.lexsort((c, r))
    starts = np.searchsorted(r[order], np.arange(row), side="left").astype(np.int64)
    return Rows(
        np.concatenate(lowers), np.concatenate(uppers), starts, c[order].astype(np.int64), v[order]
    )


def subset(arrays: Arrays, keep: npt.NDArray[np.bool_]) -> Arrays:
    """The options selected by ``keep`` and their pairs, renumbered densely."""
    renumber = np.cumsum(keep) - 1
    pair_keep = keep[arrays.pair_option]
    return Arrays(
        option_index=arrays.option_index[keep],
        option_council=arrays.option_council[keep],
        option_start=arrays.option_start[keep],
        option_end=arrays.option_end[keep],
        option_score=arrays.option_score[keep],
        option_min=arrays.option_min[keep],
        option_max=arrays.option_max[keep],
        pair_option=renumber[arrays.pair_option[pair_keep]],
        pair_mentor=arrays.pair_mentor[pair_keep],
        pair_score=arrays.pair_score[pair_keep],
    )


def components(arrays: Arrays, cliques: tuple[IntArray, IntArray]) -> IntArray:
    """Label each option with its independent component.

    Two options are linked when they belong to the same council or a mentor could attend
    both and their intervals overlap (they share a clique). Min-label propagation with
    pointer jumping: a few vectorised sweeps instead of a per-edge union-find.
    """
    n_opt = len(arrays.option_index)
    starts, pairs = cliques
    owner = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    head = arrays.pair_option[pairs[starts[:-1]]] if len(pairs) else np.zeros(0, np.int64)
    council_first = np.unique(arrays.option_council, return_index=True)[1]
    council_of = np.unique(arrays.option_council, return_inverse=True)[1]
    u = np.r_[arrays.pair_option[pairs], np.arange(n_opt)]
    v = np.r_[head[owner], council_first[council_of]]
    label = np.arange(n_opt, dtype=np.int64)
    while True:
        before = label.copy()
        np.minimum.at(label, u, label[v])
        np.minimum.at(label, v, label[u])
        label = label[label]
        if np.array_equal(label, before):
            return label


def quiet_highs(options: dict[str, bool | int | float | str]) -> _Highs:
    """A HiGHS instance that never writes to the process's stdout or stderr.

    HiGHS logs its banner at the first call made with ``output_flag`` still on, and
    ``highspy.Highs()`` makes such a call in its constructor (it installs its Python
    callback hook), before any option can be set. The compiled base class is the same
    solver without that hook, so here the logging options are the very first calls:
    the solver stays silent through its own options, and no file descriptor is touched
    (redirecting fd 1 would swallow every other thread's output in a server).
    """
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("log_file", "")
    for name, value in options.items():
        h.setOptionValue(name, value)
    return h


def pass_model(
    h: _Highs,
    rows: Rows,
    cost: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    *,
    integer: bool,
) -> None:
    """Load the model ``rows`` (columns ``[y..., x...]``) into ``h``, maximising ``cost``."""
    n = len(cost)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(rows.lower)
    lp.col_cost_ = cost
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    lp.row_lower_ = rows.lower
    lp.row_upper_ = rows.upper
    lp.sense_ = highspy.ObjSense.kMaximize
    matrix = lp.a_matrix_
    matrix.format_ = highspy.MatrixFormat.kRowwise
    matrix.num_col_ = n
    matrix.num_row_ = len(rows.lower)
    matrix.start_ = np.r_[rows.starts, len(rows.index)].astype(np.int32)
    matrix.index_ = rows.index.astype(np.int32)
    matrix.value_ = rows.value
    lp.a_matrix_ = matrix
    if integer:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h.passModel(lp)
