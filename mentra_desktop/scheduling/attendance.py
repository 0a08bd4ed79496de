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

from mentra_desktop.scheduling.localtime import outside_minutes_epoch
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


def evaluate_cell(
    mentor: Mentor,
    slot: Slot,
    start: datetime,
    end: datetime,
    weight: float,
    outside: float,
    weights: Weights,
) -> MentorCell:
    """Evaluate one mentor for one slot; ``outside`` is precomputed by the caller."""
    has_partial = slot.id in mentor.partial
    answer = mentor.answers.get(slot.id)
    if answer is None:
        answer = Answer.AVAILABLE if has_partial else Answer.PENDING
    busy = False
    for r in mentor.busy:
        if r.start < end and start < r.end:
            busy = True
            break
    fraction = _covered_fraction(mentor, slot.id, start, end) if has_partial else 1.0
    penalty = weights.outside_hours_penalty * outside / 60.0
    attend = weight * weights.available - penalty
    if busy:
        return MentorCell(
            mentor.id, CellStatus.BUSY, answer, True, False, fraction, outside, weight, 0.0,
            penalty, attend,
        )  # fmt: skip
    if answer is Answer.AVAILABLE:
        if fraction >= 1.0:
            return MentorCell(
                mentor.id, CellStatus.FULL, answer, False, True, 1.0, outside, weight,
                weight * weights.available, penalty, attend,
            )  # fmt: skip
        status, value = CellStatus.PARTIAL, weight * weights.partial * fraction
    elif answer is Answer.TENTATIVE:
        status, value = CellStatus.TENTATIVE, weight * weights.tentative * fraction
    elif answer is Answer.PENDING:
        status, value = CellStatus.PENDING, 0.0
    else:
        status, value = CellStatus.UNAVAILABLE, 0.0
    return MentorCell(
        mentor.id, status, answer, False, False, fraction, outside, weight, value, penalty, attend
    )


def evaluate(request: SelectionRequest, weights: Weights) -> CouncilEvaluation:
    """Evaluate every (mentor, slot) cell of one council.

    Pure and deterministic: mentors are taken in id order. Working days are
    converted to UTC once per (zone, hours, day) and cached across calls.
    """
    council = request.council
    duration = council.duration
    mentors = sorted(request.mentors, key=lambda m: m.id)
    mentor_weights = {m.id: weights.mentor_weight(m) for m in mentors}
    zones = [(m.timezone, m.tz, m.working_hours) for m in mentors]
    slots: list[SlotEvaluation] = []
    for index, slot in enumerate(council.slots):
        start = slot.start
        end = start + duration
        start_epoch = start.timestamp()
        end_epoch = start_epoch + duration.total_seconds()
        cells: list[MentorCell] = []
        full: list[str] = []
        full_scores: list[float] = []
        pending: list[str] = []
        priority_score = weights.priority_weight * slot.priority
        base = priority_score
        for mentor, (tz_name, tz, hours) in zip(mentors, zones, strict=True):
            outside = outside_minutes_epoch(start_epoch, end_epoch, tz_name, tz, hours)
            cell = evaluate_cell(
                mentor, slot, start, end, mentor_weights[mentor.id], outside, weights
            )
            cells.append(cell)
            if cell.full:
                full.append(cell.mentor_id)
                full_scores.append(cell.attend_score)
            else:
                base += cell.value
                if cell.status is CellStatus.PENDING:
                    pending.append(cell.mentor_id)
        evaluation = SlotEvaluation(
            index, slot, start, end, tuple(cells), tuple(full), tuple(full_scores),
            tuple(pending), priority_score, base,
        )  # fmt: skip
        slots.append(evaluation)
    return CouncilEvaluation(
        request,
        weights,
        tuple(m.id for m in mentors),
        mentor_weights,
        council.lead_mentor,
        tuple(slots),
    )
