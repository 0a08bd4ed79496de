"""A person's local day on a UTC axis: night, working hours, days off, the rest.

The time-zone overlay shades each person's row by what their own clock says at every
instant. That is a question about local wall-clock times in an IANA zone, answered here
in UTC with :mod:`zoneinfo`, so a DST switch moves every boundary by exactly the hour it
should (and a 23- or 25-hour day comes out right). Working intervals come from
:func:`~mentra_desktop.scheduling.localtime.working_intervals`, the engine's own
definition, so the shading and the engine's outside-hours penalty never disagree.

Kinds, highest precedence first: ``work`` (inside the working hours), ``night`` (local
22:00–07:00), ``day_off`` (a local date that is not one of the working days),
``free`` (awake on a working day, outside the working hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from mentra_desktop.scheduling.localtime import working_intervals
from mentra_desktop.scheduling.model import SchedulingInputError, WorkingHours, require_aware

WORK = "work"
NIGHT = "night"
DAY_OFF = "day_off"
FREE = "free"
KINDS = (WORK, NIGHT, DAY_OFF, FREE)

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Band:
    """``[start, end)`` in UTC during which the person's local day is ``kind``."""

    start: datetime
    end: datetime
    kind: str


def _local_boundaries(start: datetime, end: datetime, tz: ZoneInfo) -> set[datetime]:
    """Local midnights, night ends and night starts of every local date touching the range."""
    found: set[datetime] = set()
    day: date = start.astimezone(tz).date() - _DAY
    last = end.astimezone(tz).date() + _DAY
    while day <= last:
        for wall in (time(0, 0), NIGHT_ENDS, NIGHT_STARTS):
            found.add(datetime.combine(day, wall, tzinfo=tz).astimezone(UTC))
        day += _DAY
    return found


def _kind(
    moment: datetime, tz: ZoneInfo, hours: WorkingHours, work: list[tuple[datetime, datetime]]
) -> str:
    if any(lo <= moment < hi for lo, hi in work):
        return WORK
    local = moment.astimezone(tz)
    wall = local.time()
    if wall >= NIGHT_STARTS or wall < NIGHT_ENDS:
        return NIGHT
    if local.isoweekday() not in hours.days:
        return DAY_OFF
    return FREE


def local_day_bands(
    start: datetime, end: datetime, tz: ZoneInfo, hours: WorkingHours
) -> tuple[Band, ...]:
    """Bands covering ``[start, end)`` exactly, in order, adjacent bands of different kinds.

    Raises :class:`SchedulingInputError` for naive instants or ``end <= start``.
    """
    start, end = require_aware(start, "start"), require_aware(end, "end")
    if end <= start:
        raise SchedulingInputError("end", "must be after start")
    work = working_intervals(start, end, tz, hours)
    cuts = {start, end}
    cuts.update(t for t in _local_boundaries(start, end, tz) if start < t < end)
    for lo, hi in work:
        cuts.update((lo, hi))
    points = sorted(cuts)
    bands: list[Band] = []
    for lo, hi in pairwise(points):
        kind = _kind(lo + (hi - lo) / 2, tz, hours, work)
        if bands and bands[-1].kind == kind:
            bands[-1] = Band(bands[-1].start, hi, kind)
        else:
            bands.append(Band(lo, hi, kind))
    return tuple(bands)
