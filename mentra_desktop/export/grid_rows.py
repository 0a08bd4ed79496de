"""The grid's rows for a scripted export: fresh summaries, the grid's filter and order.

The desktop exports what its grid shows; the command line has no grid, so it rebuilds the
same rows from cached documents — each council summarised at the export's ``now`` (so
risks and the engine's best slot are current, not as of the last sync), filtered like the
grid's search box and phase chips, in the grid's first-start order (answer deadline
soonest first, councils without one last, then by id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from mentra_desktop.models.council_summary import parse_instant, summarize
from mentra_desktop.models.councils import PHASE_ORDER

Summary = dict[str, Any]
PHASES = PHASE_ORDER


def haystack(summary: Mapping[str, Any]) -> str:
    """What the grid's search box matches: id, topic, mentee, lead and phase."""
    parts = (summary["id"], summary["topic"], summary["mentee"], summary["lead"])
    return " ".join((*map(str, parts), str(summary["status"]).replace("_", " "))).casefold()


def matches(summary: Mapping[str, Any], words: Sequence[str], statuses: frozenset[str]) -> bool:
    """Every search word is in :func:`haystack`, and the phase is one of ``statuses``
    (any phase when empty)."""
    if statuses and summary["status"] not in statuses:
        return False
    hay = haystack(summary)
    return all(word in hay for word in words)


def _deadline_key(summary: Mapping[str, Any]) -> tuple[float, int]:
    deadline = parse_instant(summary["deadline"])
    return (deadline.timestamp() if deadline else float("inf"), int(summary["id"]))


def grid_rows(
    docs: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    search: str = "",
    statuses: Iterable[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Summary]:
    """Summaries of ``docs`` that pass the filter, in grid order. ``start``/``end`` keep the
    councils whose best slot (the final one once confirmed) starts in ``[start, end)``."""
    words = tuple(search.casefold().split())
    wanted = frozenset(statuses)
    rows = []
    for doc in docs:
        summary = summarize(doc, now)
        if not matches(summary, words, wanted):
            continue
        if start is not None or end is not None:
            best = parse_instant(summary["best_slot_start"])
            if best is None or (start is not None and best < start):
                continue
            if end is not None and best >= end:
                continue
        rows.append(summary)
    rows.sort(key=_deadline_key)
    return rows


__all__ = ["PHASES", "grid_rows", "haystack", "matches"]
