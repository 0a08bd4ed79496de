"""Working hours against UTC instants, correct across DST switches and local midnight.

A mentor's working hours are local wall-clock times in their IANA zone, on their working
days; a working day that ends at or before it starts runs past local midnight and
belongs to the day it starts on. The engine
works in UTC, so every question ("how much of this slot is outside their working
day?", "when does their working day fall over the next two weeks?") is answered by
turning each local working day into a UTC interval with :mod:`zoneinfo`. That makes a
23- or 25-hour DST day, and a slot that crosses local midnight, come out right.

Local times that do not exist (inside a spring-forward gap) resolve with ``fold=0``,
i.e. with the offset in force before the switch, which is what :mod:`zoneinfo` does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mentra_desktop.scheduling.model import WorkingHours

_DAY = timedelta(days=1)
_MINUTES_PER_DAY = 1440
_LONG_SLOT = timedelta(hours=12)


def wall_minutes(hours: WorkingHours) -> tuple[int, int]:
    """Working hours as minutes after the local midnight the working day starts on.

    ``time.max`` as an end means 24:00 (1440); an overnight end lies past 1440.
    """
    start = hours.start.hour * 60 + hours.start.minute
    end = _MINUTES_PER_DAY if hours.end == time.max else hours.end.hour * 60 + hours.end.minute
    if end <= start:
        end += _MINUTES_PER_DAY
    return start, end


def working_day(day: date, tz: ZoneInfo, hours: WorkingHours) -> tuple[datetime, datetime]:
    """The UTC interval of the working day that starts on local date ``day`` (working or not)."""
    start = datetime.combine(day, hours.start, tzinfo=tz).astimezone(UTC)
    if hours.end == time.max:
        end = datetime.combine(day + _DAY, time(0, 0), tzinfo=tz).astimezone(UTC)
    elif hours.overnight:
        end = datetime.combine(day + _DAY, hours.end, tzinfo=tz).astimezone(UTC)
    else:
        end = datetime.combine(day, hours.end, tzinfo=tz).astimezone(UTC)
    return start, end


def working_intervals(
    start: datetime, end: datetime, tz: ZoneInfo, hours: WorkingHours
) -> list[tuple[datetime, datetime]]:
    """UTC working intervals (sorted, disjoint, clipped to ``[start, end)``) of every
    working day that touches it."""
    first = start.astimezone(tz).date() - _DAY
    last = end.astimezone(tz).date()
    result: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        if day.isoweekday() in hours.days:
            ws, we = working_day(day, tz, hours)
            lo, hi = max(ws, start), min(we, end)
            if lo < hi:
                if result and lo <= result[-1][1]:  # a day running into the next (DST, 24:00)
                    result[-1] = (result[-1][0], max(hi, result[-1][1]))
                else:
                    result.append((lo, hi))
        day += _DAY
    return result


def outside_minutes(start: datetime, end: datetime, tz: ZoneInfo, hours: WorkingHours) -> float:
    """Minutes of ``[start, end)`` that fall outside the local working hours.

    The common case (no offset change inside the interval) is plain wall-clock
    arithmetic on the local start; anything touching a DST switch, or longer than
    half a day, goes through :func:`working_intervals`.
    """
    local_start = start.astimezone(tz)
    total = (end - start).total_seconds() / 60.0
    if end - start <= _LONG_SLOT and end.astimezone(tz).utcoffset() == local_start.utcoffset():
        ws, we = wall_minutes(hours)
        a = local_start.hour * 60 + local_start.minute + local_start.second / 60.0
        b = a + total
        inside = 0.0
        weekday = local_start.isoweekday()  # 1..7
        offset = -_MINUTES_PER_DAY  # yesterday's working day may run past midnight
        while offset < b:
            day = (weekday - 1 + offset // _MINUTES_PER_DAY) % 7 + 1
            if day in hours.days:
                lo = max(a, ws + offset)
                hi = min(b, we + offset)
                if hi > lo:
                    inside += hi - lo
            offset += _MINUTES_PER_DAY
        return total - inside
    inside_seconds = sum(
        (hi - lo).total_seconds() for lo, hi in working_intervals(start, end, tz, hours)
    )
    return total - inside_seconds / 60.0


_EPOCH_DAY = 86400
Epochs = tuple[tuple[float, float], ...]
_day_tables: dict[tuple[str, WorkingHours], dict[int, Epochs]] = {}
_DAY_TABLE_LIMIT = 4096
_DAYS_PER_TABLE_LIMIT = 8192


def day_table(tz_name: str, hours: WorkingHours) -> dict[int, Epochs]:
    """The per-day cache of :func:`working_epochs` for one (zone, working hours).

    A hot loop fetches the table once per mentor and then looks days up directly,
    calling :func:`working_epochs` only on a miss.
    """
    key = (tz_name, hours)
    table = _day_tables.get(key)
    if table is None:
        if len(_day_tables) >= _DAY_TABLE_LIMIT:
            _day_tables.clear()
        table = _day_tables[key] = {}
    return table


def working_epochs(
    tz_name: str,
    tz: ZoneInfo,
    hours: WorkingHours,
    utc_day: int,
    table: dict[int, Epochs] | None = None,
) -> Epochs:
    """Working intervals (epoch seconds) touching UTC days ``utc_day - 1 .. utc_day + 2``.

    Sorted and disjoint. Cached per (zone, hours, day): councils share days and
    zones, so the zone conversions run once per mentor-day instead of once per
    (mentor, slot). ``table`` is :func:`day_table` for the same zone and hours.
    """
    if table is None:
        table = day_table(tz_name, hours)
    cached = table.get(utc_day)
    if cached is None:
        lo = datetime.fromtimestamp((utc_day - 1) * _EPOCH_DAY, UTC)
        hi = datetime.fromtimestamp((utc_day + 3) * _EPOCH_DAY, UTC)
        cached = tuple(
            (a.timestamp(), b.timestamp()) for a, b in working_intervals(lo, hi, tz, hours)
        )
        if len(table) >= _DAYS_PER_TABLE_LIMIT:
            table.clear()
        table[utc_day] = cached
    return cached


def outside_minutes_epoch(
    start: float, end: float, tz_name: str, tz: ZoneInfo, hours: WorkingHours
) -> float:
    """:func:`outside_minutes` for epoch seconds, using the per-day cache.

    Same result as :func:`outside_minutes` for intervals up to a day long (longer
    ones are delegated to it).
    """
    if end - start > _EPOCH_DAY:
        return outside_minutes(
            datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), tz, hours
        )
    inside = 0.0
    for lo, hi in working_epochs(tz_name, tz, hours, int(start // _EPOCH_DAY)):
        if lo < end and start < hi:
            inside += min(hi, end) - max(lo, start)
    return (end - start - inside) / 60.0
