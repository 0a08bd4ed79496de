"""Per (mentor, slot) facts: can this mentor attend this slot, and what is it worth?

Everything later (selection, early confirmation, explanation, the cross-council
optimiser) reads these cells instead of re-deriving answers, busy ranges, partial
coverage and time zones. :func:`evaluate` does that work once per council.

Rules applied here (the contract other modules rely on):

* The slot is the half-open UTC interval ``[start, start + duration)``.
* A mentor with any busy range overlapping the slot is ``BUSY``: they cannot attend,
  whatever they answered, and contribute nothing.
* Partial ranges given for a slot without an explicit answer read as ``available``
  within those ranges. A mentor can attend **fully** when the answer is
  ``available``, they are not busy, and the partial ranges (if any) cover the whole
  slot.
* ``value`` is the answer's worth before any penalty: ``weight × available`` for a
  full mentor, ``weight × partial × covered fraction`` for an available-but-partial
  one, ``weight × tentative × covered fraction`` for a tentative one (fraction 1
  without ranges), 0 otherwise.
* ``penalty`` is ``outside_hours_penalty × hours of the slot outside the mentor's
  local working hours``; it is charged only to mentors who attend.
* ``attend_score = weight × available − penalty`` is the contribution of a mentor
  who attends fully (also computed for pending mentors, for "what if they say yes").

Cells are NamedTuples and mentors are visited in id order, so results never depend
on input order and construction stays cheap.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from mentra_desktop.scheduling.localtime import day_table, outside_minutes, working_epochs
from mentra_desktop.scheduling.model import (
    Answer,
    Mentor,
    SelectionRequest,
    Slot,
    Weights,
)


class CellStatus(StrEnum):
    """What a mentor's answer means for one slot once busy ranges and partials apply."""

    FULL = "full"
    PARTIAL = "partial"
    TENTATIVE = "tentative"
    UNAVAILABLE = "unavailable"
    BUSY = "busy"
    PENDING = "pending"


class MentorCell(NamedTuple):
    """One mentor × one slot. See the module docstring for the meaning of each number."""

    mentor_id: str
    status: CellStatus
    answer: Answer
    busy: bool
    full: bool
    covered_fraction: float
    outside_minutes: float
    weight: float
    value: float
    penalty: float
    attend_score: float


class SlotEvaluation(NamedTuple):
    """Every mentor's cell for one slot, plus the slot's own facts.

    ``full`` and ``full_scores`` are parallel (id order): the mentors who can attend
    fully and each one's ``attend_score``. ``pending`` lists mentors whose answer is
    missing and who are not busy (a busy mentor's answer cannot matter).
    ``base_score`` is ``priority_weight × priority`` plus the ``value`` of every cell
    that is not full; a plan seating attendee set A scores
    ``base_score + Σ_{m∈A} attend_score(m)``.
    """

    position: int
    slot: Slot
    start: datetime
    end: datetime
    cells: tuple[MentorCell, ...]
    full: tuple[str, ...]
    full_scores: tuple[float, ...]
    pending: tuple[str, ...]
    priority_score: float
    base_score: float

    def cell(self, mentor_id: str) -> MentorCell:
        for cell in self.cells:
            if cell.mentor_id == mentor_id:
                return cell
        raise KeyError(mentor_id)


class CouncilEvaluation(NamedTuple):
    """All slots of one council, in the council's slot order."""

    request: SelectionRequest
    weights: Weights
    mentor_ids: tuple[str, ...]
    mentor_weights: dict[str, float]
    lead: str | None
    slots: tuple[SlotEvaluation, ...]


def _covered_fraction(mentor: Mentor, slot_id: str, start: datetime, end: datetime) -> float:
    """Fraction of ``[start, end)`` covered by the union of the mentor's partial ranges."""
    ranges = sorted(
        (max(r.start, start), min(r.end, end))
        for r in mentor.partial[slot_id]
        if r.start < end and start < r.end
    )
    covered = 0.0
    cursor = start
    for lo, hi in ranges:
        lo = max(lo, cursor)
        if hi > lo:
            covered += (hi - lo).total_seconds()
            cursor = hi
    return covered / (end - start).total_seconds()


