"""The cross-council optimiser's solver-neutral problem, its plan checker and the greedy baseline.

The optimiser works on plain integers, not on the engine's dataclasses: each council
becomes a list of :class:`Option` (one per proposed slot) naming the mentors who can
attend that slot fully and their integer score contributions. Keeping this layer free
of datetimes and answers lets the solver, the checker and the greedy baseline agree on
one exact, integer objective, and lets tests build instances by hand.

Scores are integers in *milli-points* (see :data:`SCORE_SCALE`) so that the
lexicographic objective is exact: no float rounding can swap two plans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

SCORE_SCALE = 1000
"""Scores are compared in thousandths of a point."""

IntArray = npt.NDArray[np.int64]
_SPAN = 1 << 40


@dataclass(frozen=True, slots=True)
class Option:
    """One proposed slot of one council: who can attend it fully and what each adds.

    ``start``/``end`` are integer instants, half-open, on any order-preserving scale
    shared by the whole problem (:func:`.optimiser.build_problem` uses each instant's
    rank among all the batch's instants, exact to the microsecond).
    ``mentors`` are indices into :attr:`Problem.mentor_ids`; ``mentor_scores`` are their
    milli-point contributions when attending; ``base_score`` is added once when the
    slot is chosen (its priority and anything else per slot).
    """

    council: int
    slot_id: str
    start: int
    end: int
    base_score: int
    mentors: tuple[int, ...]
    mentor_scores: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Problem:
    """A batch of councils competing for shared mentors.

    ``leads[c]`` is the lead mentor's index or -1; a council whose lead attends earns
    ``lead_bonus`` milli-points on the score level, mirroring the single-council rule
    that favours the lead. ``order[c]`` is the greedy baseline's order key (deadline).
    ``confirmed`` are already-confirmed sessions ``(mentor, start, end)``: a mentor busy
    in one cannot attend an overlapping slot.
    """

    council_ids: tuple[str, ...]
    minimum: tuple[int, ...]
    maximum: tuple[int, ...]
    leads: tuple[int, ...]
    order: tuple[int, ...]
    mentor_ids: tuple[str, ...]
    options: tuple[Option, ...]
    confirmed: tuple[tuple[int, int, int], ...] = ()
    lead_bonus: int = 10 * SCORE_SCALE


class Arrays(NamedTuple):
    """The problem flattened for model building; only usable options and pairs remain.

    Options ``o`` (a council's slot) and pairs ``p`` (a mentor who can attend option
    ``o``) are numbered densely; ``option_index`` maps back to ``Problem.options``.
    ``pair_score`` already includes the lead bonus.
    """

    option_index: IntArray
    option_council: IntArray
    option_start: IntArray
    option_end: IntArray
    option_score: IntArray
    option_min: IntArray
    option_max: IntArray
    pair_option: IntArray
    pair_mentor: IntArray
    pair_score: IntArray


class Objective(NamedTuple):
    """The lexicographic objective: councils scheduled, then attendees, then score."""

    scheduled: int
    attendees: int
    score: int


Plan = tuple[tuple[int, tuple[int, ...]], ...]
"""A plan: ``(option index into Problem.options, attending mentor indices)`` per council."""


def _confirmed_clash(
    problem: Problem, mentor: IntArray, start: IntArray, end: IntArray
) -> npt.NDArray[np.bool_]:
    """Boolean mask: the mentor has a confirmed session overlapping ``[start, end)``."""
    if not problem.confirmed:
        return np.zeros(mentor.shape, dtype=bool)
    busy = np.array(problem.confirmed, dtype=np.int64).reshape(-1, 3)
    busy = busy[np.lexsort((busy[:, 1], busy[:, 0]))]
    # Sorted by (mentor, start), the running maximum end per mentor tells whether any
    # range starting before ``end`` reaches past ``start``; offsetting by mentor keeps
    # one accumulate from leaking across mentors.
    offset = busy[:, 0] * _SPAN
    run_end = np.maximum.accumulate(offset + busy[:, 2]) - offset
    last = np.searchsorted(offset + busy[:, 1], mentor * _SPAN + end, side="left") - 1
    found = last >= 0
    last = np.where(found, last, 0)
    clash: npt.NDArray[np.bool_] = found & (busy[last, 0] == mentor) & (run_end[last] > start)
    return clash


def flatten(problem: Problem) -> Arrays:
    """Flatten ``problem`` into arrays, dropping unusable pairs and options.

    A pair clashing with a confirmed session is dropped; an option left with fewer
    attendable mentors than its council's minimum can never be scheduled and is dropped.
    """
    opts = problem.options
    n_opt = len(opts)
    counts = np.fromiter((len(o.mentors) for o in opts), dtype=np.int64, count=n_opt)
    pair_option = np.repeat(np.arange(n_opt, dtype=np.int64), counts)
    pair_mentor = np.fromiter(
        (m for o in opts for m in o.mentors), dtype=np.int64, count=int(counts.sum())
    )
    pair_score = np.fromiter(
        (s for o in opts for s in o.mentor_scores), dtype=np.int64, count=int(counts.sum())
    )
    council = np.fromiter((o.council for o in opts), dtype=np.int64, count=n_opt)
    start = np.fromiter((o.start for o in opts), dtype=np.int64, count=n_opt)
    end = np.fromiter((o.end for o in opts), dtype=np.int64, count=n_opt)
    base = np.fromiter((o.base_score for o in opts), dtype=np.int64, count=n_opt)
    minimum = np.asarray(problem.minimum, dtype=np.int64)[council]
    maximum = np.asarray(problem.maximum, dtype=np.int64)[council]
    leads = np.asarray(problem.leads, dtype=np.int64)[council]

    keep_pair = ~_confirmed_clash(problem, pair_mentor, start[pair_option], end[pair_option])
    usable = np.bincount(pair_option[keep_pair], minlength=n_opt) >= minimum
    keep_pair &= usable[pair_option]
    new_index = np.cumsum(usable) - 1
    is_lead = pair_mentor == leads[pair_option]
    return Arrays(
        option_index=np.flatnonzero(usable),
        option_council=council[usable],
        option_start=start[usable],
        option_end=end[usable],
        option_score=base[usable],
        option_min=minimum[usable],
        option_max=maximum[usable],
        pair_option=new_index[pair_option[keep_pair]],
        pair_mentor=pair_mentor[keep_pair],
        pair_score=(pair_score + problem.lead_bonus * is_lead)[keep_pair],
    )


def objective(problem: Problem, plan: Plan) -> Objective:
    """The plan's exact objective (lead bonus included in the score)."""
    attendees = score = 0
    for option_index, mentors in plan:
        option = problem.options[option_index]
        contribution = dict(zip(option.mentors, option.mentor_scores, strict=True))
        lead = problem.leads[option.council]
        attendees += len(mentors)
        score += option.base_score + sum(contribution[m] for m in mentors)
        score += problem.lead_bonus if lead in mentors else 0
    return Objective(len(plan), attendees, score)


def check_plan(problem: Problem, plan: Plan) -> list[str]:
    """Every rule the plan breaks, as readable lines; empty means the plan is valid.

    Deliberately independent of the model: plain loops over the original options, so a
    modelling or solver mistake cannot hide here.
    """
    errors: list[str] = []
    seen: set[int] = set()
    busy: dict[int, list[tuple[int, int]]] = {}
    for mentor, start, end in problem.confirmed:
        busy.setdefault(mentor, []).append((start, end))
    sessions: dict[int, list[tuple[int, int, str]]] = {}
    for option_index, mentors in plan:
        option = problem.options[option_index]
        cid = problem.council_ids[option.council]
        if option.council in seen:
            errors.append(f"council {cid} is scheduled twice")
        seen.add(option.council)
        if len(set(mentors)) != len(mentors):
            errors.append(f"council {cid} lists a mentor twice")
        low, high = problem.minimum[option.council], problem.maximum[option.council]
        if not low <= len(mentors) <= high:
            errors.append(f"council {cid} has {len(mentors)} mentors, needs {low}..{high}")
        for mentor in mentors:
            if mentor not in option.mentors:
                errors.append(f"council {cid}: mentor {mentor} cannot attend {option.slot_id}")
            if any(s < option.end and option.start < e for s, e in busy.get(mentor, [])):
                name = problem.mentor_ids[mentor]
                errors.append(
                    f"mentor {name} is double-booked: council {cid} and a confirmed session"
                )
            sessions.setdefault(mentor, []).append((option.start, option.end, f"council {cid}"))
    for mentor, spans in sessions.items():
        for i, (start_a, end_a, what_a) in enumerate(spans):
            for start_b, end_b, what_b in spans[i + 1 :]:
                if start_b < end_a and start_a < end_b:
                    name = problem.mentor_ids[mentor]
                    errors.append(f"mentor {name} is double-booked: {what_a} and {what_b}")
    return errors


def _best_attendees(
    problem: Problem, option: Option, free: Sequence[int], scores: dict[int, int]
) -> tuple[int, ...]:
    """The single-council attendee rule: the lead first, then the highest-weighted."""
    lead = problem.leads[option.council]
    ranked = sorted(free, key=lambda m: (m != lead, -scores[m], m))
    return tuple(ranked[: problem.maximum[option.council]])


def greedy(problem: Problem) -> Plan:
    """One council at a time, by ``order`` (deadline) then id: take its best free slot.

    Each council's options are ranked by the single-council ordering — lead attends,
    more attendees, higher score, earlier start, slot id — over the mentors still free
    (not in a confirmed session nor in a council already placed). The baseline the
    solver must beat, and its fallback when it finds nothing within the time limit.
    """
    by_council: dict[int, list[int]] = {}
    for index, option in enumerate(problem.options):
        by_council.setdefault(option.council, []).append(index)
    taken: dict[int, list[tuple[int, int]]] = {}
    for mentor, start, end in problem.confirmed:
        taken.setdefault(mentor, []).append((start, end))
    plan: list[tuple[int, tuple[int, ...]]] = []
    councils = sorted(range(len(problem.council_ids)), key=lambda c: (problem.order[c], c))
    for council in councils:
        best: tuple[tuple[int, int, int, int, str], int, tuple[int, ...]] | None = None
        for index in by_council.get(council, []):
            option = problem.options[index]
            scores = dict(zip(option.mentors, option.mentor_scores, strict=True))
            free = [
                m
                for m in option.mentors
                if all(e <= option.start or option.end <= s for s, e in taken.get(m, []))
            ]
            if len(free) < problem.minimum[council]:
                continue
            chosen = _best_attendees(problem, option, free, scores)
            lead_in = problem.leads[council] in chosen
            score = option.base_score + sum(scores[m] for m in chosen)
            key = (-int(lead_in), -len(chosen), -score, option.start, option.slot_id)
            if best is None or key < best[0]:
                best = (key, index, chosen)
        if best is not None:
            _, index, chosen = best
            option = problem.options[index]
            for mentor in chosen:
                taken.setdefault(mentor, []).append((option.start, option.end))
            plan.append((index, chosen))
    return tuple(plan)
