"""Reading calendars: iCalendar feeds shaped like Google and Outlook exports, checked to the
minute, and the Calendly client against a local server that enforces Calendly's rules."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from calendar_fake_server import CalendlyUser, FakeCalendarServer

from mentra_platform.calendars.calendly import CalendlyClient, RateLimited, TokenRejected
from mentra_platform.calendars.feeds import FeedError, busy_from_feed
from mentra_platform.calendars.hours import inside_hours

DATA = Path(__file__).parent / "data" / "calendars"
LO = datetime(2027, 3, 1, tzinfo=UTC)
HI = datetime(2027, 5, 1, tzinfo=UTC)


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _ranges(data: bytes, **kw: object) -> list[tuple[str, str]]:
    got = busy_from_feed(data, LO, HI, **kw)  # type: ignore[arg-type]
    return [(r.start.strftime("%m-%d %H:%M"), r.end.strftime("%m-%d %H:%M")) for r in got]


def test_google_export_busy_to_the_minute() -> None:
    got = _ranges(
        (DATA / "google.ics").read_bytes(),
        own_addresses=["mentor2@example.com"],
        invite_host="127.0.0.1",
    )
    assert got == [
        ("03-08 09:00", "03-08 10:00"),  # weekly Monday 10:00 Berlin, CET
        ("03-10 15:00", "03-10 16:30"),  # a single event written in UTC
        ("03-13 08:00", "03-13 08:30"),  # floating 09:00 in the calendar's zone
        ("03-15 13:00", "03-15 14:00"),  # the exception: moved to 14:00
        ("03-16 12:00", "03-16 13:00"),  # accepted; the declined one at 08:00 is free
        ("03-16 23:00", "03-18 23:00"),  # all-day vacation marked busy, Berlin midnights
        # 03-22 cancelled instance; 03-24 unmarked all-day reminder; 03-30 our own invite
        ("03-29 08:00", "03-29 09:00"),  # after the DST change: 10:00 CEST
        ("04-12 08:00", "04-12 09:00"),  # 04-05 removed by EXDATE
    ]


def test_outlook_export_windows_zone_names() -> None:
    got = _ranges((DATA / "outlook.ics").read_bytes(), default_zone="America/Los_Angeles")
    assert got == [
        ("03-03 17:00", "03-03 18:00"),  # Wednesday 09:00 Pacific Standard Time (PST)
        ("03-10 19:00", "03-10 20:00"),  # the exception, moved to 11:00
        ("03-17 16:00", "03-17 17:00"),  # US DST began 03-14: 09:00 PDT
        ("03-19 07:00", "03-20 07:00"),  # all-day out of office, the mentor's midnights
    ]  # focus time (FREE) and the birthday are free; 03-24 is an EXDATE


def test_x_wr_timezone_in_windows_form() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nX-WR-TIMEZONE:W. Europe Standard Time\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270310T090000\r\n"
        "DTEND:20270310T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert _ranges(text.encode()) == [("03-10 08:00", "03-10 09:00")]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ((DATA / "malformed.ics").read_bytes(), "cannot be read"),
        (b"<!DOCTYPE html><html>Sign in</html>", "not iCalendar data"),
        (b"", "not iCalendar data"),
        (
            b"BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Mars/Olympus\r\nEND:VCALENDAR\r\n",
            "unknown time zone",
        ),
    ],
)
def test_unreadable_feeds_say_why(body: bytes, needle: str) -> None:
    with pytest.raises(FeedError, match=needle):
        busy_from_feed(body, LO, HI)


def test_availability_schedule_hours_with_date_override() -> None:
    schedule = {
        "timezone": "America/New_York",
        "rules": [
            {"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "17:00"}]},
            {"type": "date", "date": "2027-03-15", "intervals": []},
        ],
    }
    # Monday 2027-03-08 09:00-10:00 EST = 14:00-15:00Z; 13:00-14:00Z is 08:00 local.
    assert inside_hours(schedule, _z("2027-03-08T14:00"), _z("2027-03-08T15:00"))
    assert not inside_hours(schedule, _z("2027-03-08T13:00"), _z("2027-03-08T14:00"))
    assert not inside_hours(schedule, _z("2027-03-09T14:00"), _z("2027-03-09T15:00"))  # Tue
    assert not inside_hours(schedule, _z("2027-03-15T14:00"), _z("2027-03-15T15:00"))  # day off
    # After US DST (2027-03-14) 09:00 EDT is 13:00Z.
    assert inside_hours(schedule, _z("2027-03-22T13:00"), _z("2027-03-22T14:00"))


@pytest.fixture
def fake() -> Iterator[FakeCalendarServer]:
    server = FakeCalendarServer()
    try:
        yield server
    finally:
        server.close()


def _hour(now: datetime, days: int, hour: int) -> datetime:
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_calendly_walks_seven_day_windows_from_now(fake: FakeCalendarServer) -> None:
    now = datetime.now(UTC)
    uri = "https://api.calendly.com/users/AAAA"
    fake.tokens["tok-good"] = CalendlyUser(
        uri,
        busy=[(_hour(now, 3, 10), _hour(now, 3, 11)), (_hour(now, 20, 9), _hour(now, 20, 12))],
        schedules=[{"default": True, "timezone": "Europe/Berlin", "rules": []}],
    )
    with httpx.Client(timeout=5) as http:
        reading = CalendlyClient(http, fake.url, "tok-good").read(None, now, timedelta(days=30))
    windows = [q for _m, p, q in fake.requests if p == "/user_busy_times"]
    assert len(windows) == 5  # 30 days in 7-day steps
    starts = [datetime.fromisoformat(q["start_time"][0].replace("Z", "+00:00")) for q in windows]
    assert starts[0] > now and starts == sorted(starts)
    assert reading.user_uri == uri
    assert [(r.start, r.end) for r in reading.busy] == [
        (_hour(now, 3, 10), _hour(now, 3, 11)),
        (_hour(now, 20, 9), _hour(now, 20, 12)),
    ]
    assert reading.availability == {"timezone": "Europe/Berlin", "rules": []}


def test_calendly_honours_retry_after_and_refuses_bad_tokens(fake: FakeCalendarServer) -> None:
    now = datetime.now(UTC)
    fake.tokens["tok-good"] = CalendlyUser("https://api.calendly.com/users/B")
    waits: list[float] = []
    fake.throttle, fake.retry_after = 2, "3"
    with httpx.Client(timeout=5) as http:
        CalendlyClient(http, fake.url, "tok-good", sleep=waits.append).read(
            None, now, timedelta(days=7)
        )
        assert waits == [3.0, 3.0]
        fake.throttle, fake.retry_after = 1, "3600"
        with pytest.raises(RateLimited):
            CalendlyClient(http, fake.url, "tok-good").read(None, now, timedelta(days=7))
        with pytest.raises(TokenRejected) as info:
            CalendlyClient(http, fake.url, "tok-secret-bad").read(None, now, timedelta(days=7))
    assert "tok-secret-bad" not in str(info.value)


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _long_feed(rnd: random.Random, start: datetime, singles: int, series: int) -> bytes:
    """Single events over three years and weekly series with an EXDATE and a moved
    instance, in Berlin time, some multi-day and some given by DURATION."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:test", "X-WR-TIMEZONE:Europe/Berlin"]
    for i in range(singles):
        s = start + timedelta(minutes=30 * rnd.randint(0, 3 * 365 * 48))
        length = timedelta(minutes=30 * rnd.randint(1, 4 if i % 7 else 200))
        end = f"DTEND:{_stamp(s + length)}" if i % 3 else f"DURATION:PT{length.seconds // 60}M"
        lines += ["BEGIN:VEVENT", f"UID:s{i}", f"DTSTAMP:{_stamp(start)}",
                  f"DTSTART:{_stamp(s)}", end, "END:VEVENT"]  # fmt: skip
    for j in range(series):
        first = start + timedelta(days=rnd.randint(0, 3 * 365))
        day = [(first + timedelta(weeks=w)).strftime("%Y%m%d") + "T100000" for w in range(4)]
        lines += ["BEGIN:VEVENT", f"UID:r{j}", f"DTSTAMP:{_stamp(start)}",
                  f"DTSTART;TZID=Europe/Berlin:{day[0]}", "DURATION:PT1H",
                  f"RRULE:FREQ=WEEKLY;COUNT={rnd.randint(5, 80)}",
                  f"EXDATE;TZID=Europe/Berlin:{day[2]}", "END:VEVENT",
                  "BEGIN:VEVENT", f"UID:r{j}", f"DTSTAMP:{_stamp(start)}",
                  f"RECURRENCE-ID;TZID=Europe/Berlin:{day[3]}",
                  f"DTSTART;TZID=Europe/Berlin:{day[3][:9]}170000", "DURATION:PT1H",
                  "END:VEVENT"]  # fmt: skip
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines).encode()


