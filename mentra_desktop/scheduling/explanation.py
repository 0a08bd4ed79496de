"""Why the engine decided what it did: a per-slot table and one readable paragraph.

:func:`explain` runs inside every :func:`~mentra_desktop.scheduling.selection.select`
call, so it builds plain tuples (:data:`RowData`, the fields of :class:`SlotRow` in
order) and one f-string paragraph and nothing more; a decision keeps those tuples and
wraps them in :class:`SlotRow` only when read. Plain tuples of strings and numbers
are dropped from the garbage collector's watch after its first pass, which keeps
thousands of kept decisions cheap. :func:`render_table` turns the table into aligned
text for the demo and the CLI's human output. Score parts always satisfy
``score = answers + priority − penalty``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from mentra_desktop.scheduling.attendance import CellStatus, CouncilEvaluation, SlotEvaluation

if TYPE_CHECKING:
    from mentra_desktop.scheduling.alternatives import Alternative
    from mentra_desktop.scheduling.selection import RankedRow

_FULL, _TENTATIVE, _PARTIAL = CellStatus.FULL, CellStatus.TENTATIVE, CellStatus.PARTIAL
_BUSY, _UNAVAILABLE = CellStatus.BUSY, CellStatus.UNAVAILABLE


class SlotRow(NamedTuple):
    """One slot's line of the table; mentor ids sorted; ``partial`` pairs id with fraction."""

    rank: int
    slot_id: str
    start: datetime
    feasible: bool
    attendees: tuple[str, ...]
    available: tuple[str, ...]
    tentative: tuple[str, ...]
    partial: tuple[tuple[str, float], ...]
    busy: tuple[str, ...]
    unavailable: tuple[str, ...]
    pending: tuple[str, ...]
    answers: float
    priority: float
    penalty: float
    score: float


class Explanation(NamedTuple):
    rows: tuple[SlotRow, ...]
    reason: str


