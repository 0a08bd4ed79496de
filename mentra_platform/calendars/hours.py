"""A Calendly availability schedule: is a slot inside the mentor's hours?

A schedule is ``{"timezone": IANA, "rules": [...]}`` as ``/user_availability_schedules``
gives it: ``{"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to":
"17:00"}]}`` rules per weekday, and ``{"type": "date", "date": "2026-12-24", "intervals":
[]}`` rules that replace the weekday's for that date (no intervals: the day is off).
Times are local to the schedule's zone (zoneinfo, so DST-correct); ``"24:00"`` ends a day.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from mentra_platform.calendars.feeds import zone_named

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _clock(raw: Any) -> time | None:
    text = str(raw)
    if text == "24:00":
        return None
    hh, mm = text.split(":")[:2]
    return time(int(hh), int(mm))


def _day_intervals(schedule: Mapping[str, Any], day: date) -> list[dict[str, Any]]:
    rules = [r for r in schedule.get("rules") or [] if isinstance(r, dict)]
    for rule in rules:
        if rule.get("type") == "date" and str(rule.get("date")) == day.isoformat():
            return list(rule.get("intervals") or [])
    name = _WEEKDAYS[day.weekday()]
    for rule in rules:
        if rule.get("type") == "wday" and str(rule.get("wday", "")).lower() == name:
            return list(rule.get("intervals") or [])
    return []


def _open_ranges(
    schedule: Mapping[str, Any], start: datetime, end: datetime
) -> Iterator[tuple[datetime, datetime]]:
    zone = zone_named(str(schedule.get("timezone") or "UTC")) or UTC
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    while day <= last:
        for interval in _day_intervals(schedule, day):
            lo, hi = _clock(interval.get("from")), _clock(interval.get("to"))
            a = datetime.combine(day, lo or time(), zone)
            b = datetime.combine(day + timedelta(days=1), time(), zone)
            if hi is not None:
                b = datetime.combine(day, hi, zone)
            yield a.astimezone(UTC), b.astimezone(UTC)
        day += timedelta(days=1)


def inside_hours(schedule: Mapping[str, Any], start: datetime, end: datetime) -> bool:
    """Whether ``[start, end)`` lies wholly inside the schedule's open hours."""
    cursor = start
    for a, b in sorted(_open_ranges(schedule, start, end)):
        if a <= cursor < b:
            cursor = b
        if cursor >= end:
            return True
    return cursor >= end


__all__ = ["inside_hours"]
