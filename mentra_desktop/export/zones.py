"""The coordinator's time zone for exports, as an IANA zone wherever one can be found.

Exports name the zone in their headers (``Deadline (Europe/Berlin)``), and a spreadsheet
cell holds a local wall time, so the zone must follow daylight saving: a fixed offset
(what ``datetime.now().astimezone()`` gives) would shift every instant on the other side
of a DST change by an hour. Order: an explicit name, ``MENTRA_DESKTOP_TZ`` (the desktop's
own override), ``TZ``, the ``/etc/localtime`` link, ``/etc/timezone``; UTC when none is
usable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZONE_ENV = "MENTRA_DESKTOP_TZ"


class UnknownZone(ValueError):
    """A zone name that is not an IANA time zone."""


def parse_zone(name: str) -> ZoneInfo:
    """``ZoneInfo(name)``, or :class:`UnknownZone` saying which name was refused."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownZone(
            f"unknown time zone {name!r} (use an IANA name, e.g. Europe/Berlin)"
        ) from exc


def _system_zone_name(localtime: Path, timezone_file: Path) -> str | None:
    try:
        target = str(localtime.resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    try:
        return timezone_file.read_text("utf-8").strip() or None
    except OSError:
        return None


def coordinator_zone(
    name: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    localtime: Path = Path("/etc/localtime"),
    timezone_file: Path = Path("/etc/timezone"),
) -> ZoneInfo:
    """The zone exports use (see the module docstring); ``name`` must be valid when given."""
    if name:
        return parse_zone(name)
    env = os.environ if environ is None else environ
    candidates = [env.get(ZONE_ENV), env.get("TZ", "").lstrip(":") or None]
    candidates.append(_system_zone_name(localtime, timezone_file))
    for candidate in candidates:
        if candidate:
            try:
                return parse_zone(candidate)
            except UnknownZone:
                continue
    return ZoneInfo("UTC")


def zone_label(zone: tzinfo, at: datetime) -> str:
    """``Europe/Berlin`` for a ZoneInfo, else the abbreviation in force at ``at``."""
    return getattr(zone, "key", None) or at.astimezone(zone).tzname() or "UTC"
