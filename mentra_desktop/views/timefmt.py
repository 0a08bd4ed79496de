"""Instants as a coordinator reads them: countdowns and local times in their own zone.

Plain Python (no Qt) so the formatting is tested on its own; the zone is the
coordinator's (``display_zone``: the ``MENTRA_DESKTOP_TZ`` override, else ``TZ`` or the
system's named zone).
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from mentra_desktop.export.zones import coordinator_zone


def display_zone() -> tzinfo:
    """The coordinator's time zone, by name so that times across a DST change are right:
    ``MENTRA_DESKTOP_TZ``, ``TZ`` or the system's zone — the exports' rule
    (:func:`mentra_desktop.export.zones.coordinator_zone`). Only a system whose zone has no
    name falls back to its current UTC offset."""
    zone = coordinator_zone()
    local = datetime.now().astimezone().tzinfo
    if zone.key == "UTC" and local is not None and local.utcoffset(None) != timedelta(0):
        return local
    return zone


def zone_name(zone: tzinfo, at: datetime) -> str:
    """``Europe/Berlin`` for a ZoneInfo, else the abbreviation in force at ``at``."""
    return getattr(zone, "key", None) or at.astimezone(zone).tzname() or "local"


def countdown(deadline: datetime, now: datetime) -> str:
    """``in 2 d 5 h``, ``in 3 h 12 min``, ``in 40 min``, ``overdue 3 h`` (minute precision)."""
    seconds = int((deadline - now).total_seconds())
    past = seconds < 0
    minutes = abs(seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 1:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours >= 1:
        text = f"{hours} h {mins} min" if mins else f"{hours} h"
    else:
        text = f"{mins} min"
    if past:
        return f"overdue {text}"
    return "now" if minutes == 0 else f"in {text}"


def local(value: datetime, zone: tzinfo) -> str:
    """``Thu 17 Dec 14:00`` in ``zone``."""
    return value.astimezone(zone).strftime("%a %d %b %H:%M")


def local_long(value: datetime, zone: tzinfo) -> str:
    """``Thu 17 Dec 2026, 14:00 CET (Europe/Berlin)`` for tooltips."""
    moment = value.astimezone(zone)
    name = getattr(zone, "key", None)
    suffix = f" ({name})" if name else ""
    return f"{moment:%a %d %b %Y, %H:%M} {moment.tzname()}{suffix}"