def test_cutting_the_feed_before_parsing_changes_no_range() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    data = _long_feed(random.Random(3), start, singles=500, series=30)
    for days in (30, 700):
        lo = start + timedelta(days=days)
        hi = lo + timedelta(days=90)
        cut = busy_from_feed(data, lo, hi)
        assert cut == busy_from_feed(data, lo, hi, prefilter=False)
        assert len(cut) > 15  # the window holds busy time, so the comparison means something


def test_secrets_are_sealed_with_a_key_kept_in_a_0600_file(tmp_path: Path) -> None:
    from mentra_platform.calendars.crypto import seal, unseal
    from mentra_platform.core.config import Settings
    from mentra_platform.core.errors import Unavailable

    key_file = tmp_path / "data" / "calendar_key"
    settings = Settings(database_url="sqlite://", secret_key="s", calendar_key_file=str(key_file))
    secret = "https://calendar.example.com/private-0a1b2c/basic.ics"
    sealed = seal(settings, secret)
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert secret.encode() not in sealed and sealed != seal(settings, secret)  # random IV
    assert unseal(settings, sealed) == secret
    other = Settings(database_url="sqlite://", secret_key="s", calendar_secret_key="another")
    with pytest.raises(Unavailable) as info:
        unseal(other, sealed)
    assert "private" not in info.value.detail
