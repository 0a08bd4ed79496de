"""What the time-zone overlay draws for one council, computed without Qt.

:func:`build_overlay` turns a council document (and the engine's request built from it)
into rows — one per mentor, then the mentee — each with that person's local-day bands
(:func:`~mentra_desktop.scheduling.local_day.local_day_bands`, DST-correct) and busy
ranges, plus the proposed slots, the mentors' alternative proposals and the chosen slot,
all as UTC instants on one axis. :func:`local_times_at` is the hover read-out and
:func:`axis_ticks` the date axis in the coordinator's zone (local midnights and local
hours, so a DST day has 23 or 25 hours between its midnight ticks).

The mentee's zone is the document's ``menteeTimezone``; when the mentee never set one (or
the document predates the field) the mentee row uses the coordinator's zone and says so
(``zone_known`` False) rather than pretending.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentra_desktop.scheduling.documents import parse_instant
from mentra_desktop.scheduling.local_day import Band, local_day_bands
from mentra_desktop.scheduling.model import SelectionRequest, WorkingHours

_DAY = timedelta(days=1)
MAX_DAYS = 21
"""The longest window drawn (slots further out are still listed, off to the right)."""
MIN_DAYS = 2
LEAD_DAYS = 7


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PersonRow:
    """One row: a mentor (``key`` is the engine's mentor id) or the mentee (``key`` "mentee")."""

    key: str
    name: str
    role: str
    zone: ZoneInfo
    zone_known: bool
    is_lead: bool
    bands: tuple[Band, ...]
    busy: tuple[Span, ...]

    @property
    def label(self) -> str:
        star = "★ " if self.is_lead else ""
        return f"{star}{self.name} · {self.zone.key}" if self.zone_known else self.name


@dataclass(frozen=True)
class SlotMark:
    slot_id: str
    start: datetime
    end: datetime
    chosen: bool


@dataclass(frozen=True)
class Proposal:
    """An alternative time range a mentor proposed (drawn across every row)."""

    mentor: str
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Overlay:
    council_id: int
    title: str
    start: datetime
    end: datetime
    rows: tuple[PersonRow, ...]
    slots: tuple[SlotMark, ...]
    proposals: tuple[Proposal, ...]
    now: datetime


def _as_zoneinfo(zone: tzinfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    return ZoneInfo("UTC")


def _midnight(moment: datetime, zone: tzinfo) -> datetime:
    local_date = moment.astimezone(zone).date()
    return datetime.combine(local_date, time(0, 0), tzinfo=zone).astimezone(UTC)


def _next_midnight(moment: datetime, zone: tzinfo) -> datetime:
    first = _midnight(moment, zone)
    if first == moment:
        return first
    local_date = moment.astimezone(zone).date() + _DAY
    return datetime.combine(local_date, time(0, 0), tzinfo=zone).astimezone(UTC)


def overlay_window(
    slots: list[tuple[datetime, datetime]], now: datetime, zone: tzinfo
) -> tuple[datetime, datetime]:
    """Whole local days (coordinator's zone) around the slots — from today when the first
    slot is at most :data:`LEAD_DAYS` ahead, so the "now" line shows — at least
    :data:`MIN_DAYS`, at most :data:`MAX_DAYS`; around ``now`` when there are no slots."""
    if slots:
        first = min(s for s, _ in slots) - timedelta(hours=2)
        last = max(e for _, e in slots) + timedelta(hours=2)
        if now < first <= now + timedelta(days=LEAD_DAYS):
            first = now
    else:
        first, last = now, now
    start = _midnight(first, zone)
    end = _next_midnight(last, zone)
    while end - start < timedelta(days=MIN_DAYS):
        end = _next_midnight(end + timedelta(hours=1), zone)
    limit = start + timedelta(days=MAX_DAYS)
    if end > limit:
        end = _midnight(limit, zone)
    return start, end


def _clip(a: datetime, b: datetime, start: datetime, end: datetime) -> Span | None:
    lo, hi = max(a, start), min(b, end)
    return Span(lo, hi) if lo < hi else None


def build_overlay(
    doc: Mapping[str, Any],
    request: SelectionRequest | None,
    chosen_slot: str | None,
    now: datetime,
    zone: tzinfo,
) -> Overlay:
    """The overlay of ``doc`` at ``now`` with the axis in ``zone`` (see the module docstring).

    ``request`` is the engine's view of ``doc`` (None when the engine refused it or the
    council has no mentors or slots yet: then only the mentee row and the document's
    slots are drawn).
    """
    duration = timedelta(minutes=request.council.duration_minutes if request else 60)
    if request is not None:
        raw_slots = [(s.id, s.start) for s in request.council.slots]
    else:
        raw_slots = [
            (str(s["id"]), parse_instant(s["start"], f"proposedTimeSlots[{i}].start"))
            for i, s in enumerate(doc.get("proposedTimeSlots", ()))
        ]
    start, end = overlay_window([(s, s + duration) for _, s in raw_slots], now, zone)
    names = {
        str(m["mentorId"]): str(m.get("name") or m["mentorId"]) for m in doc.get("mentors", ())
    }
    rows: list[PersonRow] = []
    proposals: list[Proposal] = []
    lead = request.council.lead_mentor if request else None
    for mentor in request.mentors if request else ():
        tz = ZoneInfo(mentor.timezone)
        busy = tuple(
            span for r in mentor.busy if (span := _clip(r.start, r.end, start, end)) is not None
        )
        rows.append(
            PersonRow(
                key=mentor.id,
                name=names.get(mentor.id, f"Mentor {mentor.id}"),
                role="mentor",
                zone=tz,
                zone_known=True,
                is_lead=mentor.id == lead,
                bands=local_day_bands(start, end, tz, mentor.working_hours),
                busy=busy,
            )
        )
        for r in mentor.alternatives:
            if (span := _clip(r.start, r.end, start, end)) is not None:
                proposals.append(Proposal(mentor.id, rows[-1].name, span.start, span.end))
    mentee_zone, known = _mentee_zone(doc, zone)
    rows.append(
        PersonRow(
            key="mentee",
            name=f"{doc.get('menteeName') or 'Mentee'} · mentee",
            role="mentee",
            zone=mentee_zone,
            zone_known=known,
            is_lead=False,
            bands=local_day_bands(start, end, mentee_zone, WorkingHours()),
            busy=(),
        )
    )
    slots = tuple(
        SlotMark(sid, s, s + duration, sid == chosen_slot)
        for sid, s in sorted(raw_slots, key=lambda p: p[1])
    )
    proposals.sort(key=lambda p: (p.start, p.mentor))
    return Overlay(
        council_id=int(doc["id"]),
        title=str(doc.get("topic", "")),
        start=start,
        end=end,
        rows=tuple(rows),
        slots=slots,
        proposals=tuple(proposals),
        now=now,
    )


def _mentee_zone(doc: Mapping[str, Any], zone: tzinfo) -> tuple[ZoneInfo, bool]:
    name = doc.get("menteeTimezone")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name), True
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return _as_zoneinfo(zone), False


def band_at(row: PersonRow, moment: datetime) -> str | None:
    for band in row.bands:
        if band.start <= moment < band.end:
            return band.kind
    return None


KIND_WORDS = {"work": "working", "night": "night", "day_off": "day off", "free": "off work"}


def local_times_at(overlay: Overlay, moment: datetime) -> list[tuple[str, str]]:
    """``(name, "Tue 14:00 CET · working")`` for every row at ``moment`` (the weekday
    tells a neighbouring day; the read-out's heading carries the coordinator's date)."""
    result: list[tuple[str, str]] = []
    for row in overlay.rows:
        local = moment.astimezone(row.zone)
        kind = band_at(row, moment)
        busy = any(b.start <= moment < b.end for b in row.busy)
        what = "busy" if busy else KIND_WORDS.get(kind or "", "")
        text = f"{local:%a %H:%M} {local.tzname()}"
        result.append((row.name, f"{text} · {what}" if what else text))
    return result


_HOUR_STEPS = (1, 2, 3, 6, 12)


def axis_ticks(
    start: datetime, end: datetime, zone: tzinfo, pixels: float, min_gap_px: float = 56
) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """Major ticks at local midnights (``Mon 26 Oct``) and minor ticks at local whole
    hours (``06:00``, every 1–12 h so labels stay ``min_gap_px`` apart) over
    ``[start, end]`` in ``zone``, as ``(epoch seconds, label)``."""
    span_s = max((end - start).total_seconds(), 1.0)
    px_per_hour = pixels * 3600 / span_s
    step = next((h for h in _HOUR_STEPS if h * px_per_hour >= min_gap_px), None)
    day_step = max(1, int(-(-min_gap_px * 1.6 // (px_per_hour * 24)))) if px_per_hour else 1
    major: list[tuple[float, str]] = []
    minor: list[tuple[float, str]] = []
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    index = 0
    while day <= last:
        midnight = datetime.combine(day, time(0, 0), tzinfo=zone)
        if start <= midnight <= end and index % day_step == 0:
            major.append((midnight.timestamp(), f"{midnight:%a %d %b}"))
        if step is not None:
            for hour in range(step, 24, step):
                moment = datetime.combine(day, time(hour, 0), tzinfo=zone)
                if start <= moment <= end and moment.astimezone(zone).hour == hour:
                    minor.append((moment.timestamp(), f"{hour:02d}:00"))
        day += _DAY
        index += 1
    return major, minor
