"""Instants in alert messages, as a coordinator reads them.

The platform writes an alert's message once, for every reader, with its instants in UTC:
ISO 8601 (``2026-11-26T21:41:59.067084Z``, as platforms before the wording fix wrote the
rescheduling deadline), ``2026-11-26 21:41 UTC`` (calendar conflicts) or
``Thu 26 Nov, 21:41 UTC``. :func:`readable` rewrites each into the coordinator's zone at
minute precision — ``Thu 26 Nov, 22:41 CET`` — and leaves the rest of the text alone, so
alerts already in the cache read the same as new ones. Plain Python: tested without Qt.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_NUMERIC = re.compile(
    r"\b(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,6})?)?(?:Z|\+00:00| UTC\b)"
)
"""ISO 8601 in UTC (``Z`` or ``+00:00``, seconds optional), or ``YYYY-MM-DD HH:MM UTC``."""
_WORDED = re.compile(
    rf"\b({'|'.join(_DAYS)}) (\d{{1,2}}) ({'|'.join(_MONTHS)}),? (\d{{2}}):(\d{{2}}) UTC\b"
)
"""``Thu 26 Nov, 21:41 UTC`` (no year: the one near the alert whose weekday matches)."""


def local_text(moment: datetime, zone: tzinfo) -> str:
    """``Thu 26 Nov, 22:41 CET``: weekday, day, month, time and the zone's abbreviation."""
    local = moment.astimezone(zone)
    return f"{local:%a %d %b}, {local:%H:%M} {local.tzname() or ''}".rstrip()


def _worded(match: re.Match[str], near: datetime) -> datetime | None:
    weekday, day, month, hour, minute = match.groups()
    candidates = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            moment = datetime(
                year, _MONTHS.index(month) + 1, int(day), int(hour), int(minute), tzinfo=UTC
            )
        except ValueError:
            continue
        if _DAYS[moment.weekday()] == weekday:
            candidates.append(moment)
    return min(candidates, key=lambda m: abs(m - near), default=None)


def readable(message: str, zone: tzinfo, near: datetime) -> str:
    """``message`` with every UTC instant written in ``zone``; ``near`` (the alert's own
    instant, timezone-aware) places a date written without its year."""
    if near.tzinfo is None:
        raise ValueError("near must be timezone-aware")

    def numeric(match: re.Match[str]) -> str:
        year, month, day, hour, minute = (int(g) for g in match.groups())
        try:
            moment = datetime(year, month, day, hour, minute, tzinfo=UTC)
        except ValueError:
            return match.group(0)  # not a date after all: leave the text as written
        return local_text(moment, zone)

    def worded(match: re.Match[str]) -> str:
        moment = _worded(match, near)
        return match.group(0) if moment is None else local_text(moment, zone)

    return _WORDED.sub(worded, _NUMERIC.sub(numeric, message))


__all__ = ["local_text", "readable"]
