"""Times as the pages show them: in the reader's own zone, with UTC beside for mentors.

zoneinfo is used only here, at the edge; everything passed in is an aware UTC instant. An
unknown zone name falls back to UTC rather than failing a page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mentra_platform.responses.one_click import format_instant_local, format_slot_local

ZONE_CHOICES: tuple[str, ...] = (
    "UTC",
    *sorted(
        z
        for z in available_timezones()
        if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))
    ),
)
"""The zones a mentee can pick: IANA Area/City names (no legacy aliases), and UTC."""


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def slot_local(slot: tuple[datetime, datetime], zone: str) -> str:
    """``Tue 01 Dec 2026, 15:00–16:00 CET (Europe/Berlin)``."""
    return format_slot_local(slot[0], slot[1], zone)


def slot_utc(slot: tuple[datetime, datetime]) -> str:
    """``Wed 02 Dec, 14:00–15:00 UTC``: the same slot in UTC, shown beside the local one."""
    start, end = slot[0].astimezone(UTC), slot[1].astimezone(UTC)
    return f"{start:%a %d %b}, {start:%H:%M}–{end:%H:%M} UTC"


def short_local(when: datetime, zone: str) -> str:
    """``Tue 1 Dec, 15:00`` in ``zone`` (the mentee's "your time")."""
    local = when.astimezone(zone_of(zone))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def instant_local(when: datetime, zone: str) -> str:
    """``Tue 01 Dec 2026, 15:00 CET (Europe/Berlin)``."""
    return format_instant_local(when, zone)


def clock(when: datetime, zone: str) -> str:
    """``15:00``: the local wall-clock time, for pre-filling a time input."""
    return f"{when.astimezone(zone_of(zone)):%H:%M}"


def local_date(when: datetime, zone: str) -> str:
    """``2026-12-01``: the local date, for pre-filling a date input."""
    return when.astimezone(zone_of(zone)).date().isoformat()


class LocalTimeError(ValueError):
    """A typed time that names no instant; the message is shown next to the field."""


def parse_clock(text: str) -> time:
    """``HH:MM`` (what a time input sends) → a time; anything else is refused."""
    try:
        value = time.fromisoformat(text.strip())
    except ValueError:
        raise LocalTimeError("enter a time as HH:MM, e.g. 15:30") from None
    return value.replace(second=0, microsecond=0)


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise LocalTimeError("enter a date as YYYY-MM-DD") from None


def to_utc(day: date, clock_time: time, zone: str) -> datetime:
    """The instant of a local wall-clock time; a time skipped by a clock change is refused."""
    tz = zone_of(zone)
    local = datetime.combine(day, clock_time, tzinfo=tz)
    instant = local.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise LocalTimeError(f"{clock_time:%H:%M} does not exist on {day} in {zone}")
    return instant


def within_slot(start: datetime, end: datetime, text: str, zone: str) -> datetime:
    """A ``HH:MM`` typed for a slot: on the slot's local start date, or on the next one
    for a slot that crosses local midnight when the time is before the slot's start."""
    clock_time = parse_clock(text)
    tz = zone_of(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    day = local_start.date()
    if local_end.date() > day and clock_time < local_start.time():
        day += timedelta(days=1)
    return to_utc(day, clock_time, zone)


def day_words(iso_day: str) -> str:
    """``2026-12-16`` → ``Wed 16 Dec 2026`` (as typed, when it is no date)."""
    try:
        day = date.fromisoformat(iso_day)
    except ValueError:
        return iso_day
    return f"{day:%a} {day.day} {day:%b %Y}"


def and_list(names: list[str]) -> str:
    """``Ana, Ben and Chi``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
