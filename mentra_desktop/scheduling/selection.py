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

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from itertools import combinations
from typing import NamedTuple

from mentra_desktop.scheduling.alternatives import Alternative, propose_alternatives
from mentra_desktop.scheduling.attendance import CouncilEvaluation, SlotEvaluation, evaluate
from mentra_desktop.scheduling.explanation import Explanation, explain
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


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one council now.

    ``slot``/``start``/``mentors`` name the confirmed slot, or while ``waiting`` the
    current front-runner if it is feasible (``None``/empty otherwise).
    ``lead_included`` is true when a lead is designated and attends that slot.
    ``ranking`` lists every slot, best first.
    """

    status: Status
    slot: str | None
    start: datetime | None
    mentors: tuple[str, ...]
    lead_included: bool
    ranking: tuple[RankedSlot, ...]
    alternatives: tuple[Alternative, ...]
    explanation: Explanation


SortKey = tuple[bool, bool, int, float, datetime, str]


def sort_key(ranked: RankedSlot) -> SortKey:
    """Ascending key: the smaller key ranks first."""
    return (
        not ranked.feasible,
        not ranked.lead_attends,
        -len(ranked.attendees),
        -ranked.score,
        ranked.start,
        ranked.slot_id,
    )


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


def outcome(
    ev: CouncilEvaluation, se: SlotEvaluation, yes: tuple[str, ...] = (), others: float = 0.0
) -> RankedSlot:
    """The slot's outcome if the pending mentors in ``yes`` accept and every other
    pending mentor adds ``others`` to the score (0 = unavailable)."""
    candidates = list(zip(se.full, se.full_scores, strict=True))
    if yes:
        candidates.extend((m, se.cell(m).attend_score) for m in yes)
        candidates.sort()
    attendees = choose_attendees(ev, candidates)
    score = se.base_score + others + sum(score for _, score in attendees)
    ids = tuple(m for m, _ in attendees)
    council = ev.request.council
    return RankedSlot(
        se.slot.id,
        se.start,
        len(candidates) >= council.mentor_minimum,
        ev.lead is not None and ev.lead in ids,
        ids,
        score,
    )


def _bound(ev: CouncilEvaluation, se: SlotEvaluation, *, worst: bool) -> SortKey:
    """The worst (or best) sort key of a slot over every way its pending answers resolve.

    A pending mentor either accepts (joins the candidates) or not; one who does not
    accept adds nothing in the worst case and at most ``weight × max(tentative,
    partial)`` in the best case. While the cap cannot bind, more acceptances always
    mean more attendees, so the extremes are "nobody" and "everybody".
    """
    pending = se.pending
    weights = ev.weights
    spare = max(weights.tentative, weights.partial)

    def key(yes: tuple[str, ...]) -> SortKey:
        extra = 0.0 if worst else sum(ev.mentor_weights[m] * spare for m in pending if m not in yes)
        return sort_key(outcome(ev, se, yes, extra))

    if len(se.full) + len(pending) <= ev.request.council.mentor_maximum:
        return key(() if worst else pending)
    keys = [key(yes) for size in range(len(pending) + 1) for yes in combinations(pending, size)]
    return max(keys) if worst else min(keys)


def can_confirm_early(ev: CouncilEvaluation, best: SlotEvaluation) -> bool:
    """True when ``best`` ranks first whatever the pending answers turn out to be."""
    worst = _bound(ev, best, worst=True)
    return all(worst < _bound(ev, se, worst=False) for se in ev.slots if se is not best)


def select(request: SelectionRequest, weights: Weights = DEFAULT_WEIGHTS) -> Decision:
    """Decide one council (pure; see the module docstring for the rules)."""
    ev = evaluate(request, weights)
    outcomes = [outcome(ev, se) for se in ev.slots]
    order = sorted(range(len(outcomes)), key=lambda i: sort_key(outcomes[i]))
    ranking = tuple(outcomes[i] for i in order)
    best = ranking[0]
    best_eval = ev.slots[order[0]]
    open_answers = request.now < request.deadline and any(se.pending for se in ev.slots)
    minimum = request.council.mentor_minimum
    early = False
    if not open_answers:
        status = Status.CONFIRMED if best.feasible else Status.NEEDS_ALTERNATIVES
    elif best.feasible and can_confirm_early(ev, best_eval):
        status, early = Status.CONFIRMED, True
    elif all(len(se.full) + len(se.pending) < minimum for se in ev.slots):
        status = Status.NEEDS_ALTERNATIVES
    else:
        status = Status.WAITING
    chosen = best if best.feasible and status is not Status.NEEDS_ALTERNATIVES else None
    alternatives = propose_alternatives(request, ev) if status is Status.NEEDS_ALTERNATIVES else ()
    explanation = explain(ev, ranking, status.value, chosen is not None, early, alternatives)
    return Decision(
        status,
        chosen.slot_id if chosen else None,
        chosen.start if chosen else None,
        chosen.attendees if chosen else (),
        chosen.lead_attends if chosen else False,
        ranking,
        alternatives,
        explanation,
    )
