"""Mentors' calendars over HTTP: connecting (the mentor or staff), refreshing against local
Calendly and feed servers, the busy time reaching the engine and auto-assignment, answers
pre-filled at invitation, possible-conflict alerts, broken calendars, and secrets that
never leave the platform (database file, logs, every API response)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from calendar_fake_server import CalendlyUser, FakeCalendarServer, Feed
from conftest import LiveServer
from p2_helpers import add_mentors, answer, create_council, etag
from sqlalchemy import select

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    Notification,
    NotificationKind,
)
from mentra_platform.calendars.connections import feed_address
from mentra_platform.calendars.refresh import refresh_calendars
from mentra_platform.cli import main as cli_main
from mentra_platform.coordination.worker import run_pass
from mentra_platform.core import config
from mentra_platform.core.errors import Invalid
from mentra_platform.core.tables import Alert, CalendarBusy, CalendarConnection
from mentra_platform.http.app import bind_state

DATA = Path(__file__).parent / "data" / "calendars"
TOKEN = "cal-TOKEN-7f3a9c2e51d04b8f"
FEED_PATH = "private-4c1d9e7a0b2f6358/basic.ics"
MENTOR = 11  # mentor2@example.com: the Google feed's owner
NOW = datetime(2027, 3, 1, tzinfo=UTC)  # the feeds' month; the feeds read from here


@pytest.fixture
def fake() -> Iterator[FakeCalendarServer]:
    server = FakeCalendarServer()
    server.feeds[FEED_PATH] = Feed((DATA / "google.ics").read_bytes())
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def cal_server(
    live_server: LiveServer,
    fake: FakeCalendarServer,
    _servers: dict[str, tuple[uvicorn.Server, Any, str]],
) -> LiveServer:
    """The live server re-bound to settings that point at the fake Calendly."""
    settings = replace(
        live_server.settings,
        calendly_api_base=fake.url,
        calendar_secret_key="calendar-key-for-tests-only-0123456789",
        calendar_horizon_days=140,
        calendar_allow_private_feeds=True,  # the fake feeds are on 127.0.0.1
    )
    backend = "postgres" if live_server.dialect == "postgresql" else "sqlite"
    bind_state(_servers[backend][0].config.app, settings, live_server.db)
    return LiveServer(url=live_server.url, settings=settings, db=live_server.db)


class Recorder:
    """Every response body the tests saw, for the secrets check."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.bodies: list[str] = []

    def __call__(self, method: str, url: str, **kw: Any) -> httpx.Response:
        r = self.client.request(method, url, **kw)
        self.bodies.append(r.text + str(r.headers))
        return r


