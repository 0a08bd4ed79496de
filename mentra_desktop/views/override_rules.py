"""Which scheduling rules an admin override breaks (plain Python, no Qt).

The override dialog shows this list live as the admin picks a slot and mentors, so the
reason they must type can answer it. Each entry is one sentence; an empty list means
the pick is what the engine would do anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from mentra_desktop.scheduling.attendance import CellStatus
from mentra_desktop.views.council_analysis import CouncilAnalysis


def broken_rules(
    analysis: CouncilAnalysis,
    slot_key: str | None,
    mentor_keys: Collection[str],
    when: Callable[[datetime], str],
) -> list[str]:
    """Sentences naming each rule the override of ``slot_key`` with ``mentor_keys`` breaks."""
    doc = analysis.doc
    found: list[str] = []
    if analysis.status == "confirmed":
        found.append("The council is already confirmed; this changes a final decision.")
    if slot_key is None:
        return found
    start = analysis.slot_start(slot_key)
    label = when(start) if start is not None else f"slot {slot_key}"
    decision = analysis.decision
    if decision is not None:
        keys = [row[0] for row in decision.ranking_rows]
        rank = keys.index(slot_key) + 1 if slot_key in keys else None
        if decision.slot is None:
            found.append(f"The engine has chosen no slot yet ({decision.status.value}).")
        elif decision.slot != slot_key:
            chosen = analysis.slot_start(decision.slot)
            chosen_label = when(chosen) if chosen is not None else decision.slot
            found.append(
                f"{label} is not the engine's choice (ranked {rank} of {len(keys)}; "
                f"it picks {chosen_label})."
            )
    count = len(mentor_keys)
    minimum, maximum = int(doc["mentorMinimum"]), int(doc["mentorMaximum"])
    if count < minimum:
        found.append(f"Seats {count} mentors, below the minimum of {minimum}.")
    if count > maximum:
        found.append(f"Seats {count} mentors, above the maximum of {maximum}.")
    problems = {
        CellStatus.UNAVAILABLE: "declined this slot",
        CellStatus.BUSY: "is busy at that time (another session or calendar)",
        CellStatus.PENDING: "has not answered for this slot",
        CellStatus.TENTATIVE: "is only tentative for this slot",
    }
    for key in sorted(mentor_keys, key=analysis.name):
        cell = analysis.cell(key, slot_key)
        if cell is None:
            continue
        if cell.status in problems:
            found.append(f"{analysis.name(key)} {problems[cell.status]}.")
        elif cell.status is CellStatus.PARTIAL:
            share = round(cell.covered_fraction * 100)
            found.append(f"{analysis.name(key)} can attend only {share}% of the slot.")
    lead = doc.get("leadMentorId")
    if lead is not None and str(lead) not in mentor_keys:
        found.append(f"The lead {analysis.name(str(lead))} is not among the attendees.")
    return found
