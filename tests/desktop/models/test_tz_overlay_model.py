"""The overlay's time arithmetic, without Qt: local-day bands across DST, the window, the
hover read-out and the date axis in the coordinator's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from mentra_desktop.models.tz_overlay import (
    PersonRow,
    axis_ticks,
    build_overlay,
    local_times_at,
    overlay_window,
)
from mentra_desktop.scheduling.local_day import Band, local_day_bands
from mentra_desktop.scheduling.model import (
    Answer,
    Council,
    Mentor,
    SchedulingInputError,
    SelectionRequest,
    Slot,
    TimeRange,
    WorkingHours,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# Europe leaves summer time on Sun 25 Oct 2026, the US on Sun 1 Nov 2026.
SLOTS = (
    Slot("1", utc(2026, 10, 23, 14)),
    Slot("2", utc(2026, 10, 28, 14)),
    Slot("3", utc(2026, 11, 3, 14)),
)
NOW = utc(2026, 10, 20, 9)


def dst_council() -> tuple[dict[str, object], SelectionRequest]:
    mentors = (
        Mentor("10", timezone="Europe/Berlin", answers={"1": Answer.AVAILABLE}),
        Mentor(
            "11",
            timezone="America/New_York",
            busy=(TimeRange(utc(2026, 10, 28, 13), utc(2026, 10, 28, 15)),),
            alternatives=(TimeRange(utc(2026, 10, 29, 15), utc(2026, 10, 29, 17)),),
        ),
        Mentor("12", timezone="Asia/Tokyo"),
    )
    request = SelectionRequest(
        now=NOW,
        deadline=utc(2026, 10, 22, 17),
        council=Council("7", SLOTS, mentor_minimum=2, mentor_maximum=3, lead_mentor="10"),
        mentors=mentors,
    )
    doc: dict[str, object] = {
        "id": 7,
        "topic": "DST weeks",
        "menteeName": "Ada",
        "mentors": [
            {"mentorId": 10, "name": "Berta Berlin"},
            {"mentorId": 11, "name": "Nora York"},
            {"mentorId": 12, "name": "Taro Tokyo"},
        ],
    }
    return doc, request


def work_starts(bands: tuple[Band, ...], zone: ZoneInfo) -> dict[date, datetime]:
    return {b.start.astimezone(zone).date(): b.start for b in bands if b.kind == "work"}


def night_starts(bands: tuple[Band, ...], zone: ZoneInfo) -> dict[date, datetime]:
    return {b.start.astimezone(zone).date(): b.start for b in bands if b.kind == "night"}


def test_shading_moves_by_the_hour_across_the_european_and_us_change_weeks() -> None:
    doc, request = dst_council()
    overlay = build_overlay(doc, request, "2", NOW, BERLIN)
    rows = {row.key: row for row in overlay.rows}
    berlin = work_starts(rows["10"].bands, BERLIN)
    york = work_starts(rows["11"].bands, NEW_YORK)
    tokyo = work_starts(rows["12"].bands, TOKYO)
    # Berlin 09:00: 07:00 UTC in summer time (CEST), 08:00 UTC after 25 Oct.
    assert berlin[date(2026, 10, 23)] == utc(2026, 10, 23, 7)
    assert berlin[date(2026, 10, 26)] == utc(2026, 10, 26, 8)
    # New York 09:00: 13:00 UTC (EDT) until 1 Nov, 14:00 UTC (EST) after.
    assert york[date(2026, 10, 30)] == utc(2026, 10, 30, 13)
    assert york[date(2026, 11, 2)] == utc(2026, 11, 2, 14)
    # Tokyo has no DST: always 00:00 UTC.
    assert {t.time() for t in tokyo.values()} == {time(0, 0)}
    # The gap Berlin → New York is 5 h in the week between the two changes, 6 h otherwise.
    gaps = {d: (york[d] - berlin[d]) / timedelta(hours=1) for d in berlin if d in york}
    assert gaps[date(2026, 10, 23)] == 6
    assert gaps[date(2026, 10, 26)] == gaps[date(2026, 10, 30)] == 5
    assert gaps[date(2026, 11, 2)] == 6
    # Berlin's night on the change day lasts 10 h (22:00 CEST → 07:00 CET); weekends shaded.
    nights = {b.start: b for b in rows["10"].bands if b.kind == "night"}
    night = nights[utc(2026, 10, 24, 20)]
    assert night.end - night.start == timedelta(hours=10)
    assert night_starts(rows["10"].bands, BERLIN)[date(2026, 10, 25)] == utc(2026, 10, 25, 21)
    day_off = [b for b in rows["10"].bands if b.kind == "day_off"]
    assert day_off[0].start == utc(2026, 10, 24, 5)  # Sat 07:00 CEST
    assert {b.start.astimezone(BERLIN).isoweekday() for b in day_off} == {6, 7}


def test_bands_cover_the_window_exactly_and_alternate() -> None:
    start, end = utc(2026, 3, 27, 0), utc(2026, 4, 2, 0)  # Europe springs forward on 29 Mar
    bands = local_day_bands(start, end, BERLIN, WorkingHours())
    assert bands[0].start == start and bands[-1].end == end
    for a, b in pairwise(bands):
        assert a.end == b.start and a.kind != b.kind
    nights = {b.start: b.end - b.start for b in bands if b.kind == "night"}
    assert nights[utc(2026, 3, 28, 21)] == timedelta(hours=8)  # 22:00 CET → 07:00 CEST
    assert nights[utc(2026, 3, 29, 20)] == timedelta(hours=9)


def test_overnight_working_hours_and_refused_input() -> None:
    hours = WorkingHours(time(22, 0), time(6, 0), frozenset({5}))
    bands = local_day_bands(utc(2026, 12, 4, 12), utc(2026, 12, 5, 12), TOKYO, hours)
    work = [b for b in bands if b.kind == "work"]
    assert [(b.start, b.end) for b in work] == [(utc(2026, 12, 4, 13), utc(2026, 12, 4, 21))]
    with pytest.raises(SchedulingInputError, match="naive"):
        local_day_bands(datetime(2026, 1, 1), utc(2026, 1, 2), BERLIN, hours)
    with pytest.raises(SchedulingInputError, match="after start"):
        local_day_bands(utc(2026, 1, 2), utc(2026, 1, 1), BERLIN, hours)


def test_overlay_rows_slots_proposals_and_busy() -> None:
    doc, request = dst_council()
    overlay = build_overlay(doc, request, "2", NOW, BERLIN)
    assert [row.label for row in overlay.rows] == [
        "★ Berta Berlin · Europe/Berlin",
        "Nora York · America/New_York",
        "Taro Tokyo · Asia/Tokyo",
        "Ada · mentee",
    ]
    mentee = overlay.rows[-1]
    assert isinstance(mentee, PersonRow) and mentee.zone == BERLIN and not mentee.zone_known
    assert [(s.slot_id, s.chosen) for s in overlay.slots] == [
        ("1", False),
        ("2", True),
        ("3", False),
    ]
    assert overlay.slots[1].end - overlay.slots[1].start == timedelta(hours=1)
    assert [(p.name, p.start) for p in overlay.proposals] == [("Nora York", utc(2026, 10, 29, 15))]
    assert overlay.rows[1].busy[0].start == utc(2026, 10, 28, 13)
    # The window: whole Berlin days from today (the first slot is 3 days ahead) to the last.
    assert overlay.start == utc(2026, 10, 19, 22) and overlay.end == utc(2026, 11, 3, 23)
    later = build_overlay(doc, request, "2", NOW - timedelta(days=10), BERLIN)
    assert later.start == utc(2026, 10, 22, 22)  # 13 days ahead: from the first slot's day
    doc["menteeTimezone"] = "Asia/Tokyo"
    assert (
        build_overlay(doc, request, None, NOW, BERLIN).rows[-1].label == "Ada · mentee · Asia/Tokyo"
    )


def test_hover_shows_every_persons_local_time() -> None:
    doc, request = dst_council()
    overlay = build_overlay(doc, request, "2", NOW, BERLIN)
    read = dict(local_times_at(overlay, utc(2026, 10, 28, 14)))
    assert read["Berta Berlin"] == "Wed 15:00 CET · working"
    assert read["Nora York"] == "Wed 10:00 EDT · busy"
    assert read["Taro Tokyo"] == "Wed 23:00 JST · night"


def test_axis_ticks_are_local_midnights_and_hours() -> None:
    start, end = utc(2026, 10, 23, 22), utc(2026, 10, 26, 23)
    major, minor = axis_ticks(start, end, BERLIN, pixels=1200)
    assert [label for _, label in major] == ["Sat 24 Oct", "Sun 25 Oct", "Mon 26 Oct", "Tue 27 Oct"]
    # 25 Oct has 25 hours in Berlin.
    assert major[2][0] - major[1][0] == 25 * 3600
    assert all(label.endswith(":00") for _, label in minor)
    hours = {label for _, label in minor}
    assert "06:00" in hours and "00:00" not in hours


def test_window_without_slots_is_two_local_days_from_today() -> None:
    start, end = overlay_window([], utc(2026, 11, 26, 12), BERLIN)
    assert (start, end) == (utc(2026, 11, 25, 23), utc(2026, 11, 27, 23))