def evaluate(request: SelectionRequest, weights: Weights) -> CouncilEvaluation:
    """Evaluate every (mentor, slot) cell of one council.

    Pure and deterministic: mentors are taken in id order. Working days are
    converted to UTC once per (zone, hours, day) and cached across calls; busy
    ranges are compared as epoch seconds. This loop is the engine's hot path, hence
    inlined rather than split into per-cell calls.
    """
    council = request.council
    duration = council.duration
    seconds = duration.total_seconds()
    long_slot = seconds > 86400  # the per-day cache covers sessions of up to a day
    available_w, partial_w, tentative_w = weights.available, weights.partial, weights.tentative
    per_minute_penalty = weights.outside_hours_penalty / 60.0
    mentors = sorted(request.mentors, key=lambda m: m.id)
    mentor_weights: dict[str, float] = {}
    prepared = []
    base_w, seniority_w, expertise_w = (
        weights.base,
        weights.seniority_weight,
        weights.expertise_weight,
    )
    for m in mentors:
        weight = (
            base_w + seniority_w * m.seniority + expertise_w * m.expertise_match
        )  # = mentor_weight
        mentor_weights[m.id] = weight
        busy_epochs = tuple((r.start.timestamp(), r.end.timestamp()) for r in m.busy)
        hours = m.working_hours
        days = day_table(m.timezone, hours)
        prepared.append((m, m.id, m.answers, m.partial, busy_epochs, weight, hours, days))
    full_status, busy_status = CellStatus.FULL, CellStatus.BUSY
    available, tentative, pending_answer = Answer.AVAILABLE, Answer.TENTATIVE, Answer.PENDING
    new_cell = new_slot = tuple.__new__
    slots: list[SlotEvaluation] = []
    for index, slot in enumerate(council.slots):
        start = slot.start
        end = start + duration
        s0 = start.timestamp()
        s1 = s0 + seconds
        day = int(s0 // 86400)
        slot_id = slot.id
        cells: list[MentorCell] = []
        full: list[str] = []
        full_scores: list[float] = []
        pending: list[str] = []
        priority_score = weights.priority_weight * slot.priority
        base = priority_score
        for m, mid, answers, partials, busy_ranges, weight, hours, days in prepared:
            if long_slot:
                outside = outside_minutes(start, end, m.tz, hours)
            else:
                epochs = days.get(day)
                if epochs is None:
                    epochs = working_epochs(m.timezone, m.tz, hours, day, days)
                inside = 0.0
                for lo, hi in epochs:  # sorted by start
                    if lo >= s1:
                        break
                    if s0 < hi:
                        inside += min(hi, s1) - max(lo, s0)
                outside = (seconds - inside) / 60.0
            penalty = per_minute_penalty * outside
            attend = weight * available_w - penalty
            answer = answers.get(slot_id)
            if slot_id in partials:
                if answer is None:
                    answer = available
                fraction = _covered_fraction(m, slot_id, start, end)
            else:
                if answer is None:
                    answer = pending_answer
                fraction = 1.0
            busy = False
            for lo, hi in busy_ranges:
                if lo < s1 and s0 < hi:
                    busy = True
                    break
            if busy:
                status, value = busy_status, 0.0
            elif answer is available:
                if fraction >= 1.0:
                    value = weight * available_w
                    cells.append(new_cell(MentorCell, (
                        mid, full_status, answer, False, True, 1.0, outside, weight, value,
                        penalty, attend,
                    )))  # fmt: skip
                    full.append(mid)
                    full_scores.append(attend)
                    continue
                status, value = CellStatus.PARTIAL, weight * partial_w * fraction
            elif answer is tentative:
                status, value = CellStatus.TENTATIVE, weight * tentative_w * fraction
            elif answer is pending_answer:
                status, value = CellStatus.PENDING, 0.0
                pending.append(mid)
            else:
                status, value = CellStatus.UNAVAILABLE, 0.0
            base += value
            cells.append(new_cell(MentorCell, (
                mid, status, answer, busy, False, fraction, outside, weight, value, penalty, attend
            )))  # fmt: skip
        slots.append(new_slot(SlotEvaluation, (
            index, slot, start, end, tuple(cells), tuple(full), tuple(full_scores),
            tuple(pending), priority_score, base,
        )))  # fmt: skip
    return CouncilEvaluation(
        request,
        weights,
        tuple(m.id for m in mentors),
        mentor_weights,
        council.lead_mentor,
        tuple(slots),
    )
