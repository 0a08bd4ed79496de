"""Decisive answers: whose pending answer, for which slot, would settle a waiting council.

A council is ``waiting`` when the engine cannot yet guarantee its best slot however the
pending answers turn out. A coordinator who can nudge only one person wants to know who
that person is: :func:`decisive_answers` tries every pending (mentor, slot) pair, turns
that one answer into a full ``available`` (dropping any partial ranges the mentor gave
for that slot, since a plain yes covers the whole slot) and re-runs
:func:`~mentra_desktop.scheduling.selection.select`. A pair is *decisive* when that one
yes makes the decision ``confirmed`` at once.

Pure and deterministic like the engine: at most 5 mentors × 5 slots re-runs of a
sub-millisecond function. A council that is not waiting has no decisive answers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from mentra_desktop.scheduling.attendance import CellStatus, evaluate
from mentra_desktop.scheduling.model import (
    DEFAULT_WEIGHTS,
    Answer,
    SelectionRequest,
    Weights,
)
from mentra_desktop.scheduling.selection import Decision, Status, select


class DecisiveAnswer(NamedTuple):
    """``mentor`` saying yes to ``slot`` confirms ``confirms`` (a slot id) with ``mentors``."""

    mentor: str
    slot: str
    confirms: str
    start: datetime
    mentors: tuple[str, ...]


def with_answer(request: SelectionRequest, mentor_id: str, slot_id: str) -> SelectionRequest:
    """``request`` with ``mentor_id``'s answer for ``slot_id`` a full ``available``."""
    mentors = []
    for mentor in request.mentors:
        if mentor.id == mentor_id:
            answers = {**mentor.answers, slot_id: Answer.AVAILABLE}
            partial = {k: v for k, v in mentor.partial.items() if k != slot_id}
            mentor = replace(mentor, answers=answers, partial=partial)
        mentors.append(mentor)
    return replace(request, mentors=tuple(mentors))


def decisive_answers(
    request: SelectionRequest,
    weights: Weights = DEFAULT_WEIGHTS,
    decision: Decision | None = None,
) -> tuple[DecisiveAnswer, ...]:
    """Every single pending answer whose yes would confirm the council now.

    ``decision`` is ``select(request, weights)`` if the caller already has it. The result
    is ordered by the slot it would confirm (the engine's current ranking first), then
    mentor id. Empty unless the decision is ``waiting``.
    """
    if decision is None:
        decision = select(request, weights)
    if decision.status is not Status.WAITING:
        return ()
    rank = {row[0]: i for i, row in enumerate(decision.ranking_rows)}
    found: list[DecisiveAnswer] = []
    for se in evaluate(request, weights).slots:
        for cell in se.cells:
            if cell.status is not CellStatus.PENDING:
                continue
            what_if = select(with_answer(request, cell.mentor_id, se.slot.id), weights)
            if what_if.status is Status.CONFIRMED and what_if.slot is not None:
                assert what_if.start is not None
                found.append(
                    DecisiveAnswer(
                        cell.mentor_id, se.slot.id, what_if.slot, what_if.start, what_if.mentors
                    )
                )
    found.sort(key=lambda d: (rank.get(d.confirms, len(rank)), d.confirms, d.mentor, d.slot))
    return tuple(found)