def _names(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "nobody"


def _when(start: datetime) -> str:
    return start.strftime("%Y-%m-%d %H:%M UTC")


RowData = tuple[
    int, str, datetime, bool, tuple[str, ...], tuple[str, ...], tuple[str, ...],
    tuple[tuple[str, float], ...], tuple[str, ...], tuple[str, ...], tuple[str, ...],
    float, float, float, float,
]  # fmt: skip
"""A :class:`SlotRow` as a plain tuple (same fields, same order)."""


def _row(rank: int, ranked: RankedRow, se: SlotEvaluation) -> RowData:
    """One slot's row; attendees are always among the slot's full cells."""
    slot_id, start, feasible, _, attending, score = ranked
    tentative: list[str] = []
    partial: list[tuple[str, float]] = []
    busy: list[str] = []
    unavailable: list[str] = []
    penalty = 0.0
    answers = se.base_score - se.priority_score
    for cell in se.cells:
        status = cell.status
        if status is _FULL:
            if cell.mentor_id in attending:
                penalty += cell.penalty
                answers += cell.value
        elif status is _TENTATIVE:
            tentative.append(cell.mentor_id)
        elif status is _PARTIAL:
            partial.append((cell.mentor_id, cell.covered_fraction))
        elif status is _BUSY:
            busy.append(cell.mentor_id)
        elif status is _UNAVAILABLE:
            unavailable.append(cell.mentor_id)
    return (
        rank, slot_id, start, feasible, attending, se.full, tuple(tentative), tuple(partial),
        tuple(busy), tuple(unavailable), se.pending, answers, se.priority_score, penalty, score,
    )  # fmt: skip


def _why_ahead(first: RowData, second: RowData, lead: str | None) -> str:
    """The first ranking criterion on which ``first`` beats ``second``."""
    other, first_seated, second_seated = second[1], first[4], second[4]
    if first[3] and not second[3]:
        return f"{other} does not reach the minimum"
    if lead is not None and (lead in first_seated) != (lead in second_seated):
        return f"the lead {lead} attends it but not {other}"
    if len(first_seated) != len(second_seated):
        return f"it seats {len(first_seated)} mentors against {len(second_seated)}"
    if first[14] != second[14]:
        return f"its score {first[14]:.2f} beats {other}'s {second[14]:.2f}"
    if first[2] != second[2]:
        return f"it ties with {other} and starts earlier"
    return f"it ties with {other} and its id sorts first"


def explain(
    ev: CouncilEvaluation,
    ranking: Sequence[RankedRow],
    ranked_slots: Sequence[SlotEvaluation],
    status: str,
    chosen: bool,
    early: bool,
    alternatives: Sequence[Alternative],
) -> tuple[tuple[RowData, ...], str]:
    """The table (plain rows) and the coordinator-facing paragraph for one decision.

    ``ranked_slots`` are the evaluations of ``ranking``'s slots, in the same order.
    """
    # A list first: the tuple is then allocated after its rows, so the collector's
    # first pass can stop tracking it along with them.
    rows = tuple([
        _row(rank, ranked, se)
        for rank, ranked, se in zip(range(1, len(ranking) + 1), ranking, ranked_slots, strict=True)
    ])  # fmt: skip
    minimum, lead = ev.request.council.mentor_minimum, ev.lead
    best = rows[0]
    best_id, best_seated = best[1], best[4]
    waiting_on = sorted({m for row in rows for m in row[10]})
    parts: list[str] = []
    if chosen:
        lead_note = f", including the lead {lead}" if lead in best_seated else ""
        verb = "is confirmed" if status == "confirmed" else "currently leads"
        parts.append(
            f"Slot {best_id} ({_when(best[2])}) {verb} with "
            f"{len(best_seated)} mentors ({_names(best_seated)}){lead_note}."
        )
        if len(rows) > 1:
            parts.append(
                f"It ranks ahead of {rows[1][1]} because {_why_ahead(best, rows[1], lead)}."
            )
        if lead is not None and lead not in best_seated:
            parts.append(f"The lead {lead} cannot attend any feasible slot in full.")
        missing = [m for m in ev.mentor_ids if m not in best_seated]
        if missing:
            states = {c.mentor_id: c.status.value for c in ranked_slots[0].cells}
            parts.append("Not attending: " + ", ".join(f"{m} ({states[m]})" for m in missing) + ".")
    else:
        parts.append(
            f"No slot has {minimum} mentors fully available yet; the best is {best_id} "
            f"with {len(best_seated)} ({_names(best_seated)})."
        )
    if status == "confirmed" and early:
        parts.append(
            f"Confirmed before the deadline: even if every pending answer ({_names(waiting_on)}) "
            "is a no, no other slot could overtake it."
        )
    elif status == "waiting":
        parts.append(
            f"Waiting for {_names(waiting_on)}: their answers could still change the outcome "
            "before the deadline."
        )
    elif status == "needs_alternatives":
        if alternatives:
            first = alternatives[0]
            parts.append(
                f"Needs alternatives: proposed {len(alternatives)} new times; the best, "
                f"{_when(first.start)}, is likely for {_names(first.likely_attendees)}."
            )
        else:
            parts.append("Needs alternatives, but no common free time was found in 14 days.")
    return rows, " ".join(parts)


def render_table(explanation: Explanation) -> str:
    """Aligned plain-text table of the explanation rows."""
    header = ("#", "slot", "start (UTC)", "ok", "attending", "tentative", "partial", "busy",
              "pending", "answers", "prio", "penalty", "score")  # fmt: skip
    lines = [header]
    for r in explanation.rows:
        lines.append((
            str(r.rank), r.slot_id, r.start.strftime("%Y-%m-%d %H:%M"),
            "yes" if r.feasible else "no", _names(r.attendees) if r.attendees else "-",
            ",".join(r.tentative) or "-",
            ",".join(f"{m}:{f:.0%}" for m, f in r.partial) or "-",
            ",".join(r.busy) or "-", ",".join(r.pending) or "-",
            f"{r.answers:.2f}", f"{r.priority:.2f}", f"{r.penalty:.2f}", f"{r.score:.2f}",
        ))  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )
