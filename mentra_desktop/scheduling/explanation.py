"""Why the engine decided what it did: a per-slot table and one readable paragraph.

:func:`explain` runs inside every :func:`~mentra_desktop.scheduling.selection.select`
call, so it builds plain tuples and one f-string paragraph and nothing more;
:func:`render_table` turns the table into aligned text for the demo and the CLI's
human output. Score parts always satisfy ``score = answers + priority − penalty``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from mentra_desktop.scheduling.attendance import CellStatus, CouncilEvaluation

if TYPE_CHECKING:
    from mentra_desktop.scheduling.alternatives import Alternative
    from mentra_desktop.scheduling.selection import RankedSlot


_STATUSES = tuple(CellStatus)


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


def _row(ev: CouncilEvaluation, rank: int, ranked: RankedSlot) -> SlotRow:
    se = next(s for s in ev.slots if s.slot.id == ranked.slot_id)
    groups: dict[CellStatus, list[str]] = {status: [] for status in _STATUSES}
    partial: list[tuple[str, float]] = []
    penalty = 0.0
    attending = ranked.attendees
    answers = se.base_score - se.priority_score
    for cell in se.cells:
        groups[cell.status].append(cell.mentor_id)
        if cell.status is CellStatus.PARTIAL:
            partial.append((cell.mentor_id, cell.covered_fraction))
        if cell.mentor_id in attending:
            penalty += cell.penalty
            answers += cell.value
    return SlotRow(
        rank, se.slot.id, se.start, ranked.feasible, attending,
        tuple(groups[CellStatus.FULL]), tuple(groups[CellStatus.TENTATIVE]), tuple(partial),
        tuple(groups[CellStatus.BUSY]), tuple(groups[CellStatus.UNAVAILABLE]),
        tuple(groups[CellStatus.PENDING]), answers, se.priority_score, penalty, ranked.score,
    )  # fmt: skip


def _why_ahead(first: SlotRow, second: SlotRow, lead: str | None) -> str:
    """The first ranking criterion on which ``first`` beats ``second``."""
    if first.feasible and not second.feasible:
        return f"{second.slot_id} does not reach the minimum"
    if lead is not None and (lead in first.attendees) != (lead in second.attendees):
        return f"the lead {lead} attends it but not {second.slot_id}"
    if len(first.attendees) != len(second.attendees):
        return f"it seats {len(first.attendees)} mentors against {len(second.attendees)}"
    if first.score != second.score:
        return f"its score {first.score:.2f} beats {second.slot_id}'s {second.score:.2f}"
    if first.start != second.start:
        return f"it ties with {second.slot_id} and starts earlier"
    return f"it ties with {second.slot_id} and its id sorts first"


def explain(
    ev: CouncilEvaluation,
    ranking: Sequence[RankedSlot],
    status: str,
    chosen: bool,
    early: bool,
    alternatives: Sequence[Alternative],
) -> Explanation:
    """Build the table and the coordinator-facing paragraph for one decision."""
    rows = tuple(_row(ev, rank, ranked) for rank, ranked in enumerate(ranking, 1))
    council = ev.request.council
    minimum, lead = council.mentor_minimum, ev.lead
    best = rows[0]
    waiting_on = sorted({m for row in rows for m in row.pending})
    parts: list[str] = []
    if chosen:
        lead_note = f", including the lead {lead}" if lead in best.attendees else ""
        verb = "is confirmed" if status == "confirmed" else "currently leads"
        parts.append(
            f"Slot {best.slot_id} ({_when(best.start)}) {verb} with "
            f"{len(best.attendees)} mentors ({_names(best.attendees)}){lead_note}."
        )
        if len(rows) > 1:
            parts.append(
                f"It ranks ahead of {rows[1].slot_id} because {_why_ahead(best, rows[1], lead)}."
            )
        if lead is not None and lead not in best.attendees:
            parts.append(f"The lead {lead} cannot attend any feasible slot in full.")
        missing = [m for m in ev.mentor_ids if m not in best.attendees]
        if missing:
            se = next(s for s in ev.slots if s.slot.id == best.slot_id)
            states = {c.mentor_id: c.status.value for c in se.cells}
            parts.append("Not attending: " + ", ".join(f"{m} ({states[m]})" for m in missing) + ".")
    else:
        parts.append(
            f"No slot has {minimum} mentors fully available yet; the best is {best.slot_id} "
            f"with {len(best.attendees)} ({_names(best.attendees)})."
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
    return Explanation(rows, " ".join(parts))


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
