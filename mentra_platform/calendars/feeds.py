"""Reading busy time from an iCalendar feed (Google, Outlook, Apple Calendar exports).

Recurrences (RRULE, RDATE, EXDATE, RECURRENCE-ID overrides) are expanded by
``recurring-ical-events``; ``X-WR-TIMEZONE`` (Google writes every event in UTC and names
the calendar's zone there) is applied by ``x-wr-timezone`` so a weekly meeting keeps its
local time across a DST change. Windows zone names as Outlook writes them
(``W. Europe Standard Time``) are resolved by icalendar itself, through the CLDR
``windowsZones`` table it ships; an ``X-WR-TIMEZONE`` in Windows form goes through the same
table. Floating times are in the calendar's zone (``X-WR-TIMEZONE``, else the mentor's).
Single events far from the window are left out before parsing (:mod:`.prefilter`).

Not busy: ``STATUS:CANCELLED``, ``TRANSP:TRANSPARENT`` (and Outlook's
``X-MICROSOFT-CDO-BUSYSTATUS:FREE``), events the mentor declined (their own ``ATTENDEE``
with ``PARTSTAT=DECLINED``), our own council invitations (the council's own slot must not
make its mentors look busy), and all-day events unless they are explicitly marked busy
(``TRANSP:OPAQUE`` or a busy/out-of-office status): calendar apps keep all-day entries free
by default (birthdays, holidays, reminders), while a vacation marked busy blocks the days.

:class:`FeedError` messages describe the content, never the feed's address.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from mentra_platform.calendars.prefilter import window_subset
from mentra_platform.calendars.ranges import BusyRange, merged

_BUSY_STATUSES = {"BUSY", "OOF", "WORKINGELSEWHERE", "TENTATIVE"}


class FeedError(ValueError):
    """The feed cannot be read; the message says why (and never names the address)."""


def zone_named(name: str) -> tzinfo | None:
    """An IANA or Windows zone name as a ``ZoneInfo``; ``None`` when unknown."""
    name = name.strip()
    for candidate in (name, WINDOWS_TO_OLSON.get(name, "")):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return None


def _parse(data: bytes) -> icalendar.Calendar:
    head = data.lstrip()[:15].upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("The feed is not iCalendar data (it does not begin with BEGIN:VCALENDAR)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cal = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError) as exc:
        raise FeedError(f"The feed is malformed iCalendar: {exc}") from None
    if not isinstance(cal, icalendar.Calendar):
        raise FeedError("The feed is not an iCalendar calendar")
    return cal


def _prepare(cal: icalendar.Calendar, default_zone: tzinfo) -> tuple[icalendar.Calendar, tzinfo]:
    """Apply ``X-WR-TIMEZONE`` (Windows names mapped first); the calendar's zone."""
    raw = cal.get("X-WR-TIMEZONE")
    if raw is None:
        return cal, default_zone
    zone = zone_named(str(raw))
    if zone is None:
        raise FeedError(f"The feed names an unknown time zone in X-WR-TIMEZONE: {str(raw)[:64]}")
    cal["X-WR-TIMEZONE"] = str(zone)
    try:
        return x_wr_timezone.to_standard(cal), zone
    except Exception as exc:  # the library raises plain errors on odd input
        raise FeedError(f"The feed's X-WR-TIMEZONE cannot be applied: {exc}") from None


def _instant(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def _addresses(event: icalendar.Event) -> Iterator[tuple[str, str]]:
    attendees = event.get("ATTENDEE")
    if attendees is None:
        return
    for a in attendees if isinstance(attendees, list) else [attendees]:
        addr = str(a).lower().removeprefix("mailto:").strip()
        params: Any = getattr(a, "params", {})
        yield addr, str(params.get("PARTSTAT", "")).upper()


def _counts(event: icalendar.Event, own: Collection[str], all_day: bool) -> bool:
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    transp = str(event.get("TRANSP", "")).upper()
    status = str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if transp == "TRANSPARENT" or status == "FREE":
        return False
    if any(addr in own and part == "DECLINED" for addr, part in _addresses(event)):
        return False
    if all_day:
        return transp == "OPAQUE" or status in _BUSY_STATUSES
    return True


def _span(event: icalendar.Event, zone: tzinfo) -> tuple[datetime, datetime, bool] | None:
    start = event.decoded("DTSTART")
    end: Any = event.decoded("DTEND") if "DTEND" in event else None
    if end is None and "DURATION" in event:
        end = start + event.decoded("DURATION")
    if isinstance(start, datetime):
        if not isinstance(end, datetime):
            return None  # no length: a point in time blocks nothing
        return _instant(start, zone), _instant(end, zone), False
    if isinstance(start, date):
        last = end if isinstance(end, date) and not isinstance(end, datetime) else None
        last = last if last is not None and last > start else start + timedelta(days=1)
        lo = datetime.combine(start, time(), zone).astimezone(UTC)
        return lo, datetime.combine(last, time(), zone).astimezone(UTC), True
    return None


def busy_from_feed(
    data: bytes,
    window_start: datetime,
    window_end: datetime,
    *,
    own_addresses: Collection[str] = (),
    default_zone: str = "UTC",
    invite_host: str | None = None,
    prefilter: bool = True,
) -> list[BusyRange]:
    """The merged busy ranges of the feed inside ``[window_start, window_end)``.

    ``own_addresses`` are the mentor's e-mail addresses (lower case) for declined events;
    ``invite_host`` drops our own council invitations (UID ``council-<id>@<invite_host>``).
    ``prefilter=False`` parses the whole feed (the reference the cut is tested against).
    Raises :class:`FeedError` for anything that is not a readable calendar.
    """
    lo_day = window_start.astimezone(UTC).date()
    hi_day = window_end.astimezone(UTC).date()
    cal = _parse(window_subset(data, lo_day, hi_day) if prefilter else data)
    cal, zone = _prepare(cal, zone_named(default_zone) or UTC)
    own = {a.lower() for a in own_addresses}
    name = str(cal.get("X-WR-CALNAME", "")).lower()
    if "@" in name:
        own.add(name)
    lo = (window_start.astimezone(zone) - timedelta(days=1)).date()
    hi = (window_end.astimezone(zone) + timedelta(days=2)).date()
    ours = re.compile(rf"council-\d+@{re.escape(invite_host)}") if invite_host else None
    ranges: list[BusyRange] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            events = recurring_ical_events.of(cal).between(lo, hi)
            for event in events:
                if ours is not None and ours.fullmatch(str(event.get("UID", ""))):
                    continue
                span = _span(event, zone)
                if span is None or not _counts(event, own, span[2]):
                    continue
                ranges.append(BusyRange(span[0], span[1]))
    except FeedError:
        raise
    except Exception as exc:  # recurring-ical-events / icalendar on a broken series
        raise FeedError(f"The feed has an event that cannot be read: {exc}") from None
    return merged(ranges, window_start.astimezone(UTC), window_end.astimezone(UTC))


__all__ = ["FeedError", "busy_from_feed", "zone_named"]
