"""Busy ranges: aware UTC ``[start, end)`` pairs, clipped to a window and merged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True, order=True)
class BusyRange:
    """The mentor is busy over ``[start, end)`` (aware UTC)."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def merged(ranges: Iterable[BusyRange], lo: datetime, hi: datetime) -> list[BusyRange]:
    """``ranges`` clipped to ``[lo, hi)``, empty ones dropped, overlapping or touching ones
    joined, in start order: the canonical form stored and compared between refreshes."""
    clipped = sorted(
        BusyRange(max(r.start, lo).astimezone(UTC), min(r.end, hi).astimezone(UTC))
        for r in ranges
        if r.start < hi and r.end > lo and r.end > r.start
    )
    out: list[BusyRange] = []
    for r in clipped:
        if out and r.start <= out[-1].end:
            if r.end > out[-1].end:
                out[-1] = BusyRange(out[-1].start, r.end)
        else:
            out.append(r)
    return out


__all__ = ["BusyRange", "merged"]
