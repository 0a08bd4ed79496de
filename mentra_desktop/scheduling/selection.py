"""Choose one council's slot: feasibility, ranking, early confirmation, alternatives.

The rules (defaults in :class:`~mentra_desktop.scheduling.model.Weights`):

1. **Feasible**: at least ``mentor_minimum`` mentors can attend fully (see
   :mod:`~mentra_desktop.scheduling.attendance`). Tentative and partial answers add to
   the score, never to feasibility. Pending answers count as unavailable for the
   decision itself.
2. **Attendees**: every mentor who can attend fully, capped at ``mentor_maximum``
   keeping the lead, then the highest mentor weight (then the higher attend score,
   then mentor id).
3. **Ranking** (best first): feasible; the lead attends; more attendees; higher score
   (``base_score + Σ attendees' attend_score``: answer values + priority × weight −
   outside-hours penalty of attendees); earlier start; smaller slot id.
4. **Early confirmation**: before the deadline, with answers pending, the best slot is
   ``confirmed`` only if it ranks ahead of every other slot however the pending answers
   turn out: its worst case (pending = unavailable) must beat every other slot's best
   case (pending = available). When the attendee cap binds, "worst" and "best" are
   taken over every subset of pending mentors saying yes, so the guarantee also holds
   when a newcomer would displace an attendee. Otherwise ``waiting``. At or after the
   deadline pending means unavailable and the best feasible slot is confirmed.
5. **Needs alternatives**: no feasible slot at the deadline, or — earlier — no slot
   could become feasible even if every pending mentor said yes. The decision then
   carries up to five alternatives from :mod:`~mentra_desktop.scheduling.alternatives`.

:func:`select` is pure and deterministic: mentor input order never matters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import combinations
from typing import NamedTuple

from mentra_desktop.scheduling.alternatives import Alternative, propose_alternatives
from mentra_desktop.scheduling.attendance import CouncilEvaluation, SlotEvaluation, evaluate
from mentra_desktop.scheduling.explanation import Explanation, RowData, SlotRow, explain
from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS, SelectionRequest, Weights


class Status(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    NEEDS_ALTERNATIVES = "needs_alternatives"


class RankedSlot(NamedTuple):
    """One slot's outcome with pending answers taken as unavailable."""

    slot_id: str
    start: datetime
    feasible: bool
    lead_attends: bool
    attendees: tuple[str, ...]
    score: float


RankedRow = tuple[str, datetime, bool, bool, tuple[str, ...], float]
"""A :class:`RankedSlot` as a plain tuple (same fields, same order)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one council now.

    ``slot``/``start``/``mentors`` name the confirmed slot, or while ``waiting`` the
    current front-runner if it is feasible (``None``/empty otherwise).
    ``lead_included`` is true when a lead is designated and attends that slot.
    ``ranking`` lists every slot, best first; ``explanation`` holds the per-slot
    table and ``reason``, the paragraph for the coordinator.

    The ranking and the table are stored as plain tuples (``ranking_rows``,
    ``table_rows``: the fields of :class:`RankedSlot` / :class:`SlotRow` in order)
    and wrapped in those named tuples on each read of ``ranking`` / ``explanation``.
    Named-tuple instances stay under the garbage collector's watch for as long as
    they live, plain tuples of strings and numbers do not, so a process holding many
    decisions (a batch, the platform's sweep) pays for one tracked object each.
    """

    status: Status
    slot: str | None
    start: datetime | None
    mentors: tuple[str, ...]
    lead_included: bool
    ranking_rows: tuple[RankedRow, ...]
    alternatives: tuple[Alternative, ...]
    reason: str
    table_rows: tuple[RowData, ...]

    @property
    def ranking(self) -> tuple[RankedSlot, ...]:
        return tuple(map(RankedSlot._make, self.ranking_rows))

    @property
    def explanation(self) -> Explanation:
        return Explanation(tuple(map(SlotRow._make, self.table_rows)), self.reason)


SortKey = tuple[bool, bool, int, float, datetime, str]


def sort_key(ranked: RankedRow) -> SortKey:
    """Ascending key: the smaller key ranks first (``ranked`` may be a :class:`RankedSlot`)."""
    slot_id, start, feasible, lead_attends, attendees, score = ranked
    return (not feasible, not lead_attends, -len(attendees), -score, start, slot_id)


def choose_attendees(
    ev: CouncilEvaluation, candidates: list[tuple[str, float]]
) -> list[tuple[str, float]]:
    """Cap ``(mentor id, attend score)`` candidates at the maximum: lead, weight, score, id."""
    maximum = ev.request.council.mentor_maximum
    if len(candidates) <= maximum:
        return candidates
    lead, weight = ev.lead, ev.mentor_weights
    ordered = sorted(candidates, key=lambda c: (c[0] != lead, -weight[c[0]], -c[1], c[0]))
    return sorted(ordered[:maximum])


def outcome_row(
    ev: CouncilEvaluation, se: SlotEvaluation, yes: tuple[str, ...] = (), others: float = 0.0
) -> RankedRow:
    """The slot's outcome if the pending mentors in ``yes`` accept and every other
    pending mentor adds ``others`` to the score (0 = unavailable)."""
    council = ev.request.council
    full = se.full
    if not yes and len(full) <= council.mentor_maximum:
        ids = full  # already in id order; nobody to cap
        score = se.base_score + others + sum(se.full_scores)
    else:
        candidates = list(zip(full, se.full_scores, strict=True))
        if yes:
            candidates.extend((c.mentor_id, c.attend_score) for c in se.cells if c.mentor_id in yes)
            candidates.sort()
        attendees = choose_attendees(ev, candidates)
        score = se.base_score + others + sum([score for _, score in attendees])
        ids = tuple([m for m, _ in attendees])
    lead = ev.lead
    return (
        se.slot.id,
        se.start,
        len(full) + len(yes) >= council.mentor_minimum,
        lead is not None and lead in ids,
        ids,
        score,
    )


def outcome(
    ev: CouncilEvaluation, se: SlotEvaluation, yes: tuple[str, ...] = (), others: float = 0.0
) -> RankedSlot:
    """:func:`outcome_row` as a :class:`RankedSlot`."""
    return RankedSlot._make(outcome_row(ev, se, yes, others))


def _bound(
    ev: CouncilEvaluation, se: SlotEvaluation, *, worst: bool, plain: SortKey | None = None
) -> SortKey:
    """The worst (or best) sort key of a slot over every way its pending answers resolve.

    A pending mentor either accepts (joins the candidates) or not; one who does not
    accept adds nothing in the worst case and at most ``weight × max(tentative,
    partial)`` in the best case. While the cap cannot bind, more acceptances always
    mean more attendees, so the extremes are "nobody" and "everybody". ``plain`` is
    the slot's key with every pending answer taken as unavailable, if already known:
    that is the worst case, and also the best one when nothing is pending.
    """
    pending = se.pending
    if len(se.full) + len(pending) <= ev.request.council.mentor_maximum:
        if plain is not None and (worst or not pending):
            return plain
        return sort_key(outcome_row(ev, se, () if worst else pending))
    spare = max(ev.weights.tentative, ev.weights.partial)

    def key(yes: tuple[str, ...]) -> SortKey:
        extra = 0.0 if worst else sum(ev.mentor_weights[m] * spare for m in pending if m not in yes)
        return sort_key(outcome_row(ev, se, yes, extra))

    keys = [key(yes) for size in range(len(pending) + 1) for yes in combinations(pending, size)]
    return max(keys) if worst else min(keys)


def can_confirm_early(ev: CouncilEvaluation, best: SlotEvaluation) -> bool:
    """True when ``best`` ranks first whatever the pending answers turn out to be."""
    keys = [sort_key(outcome_row(ev, se)) for se in ev.slots]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return _confirms_early(ev, best, [ev.slots[i] for i in order], keys)


def _confirms_early(
    ev: CouncilEvaluation,
    best: SlotEvaluation,
    ranked_slots: Sequence[SlotEvaluation],
    plain: Sequence[SortKey],
) -> bool:
    """:func:`can_confirm_early` given every slot's key by position with pending taken
    as unavailable (``plain``); rivals are tried best first, so a runner-up that
    could still overtake ends the check at once."""
    worst = _bound(ev, best, worst=True, plain=plain[best.position])
    return all(
        worst < _bound(ev, se, worst=False, plain=plain[se.position])
        for se in ranked_slots
        if se is not best
    )


def select(request: SelectionRequest, weights: Weights = DEFAULT_WEIGHTS) -> Decision:
    """Decide one council (pure; see the module docstring for the rules)."""
    ev = evaluate(request, weights)
    slots = ev.slots
    outcomes = [outcome_row(ev, se) for se in slots]
    keys = [sort_key(row) for row in outcomes]
    order = sorted(range(len(slots)), key=keys.__getitem__)
    ranking = tuple(outcomes[i] for i in order)
    ranked_slots = [slots[i] for i in order]
    best = ranking[0]
    feasible = best[2]
    open_answers = request.now < request.deadline and any(se.pending for se in slots)
    minimum = request.council.mentor_minimum
    early = False
    if not open_answers:
        status = Status.CONFIRMED if feasible else Status.NEEDS_ALTERNATIVES
    elif feasible and _confirms_early(ev, ranked_slots[0], ranked_slots, keys):
        status, early = Status.CONFIRMED, True
    elif all(len(se.full) + len(se.pending) < minimum for se in slots):
        status = Status.NEEDS_ALTERNATIVES
    else:
        status = Status.WAITING
    chosen = feasible and status is not Status.NEEDS_ALTERNATIVES
    alternatives = propose_alternatives(request, ev) if status is Status.NEEDS_ALTERNATIVES else ()
    table, reason = explain(ev, ranking, ranked_slots, status.value, chosen, early, alternatives)
    return Decision(
        status,
        best[0] if chosen else None,
        best[1] if chosen else None,
        best[4] if chosen else (),
        best[3] if chosen else False,
        ranking,
        alternatives,
        reason,
        table,
    )


def select_many(
    requests: Iterable[SelectionRequest], weights: Weights = DEFAULT_WEIGHTS
) -> list[Decision]:
    """Decide many independent councils, in input order (same as :func:`select` each).

    Each council is decided on its own; for councils that share mentors and must
    not double-book them, use the cross-council optimiser instead.
    """
    return [select(request, weights) for request in requests]