def _connect(rec: Recorder, headers: dict[str, str], body: dict[str, str]) -> dict[str, Any]:
    r = rec("POST", f"/api/v1/mentors/{MENTOR}/calendars", json=body, headers=headers)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def test_connect_refresh_and_secrets_never_leak(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(client)
    mentor = login(client, "mentor2@example.com")
    other = login(client, "mentor3@example.com")
    coord = login(client, "coordinator@example.com")
    feed_url = fake.feed_url(FEED_PATH)
    fake.tokens[TOKEN] = CalendlyUser("https://api.calendly.com/users/M2")

    ics = _connect(rec, mentor, {"kind": "ics", "url": feed_url})
    assert ics["label"] == "iCalendar feed (127.0.0.1)" and ics["lastRefreshAt"] is None
    # Staff on the mentor's behalf; a retry with the same Idempotency-Key connects once.
    once = {**coord, "Idempotency-Key": "connect-calendly-1"}
    first = _connect(rec, once, {"kind": "calendly", "token": TOKEN})
    assert _connect(rec, once, {"kind": "calendly", "token": TOKEN}) == first

    path = f"/api/v1/mentors/{MENTOR}/calendars"
    assert rec("GET", path, headers=other).status_code == 403
    assert (
        rec("POST", path, json={"kind": "ics", "url": feed_url}, headers=other).status_code == 403
    )
    assert rec("GET", "/api/v1/mentors/2/calendars", headers=coord).status_code == 404
    for body, field in (
        ({"kind": "ics", "token": TOKEN}, "token"),
        ({"kind": "ics", "url": "ftp://" + FEED_PATH}, "url"),
        ({"kind": "calendly", "url": feed_url}, "url"),
        ({"kind": "calendly", "token": TOKEN + " x"}, "token"),
    ):
        r = rec("POST", path, json=body, headers=mentor)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text

    r = rec("POST", path + "/refresh", headers=mentor)
    assert r.status_code == 200, r.text
    assert r.json()["refreshed"] == 2 and r.json()["failed"] == 0
    items = rec("GET", path, headers=mentor).json()["items"]
    assert [(i["kind"], i["busyRanges"], i["lastError"]) for i in items] == [
        ("ics", 8, None),
        ("calendly", 0, None),
    ]
    # Unchanged feed: one conditional request, answered 304, nothing parsed or rewritten.
    before = fake.count("/feeds/" + FEED_PATH)
    r = rec("POST", path + "/refresh", headers=coord)
    assert r.json()["unchanged"] == 1, r.text
    assert fake.count("/feeds/" + FEED_PATH) == before + 1
    rec("GET", f"/api/v1/councils?mentorId={MENTOR}", headers=coord)

    # Disconnect removes the calendar and its busy time.
    r = rec("DELETE", f"{path}/{ics['id']}", headers=mentor)
    assert r.status_code == 204
    with cal_server.session() as s:
        assert s.scalar(select(CalendarBusy.id).where(CalendarBusy.mentor_id == MENTOR)) is None
        sealed = s.scalars(select(CalendarConnection.secret)).all()
    assert sealed and all(TOKEN.encode() not in b for b in sealed)

    schema = rec("GET", "/openapi.json").json()["components"]["schemas"]
    assert "source" in schema["SlotAnswerOut"]["properties"]
    assert "token" not in schema["CalendarOut"]["properties"]

    secrets = (TOKEN, feed_url, FEED_PATH)
    for text in rec.bodies + [r.getMessage() for r in caplog.records] + [caplog.text]:
        assert not any(s in text for s in secrets)
    if cal_server.dialect == "sqlite":
        db_file = Path(cal_server.settings.database_url.removeprefix("sqlite:///"))
        for f in (db_file, db_file.with_name(db_file.name + "-wal")):
            if f.exists():
                raw = f.read_bytes()
                assert not any(s.encode() in raw for s in secrets), f


def _hour(days: int, hour: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def _z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _slots() -> list[dict[str, str]]:
    # A: Monday 2027-03-08 09:00Z (the feed's team sync), B: 13:00Z (free), C: 2027-03-10
    # 15:00Z (the feed's investor call).
    return [
        {"start": "2027-03-08T09:00:00Z"},
        {"start": "2027-03-08T13:00:00Z"},
        {"start": "2027-03-10T15:00:00Z"},
    ]


def _decision(client: httpx.Client, headers: dict[str, str], cid: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/councils/{cid}/decision", headers=headers)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def test_busy_time_moves_the_engine_raises_conflicts_and_prefills(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
) -> None:
    coord = login(client, "coordinator@example.com")
    mentors = [10, MENTOR, 12]
    council = create_council(client, coord, _slots(), mentorMinimum=3, mentorMaximum=3)
    cid = council["id"]
    tag = add_mentors(client, coord, cid, mentors)
    r = client.post(f"/api/v1/councils/{cid}/invitations", headers={**coord, "If-Match": tag})
    assert r.status_code == 200, r.text
    slot_a, slot_b, slot_c = (s["id"] for s in council["proposedTimeSlots"])
    answer(client, cid, mentors, {slot_a: "available", slot_b: "unavailable"})
    answer(client, cid, mentors, {slot_c: "unavailable"})
    before = _decision(client, coord, cid)
    assert (before["status"], before["slotId"]) == ("confirmed", slot_a)

    mentor = login(client, "mentor2@example.com")
    r = client.post(
        f"/api/v1/mentors/{MENTOR}/calendars",
        json={"kind": "ics", "url": fake.feed_url(FEED_PATH)},
        headers=mentor,
    )
    assert r.status_code == 201
    report = refresh_calendars(cal_server.db, cal_server.settings, NOW)
    assert report.refreshed == 1 and report.conflicts == 1

    decision = _decision(client, coord, cid)
    # Mentor 11 is busy at A whatever they answered: no slot reaches the minimum any more.
    assert (decision["status"], decision["slotId"]) == ("needs_alternatives", None)
    row_a = next(r for r in decision["explanation"]["table"] if r["slotId"] == slot_a)
    assert MENTOR in row_a["busy"] and not row_a["feasible"]
    doc = client.get(f"/api/v1/councils/{cid}", headers=coord).json()
    busy = next(m for m in doc["mentors"] if m["mentorId"] == MENTOR)["busy"]
    assert ["2027-03-08T09:00:00Z", "2027-03-08T10:00:00Z"] in busy
    with cal_server.session() as s:
        alerts = s.scalars(select(Alert).where(Alert.council_id == cid)).all()
    assert [(a.kind.value, a.details["slotId"]) for a in alerts] == [("calendar_conflict", slot_a)]
    assert "Possible conflict: mentor 11" in alerts[0].message
    # The same busy time on the next refresh raises nothing new.
    fake.feeds[FEED_PATH] = Feed((DATA / "google.ics").read_bytes() + b"\r\n")
    assert refresh_calendars(cal_server.db, cal_server.settings, NOW, due_only=False).conflicts == 0
    # Nor does the same range clipped by a later refresh (its start is now 09:30).
    fake.feeds[FEED_PATH] = Feed((DATA / "google.ics").read_bytes() + b"\r\n\r\n")
    during = refresh_calendars(cal_server.db, cal_server.settings, _z("2027-03-08T09:30"))
    assert (during.refreshed, during.conflicts) == (1, 0)

    # A council invited now has mentor 11's answers pre-filled from the calendar.
    second = create_council(client, coord, _slots(), mentorMinimum=3, mentorMaximum=3)
    tag = add_mentors(client, coord, second["id"], mentors)
    r = client.post(
        f"/api/v1/councils/{second['id']}/invitations", headers={**coord, "If-Match": tag}
    )
    assert r.status_code == 200, r.text
    a2, b2, c2 = (s["id"] for s in second["proposedTimeSlots"])

    def answers() -> dict[int, tuple[str, str | None]]:
        doc = client.get(f"/api/v1/councils/{second['id']}", headers=coord).json()
        seat = next(m for m in doc["mentors"] if m["mentorId"] == MENTOR)
        return {a["slotId"]: (a["answer"], a["source"]) for a in seat["slotAnswers"]}

    assert answers() == {a2: ("unavailable", "calendar"), c2: ("unavailable", "calendar")}
    answer(client, second["id"], [MENTOR], {a2: "available"})  # the mentor may change it
    assert answers()[a2] == ("available", None)
    assert answers()[c2] == ("unavailable", "calendar")
    assert b2 not in answers()


def test_broken_calendars_alert_and_change_nothing(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
) -> None:
    mentor = login(client, "mentor2@example.com")
    path = f"/api/v1/mentors/{MENTOR}/calendars"
    fake.tokens[TOKEN] = CalendlyUser(
        "https://api.calendly.com/users/M2",
        schedules=[{"default": True, "timezone": "UTC", "rules": []}],
    )
    client.post(path, json={"kind": "ics", "url": fake.feed_url(FEED_PATH)}, headers=mentor)
    client.post(path, json={"kind": "calendly", "token": TOKEN}, headers=mentor)
    assert refresh_calendars(cal_server.db, cal_server.settings, NOW).failed == 0

    fake.feeds[FEED_PATH] = Feed((DATA / "malformed.ics").read_bytes())
    del fake.tokens[TOKEN]  # revoked
    for _ in range(2):
        report = refresh_calendars(cal_server.db, cal_server.settings, NOW, due_only=False)
        assert report.failed == 2
    items = {i["kind"]: i for i in client.get(path, headers=mentor).json()["items"]}
    assert items["ics"]["busyRanges"] == 8  # unchanged
    assert items["ics"]["lastError"].startswith("The feed has an event that cannot be read")
    assert "expired or revoked" in items["calendly"]["lastError"]
    assert items["calendly"]["hasAvailabilitySchedule"]  # kept from the last good read
    with cal_server.session() as s:
        kinds = sorted(
            a.kind.value for a in s.scalars(select(Alert)) if a.kind.value.startswith("calendar_")
        )
    assert kinds == ["calendar_feed_error", "calendar_token_expired"]  # once per episode

    rekeyed = replace(cal_server.settings, calendar_secret_key="a-different-key-after-a-restore")
    assert refresh_calendars(cal_server.db, rekeyed, NOW, due_only=False).failed == 2
    items = {i["kind"]: i for i in client.get(path, headers=mentor).json()["items"]}
    assert "calendar key does not open" in items["ics"]["lastError"]

    fake.feeds[FEED_PATH] = Feed(b"<html>Moved</html>")
    refresh_calendars(cal_server.db, cal_server.settings, NOW, due_only=False)
    items = {i["kind"]: i for i in client.get(path, headers=mentor).json()["items"]}
    assert "not iCalendar data" in items["ics"]["lastError"] and items["ics"]["busyRanges"] == 8


def test_auto_assign_passes_over_a_mentor_busy_in_every_slot(
    cal_server: LiveServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
) -> None:
    coord = login(client, "coordinator@example.com")

    def auto(cid: int) -> list[int]:
        r = client.post(
            f"/api/v1/councils/{cid}/mentors/auto-assign",
            json={},
            headers={**coord, "If-Match": etag(client, coord, cid)},
        )
        assert r.status_code == 200, r.text
        return sorted(m["mentorId"] for m in r.json()["mentors"])

    first = create_council(client, coord, _slots())
    picked = auto(first["id"])
    with cal_server.session() as s:
        for mid in picked:
            conn = CalendarConnection(mentor_id=mid, kind="ics", secret=b"x", label="test")
            s.add(conn)
            s.flush()
            s.add(
                CalendarBusy(
                    connection_id=conn.id,
                    mentor_id=mid,
                    starts_at=datetime(2027, 3, 8, tzinfo=UTC),
                    ends_at=datetime(2027, 3, 11, tzinfo=UTC),
                )
            )
        s.commit()
    second = create_council(client, coord, _slots())
    again = auto(second["id"])
    assert again and not set(again) & set(picked)


def test_conflict_after_confirmation_tells_the_coordinator(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
) -> None:
    with cal_server.session() as s:
        council = CouncilSession(
            topic="Hiring a first engineer",
            mentee_id=9,
            created_by_id=2,
            coordination_status=CoordinationStatus.CONFIRMED,
            final_time_confirmed=True,
            slots=[
                CouncilSlot(
                    position=0, starts_at=_z("2027-03-10T15:00"), ends_at=_z("2027-03-10T16:00")
                )
            ],
            mentors=[CouncilMentor(mentor_id=m, attending=True) for m in (10, MENTOR, 12)],
        )
        s.add(council)
        s.flush()
        council.final_slot_id = council.slots[0].id
        cid = council.id
        s.commit()
    mentor = login(client, "mentor2@example.com")
    r = client.post(
        f"/api/v1/mentors/{MENTOR}/calendars",
        json={"kind": "ics", "url": fake.feed_url(FEED_PATH)},
        headers=mentor,
    )
    assert r.status_code == 201
    assert refresh_calendars(cal_server.db, cal_server.settings, NOW).conflicts == 1
    with cal_server.session() as s:
        alert = s.scalars(select(Alert).where(Alert.council_id == cid)).one()
        note = s.scalars(
            select(Notification).where(
                Notification.council_id == cid, Notification.kind == NotificationKind.ALERT
            )
        ).one()
    assert alert.kind.value == "calendar_conflict_confirmed"
    assert "is confirmed for \u201cHiring a first engineer\u201d at 2027-03-10 15:00 UTC" in (
        alert.message
    )
    assert note.recipient_id == 2 and "Possible calendar conflict" in note.subject

    # Busy time exactly the session's own (its invite synced into Calendly) is no conflict.
    fake.tokens[TOKEN] = CalendlyUser("https://api.calendly.com/users/M2")
    with cal_server.session() as s:
        own = CouncilSession(
            topic="Own session",
            mentee_id=9,
            created_by_id=2,
            coordination_status=CoordinationStatus.CONFIRMED,
            slots=[CouncilSlot(position=0, starts_at=_hour(3, 10), ends_at=_hour(3, 11))],
            mentors=[CouncilMentor(mentor_id=MENTOR, attending=True)],
        )
        s.add(own)
        s.flush()
        own.final_slot_id = own.slots[0].id
        s.commit()
    fake.tokens[TOKEN].busy = [(_hour(3, 10), _hour(3, 11)), (_hour(4, 10), _hour(4, 11))]
    r = client.post(
        f"/api/v1/mentors/{MENTOR}/calendars",
        json={"kind": "calendly", "token": TOKEN},
        headers=mentor,
    )
    assert r.status_code == 201
    assert refresh_calendars(cal_server.db, cal_server.settings, datetime.now(UTC)).conflicts == 0


def test_calendly_hours_prefill_through_the_cli_and_the_worker(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake.tokens[TOKEN] = CalendlyUser(
        "https://api.calendly.com/users/M2",
        schedules=[
            {"default": False, "timezone": "UTC", "rules": []},
            {
                "default": True,
                "timezone": "Europe/London",
                "rules": [
                    {
                        "type": "wday",
                        "wday": "monday",
                        "intervals": [{"from": "12:00", "to": "18:00"}],
                    },
                ],
            },
        ],
    )
    mentor = login(client, "mentor2@example.com")
    r = client.post(
        f"/api/v1/mentors/{MENTOR}/calendars",
        json={"kind": "calendly", "token": TOKEN},
        headers=mentor,
    )
    assert r.status_code == 201
    monkeypatch.setenv("DATABASE_URL", cal_server.settings.database_url)
    monkeypatch.setenv("MENTRA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CALENDAR_SECRET_KEY", cal_server.settings.calendar_secret_key)
    monkeypatch.setenv("CALENDLY_API_BASE", fake.url)
    monkeypatch.setattr(config, "_settings", None)
    now = datetime.now(UTC).isoformat()
    assert cli_main(["calendars", "refresh", "--mentor", str(MENTOR), "--now", now]) == 0
    assert "1 read, 0 unchanged, 0 failed" in capsys.readouterr().out
    assert fake.count("/user_availability_schedules") == 1

    coord = login(client, "coordinator@example.com")
    council = create_council(client, coord, _slots(), mentorMinimum=3, mentorMaximum=3)
    tag = add_mentors(client, coord, council["id"], [10, MENTOR, 12])
    r = client.post(
        f"/api/v1/councils/{council['id']}/invitations", headers={**coord, "If-Match": tag}
    )
    assert r.status_code == 200, r.text
    a, _b, c = (s["id"] for s in council["proposedTimeSlots"])
    doc = client.get(f"/api/v1/councils/{council['id']}", headers=coord).json()
    seat = next(m for m in doc["mentors"] if m["mentorId"] == MENTOR)
    # Monday 09:00Z is before 12:00 London; Wednesday has no hours; Monday 13:00Z is inside.
    assert {x["slotId"]: (x["answer"], x["source"]) for x in seat["slotAnswers"]} == {
        a: ("unavailable", "calendar"),
        c: ("unavailable", "calendar"),
    }

    # The worker's pass reads calendars that are due, and only those.
    later = datetime.now(UTC) + timedelta(minutes=cal_server.settings.calendar_refresh_minutes)
    calls = fake.count("/user_busy_times")
    run_pass(cal_server.db, cal_server.settings, datetime.now(UTC), deliver_messages=False)
    assert fake.count("/user_busy_times") == calls  # not due yet
    run_pass(cal_server.db, cal_server.settings, later + timedelta(seconds=1),
             deliver_messages=False)  # fmt: skip
    assert fake.count("/user_busy_times") > calls


def test_feeds_on_private_addresses_are_refused_unless_allowed(
    cal_server: LiveServer,
    fake: FakeCalendarServer,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
) -> None:
    mentor = login(client, "mentor2@example.com")
    path = f"/api/v1/mentors/{MENTOR}/calendars"
    # Allowed here: a redirect is followed to the feed.
    fake.feeds["moved.ics"] = Feed(b"", location=f"/feeds/{FEED_PATH}")
    r = client.post(path, json={"kind": "ics", "url": fake.feed_url("moved.ics")}, headers=mentor)
    assert r.status_code == 201
    assert refresh_calendars(cal_server.db, cal_server.settings, NOW).refreshed == 1

    strict = replace(cal_server.settings, calendar_allow_private_feeds=False)
    report = refresh_calendars(cal_server.db, strict, NOW, due_only=False)
    assert report.failed == 1
    items = client.get(path, headers=mentor).json()["items"]
    assert "private network" in items[0]["lastError"] and items[0]["busyRanges"] == 8
    for url in ("http://127.0.0.1:5432/x.ics", "https://localhost/x.ics", "http://[::1]/a.ics",
                "http://169.254.169.254/latest/meta-data"):  # fmt: skip
        assert feed_address(url, allow_private=True) == url
        with pytest.raises(Invalid) as info:
            feed_address(url)
        assert info.value.errors[0][0] == "url" and "private network" in info.value.errors[0][1]
    assert (
        feed_address("webcal://calendar.example.com/a.ics") == "https://calendar.example.com/a.ics"
    )
