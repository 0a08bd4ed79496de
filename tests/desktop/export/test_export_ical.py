"""The .ics export: parsed back by icalendar and vobject, and the same events — UID,
times, organizer, attendees, video link — as the platform's own invites for the same
councils (built by the platform's invite code over the same database)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from export_helpers import synced_documents

from mentra_desktop.export.ical import (
    IcsOptions,
    NotExportable,
    build_calendar,
    invite_facts,
    select_confirmed,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


PUBLIC_BASE_URL = "https://councils.mentra.example:8443"
MAIL_FROM = '"Mentra, Council Desk" <desk@mentra.example>'
"""A deployment addressed unlike the desktop's view of it (not 127.0.0.1, not the default
MAIL_FROM; a name that must be quoted), so only the document can tell the export."""
REGISTRANT = 3
"""A second user, registered below for one confirmed council beside its mentee."""


@pytest.fixture
def addressed_platform(_shared_platform: Any, platform_db_url: str) -> Iterator[tuple[str, Any]]:
    """The live platform on this test's database, run with :data:`PUBLIC_BASE_URL` and
    :data:`MAIL_FROM`; yields ``(its URL, its settings)``."""
    from platform_support import platform_settings

    from mentra_platform.core.db import make_database
    from mentra_platform.http.app import bind_state

    settings = platform_settings(
        platform_db_url, public_base_url=PUBLIC_BASE_URL, mail_from=MAIL_FROM
    )
    db = make_database(settings)
    bind_state(_shared_platform.server.config.app, settings, db)
    try:
        yield _shared_platform.url, settings
    finally:
        db.dispose()


def _platform_invites(settings: Any, ids: list[int]) -> dict[int, icalendar.Event]:
    """The platform's REQUEST invite of each council, as its mail carries it (the
    platform's own invite code, over the same database and settings)."""
    from mentra_desktop.models import CouncilSession
    from mentra_platform.core.db import make_database
    from mentra_platform.notifications.invites import build_invite, council_uid
    from mentra_platform.notifications.rendering import invite_facts as platform_facts

    db = make_database(settings)
    out = {}
    try:
        with db.write() as session:
            for council_id in ids:
                council = session.get(CouncilSession, council_id)
                assert council is not None
                data = build_invite(
                    platform_facts(session, settings, council),
                    "REQUEST",
                    uid=council_uid(council.id, settings.public_base_url),
                    now=NOW,
                )
                cal = icalendar.Calendar.from_ical(data)
                out[council_id] = next(iter(cal.walk("VEVENT")))
    finally:
        db.dispose()
    return out


def _prepare(settings: Any) -> tuple[int, int]:
    """Give one confirmed council a raised invite sequence (as after a reschedule) and a
    second registered mentee; returns ``(that council, its sequence)``."""
    from sqlalchemy import select

    from mentra_desktop.models import CoordinationStatus, CouncilSession, Registration
    from mentra_platform.core.db import make_database

    db = make_database(settings)
    try:
        with db.write() as session:
            council = session.scalars(
                select(CouncilSession)
                .where(CouncilSession.coordination_status == CoordinationStatus.CONFIRMED)
                .order_by(CouncilSession.id)
            ).first()
            assert council is not None
            council.invite_sequence = 3
            session.add(Registration(council_id=council.id, user_id=REGISTRANT))
            session.commit()
            return council.id, 3
    finally:
        db.dispose()


def _people(event: icalendar.Event) -> dict[str, tuple[str, str]]:
    found = event.get("attendee")
    attendees = found if isinstance(found, list) else [found]
    return {str(a).lower(): (str(a.params["CN"]), str(a.params["ROLE"])) for a in attendees}


def _assert_same_event(event: icalendar.Event, theirs: icalendar.Event) -> None:
    """The export's event is the platform's invite: UID, SEQUENCE, times, ORGANIZER (and
    its name), every ATTENDEE with name and role, text and link."""
    assert event["uid"] == theirs["uid"]
    assert event.get("sequence") is not None and event["sequence"] == theirs["sequence"]
    assert event.decoded("dtstart") == theirs.decoded("dtstart")
    assert event.decoded("dtend") == theirs.decoded("dtend")
    assert str(event["organizer"]) == str(theirs["organizer"])
    assert str(event["organizer"].params["CN"]) == str(theirs["organizer"].params["CN"])
    assert str(event["summary"]) == str(theirs["summary"])
    assert str(event["description"]) == str(theirs["description"])
    assert str(event["url"]) == str(theirs["url"]).strip()
    assert _people(event) == _people(theirs)


def test_confirmed_councils_match_the_platform_invites(
    addressed_platform: tuple[str, Any], tmp_path: Path
) -> None:
    url, settings = addressed_platform
    raised, sequence = _prepare(settings)
    docs = synced_documents(url, tmp_path / "cache.sqlite3")
    confirmed = select_confirmed(docs, None, None)
    expected_ids = sorted(d["id"] for d in docs if d["coordinationStatus"] == "confirmed")
    assert len(expected_ids) >= 10
    assert sorted(d["id"] for d in confirmed) == expected_ids

    # The desktop knows the platform only as 127.0.0.1 with no MAIL_FROM: the documents
    # must say how the invites were addressed.
    data = build_calendar(confirmed, IcsOptions(public_url=url), NOW)
    cal = icalendar.Calendar.from_ical(data)
    events = {int(str(e["uid"]).split("-")[1].split("@")[0]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == expected_ids
    assert not cal.walk("VTIMEZONE") and b"TZID" not in data  # UTC times need none
    assert b"METHOD:" not in data  # a file to import, not an iTIP message
    platform_invites = _platform_invites(settings, expected_ids)
    by_id = {d["id"]: d for d in docs}

    for council_id, event in events.items():
        theirs = platform_invites[council_id]
        _assert_same_event(event, theirs)
        assert str(event["uid"]) == f"council-{council_id}@councils.mentra.example"
        assert event["sequence"] == (sequence if council_id == raised else 0)
        assert str(event["organizer"]) == "mailto:desk@mentra.example"
        assert event["organizer"].params["CN"] == "Mentra, Council Desk"
        assert event.decoded("dtstart").tzinfo is not None
        assert event.decoded("dtstamp") == NOW and event.decoded(
            "dtstamp"
        ).utcoffset() == timedelta(0)
        assert str(event["url"]) in str(event["description"])
        assert str(event["status"]) == "CONFIRMED"
        people = _people(event)
        # The mentors (one lead as CHAIR) and the mentee, as the platform invites them.
        assert sum(role == "CHAIR" for _, role in people.values()) == 1
        mentee = by_id[council_id]["menteeEmail"]
        assert mentee and f"mailto:{mentee}" in people
        assert any(a.startswith("mailto:mentor") for a in people)
    (registrant,) = [r for r in by_id[raised]["registrants"] if r["userId"] == REGISTRANT]
    assert registrant["email"] != by_id[raised]["menteeEmail"]
    assert f"mailto:{registrant['email']}" in _people(events[raised])  # the registrant too

    # A second, independent parser reads the same file.
    parsed = vobject.readOne(data.decode("utf-8"))
    assert len(parsed.vevent_list) == len(expected_ids)
    for vevent in parsed.vevent_list:
        assert vevent.dtstamp.value.utcoffset() == timedelta(0)
        assert vevent.organizer.value == "mailto:desk@mentra.example"
        assert vevent.attendee_list and all(
            a.value.startswith("mailto:") for a in vevent.attendee_list
        )
        assert vevent.url.value in vevent.description.value

    # One council alone: the same event, and a collecting council has none.
    one = build_calendar([confirmed[0]], IcsOptions(public_url=url), NOW)
    (single,) = icalendar.Calendar.from_ical(one).walk("VEVENT")
    assert single["uid"] == events[int(confirmed[0]["id"])]["uid"]
    collecting = next(d for d in docs if d["coordinationStatus"] == "collecting")
    with pytest.raises(NotExportable, match=f"council {collecting['id']} is not confirmed"):
        build_calendar([collecting], IcsOptions(public_url=url), NOW)


def _moved(doc: dict[str, Any], start: datetime, new_id: int) -> dict[str, Any]:
    """``doc`` as another council whose final slot starts at ``start``."""
    moved = copy.deepcopy(doc)
    moved["id"] = new_id
    for slot in moved["proposedTimeSlots"]:
        if slot["id"] == moved["finalSlotId"]:
            slot["start"] = start.isoformat()
            slot["end"] = (start + timedelta(hours=1)).isoformat()
    return moved


@pytest.fixture(scope="module")
def confirmed_doc(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One confirmed council document, as the platform sends it (stable sample)."""
    return {
        "id": 1,
        "topic": "Hiring =your first ten engineers",
        "description": "Goals: a hiring plan.",
        "menteeId": 9,
        "menteeName": "Casey Council",
        "menteeEmail": "council@example.com",
        "leadMentorId": 21,
        "coordinationStatus": "confirmed",
        "finalSlotId": 5,
        "videoLink": "https://meet.example.com/c1",
        "proposedTimeSlots": [
            {"id": 5, "start": "2027-03-14T15:00:00+00:00", "end": "2027-03-14T16:00:00+00:00"},
            {"id": 6, "start": "2027-03-15T15:00:00+00:00", "end": "2027-03-15T16:00:00+00:00"},
        ],
        "mentors": [
            {"id": 3, "mentorId": 22, "name": None, "email": "zed@example.com", "attending": True},
            {
                "id": 2,
                "mentorId": 21,
                "name": "Lead Lee",
                "email": "lee@example.com",
                "isLead": True,
                "attending": True,
            },
            {
                "id": 4,
                "mentorId": 23,
                "name": "No Show",
                "email": "no@example.com",
                "attending": False,
            },
        ],
    }


def test_local_times_carry_a_vtimezone_for_every_tzid_across_dst(
    confirmed_doc: dict[str, Any],
) -> None:
    # The US change (14 March 2027), the European one (28 March) and a winter slot.
    starts = [
        datetime(2027, 3, 14, 6, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2027, 1, 10, 9, 0, tzinfo=UTC),
    ]
    docs = [_moved(confirmed_doc, s, n) for n, s in enumerate(starts, 1)]
    for zone in ("America/New_York", "Europe/Berlin"):
        options = IcsOptions(public_url="https://mentra.example.com", zone=ZoneInfo(zone))
        data = build_calendar(docs, options, NOW)
        cal = icalendar.Calendar.from_ical(data)
        declared = {str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")}
        used = {
            str(prop.params["TZID"])
            for component in cal.walk()
            for prop in component.values()
            if hasattr(prop, "params") and "TZID" in prop.params
        }
        assert used == {zone} and declared == used
        assert f"DTSTART;TZID={zone}:".encode() in data
        got = sorted(e.decoded("dtstart").astimezone(UTC) for e in cal.walk("VEVENT"))
        assert got == sorted(starts)
        vcal = vobject.readOne(data.decode("utf-8"))
        assert sorted(v.dtstart.value.astimezone(UTC) for v in vcal.vevent_list) == sorted(starts)
        assert all(str(e["uid"]).endswith("@mentra.example.com") for e in cal.walk("VEVENT"))
    berlin = ZoneInfo("Europe/Berlin")
    local = [s.astimezone(berlin).strftime("%H:%M") for s in starts[1:3]]
    assert local == ["01:30", "03:30"]  # the hour the clocks skip is not an hour apart


def test_attendees_lead_first_as_chair_then_seats_then_the_mentee(
    confirmed_doc: dict[str, Any],
) -> None:
    facts = invite_facts(confirmed_doc, "Ops <ops@example.com>")
    assert [(a.email, a.name, a.role) for a in facts.attendees] == [
        ("lee@example.com", "Lead Lee", "CHAIR"),
        ("zed@example.com", "zed", "REQ-PARTICIPANT"),
        ("council@example.com", "Casey Council", "REQ-PARTICIPANT"),
    ]
    data = build_calendar(
        [confirmed_doc], IcsOptions("https://x.example", "Ops <ops@example.com>"), NOW
    )
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["organizer"]) == "mailto:ops@example.com"
    assert event["organizer"].params["CN"] == "Ops"
    assert "SEQUENCE" not in event  # the document does not say which invite sequence


def test_the_documents_invite_fields_win_over_the_options(confirmed_doc: dict[str, Any]) -> None:
    doc = copy.deepcopy(confirmed_doc) | {
        "inviteUid": "council-1@councils.example",
        "inviteSequence": 4,
        "organizer": {"name": 'Desk "A", \\B', "address": "desk@councils.example"},
        "registrants": [
            {"userId": 9, "name": "Casey Council", "email": "council@example.com"},
            {"userId": 12, "name": "", "email": "sam@example.com"},
        ],
    }
    options = IcsOptions("https://x.example", "Ops <ops@example.com>")
    (event,) = icalendar.Calendar.from_ical(build_calendar([doc], options, NOW)).walk("VEVENT")
    assert str(event["uid"]) == "council-1@councils.example" and event["sequence"] == 4
    assert str(event["organizer"]) == "mailto:desk@councils.example"
    assert str(event["organizer"].params["CN"]) == 'Desk "A", \\B'
    # The mentee once (also registered), then the other registrant by address.
    assert list(_people(event)) == [
        "mailto:lee@example.com",
        "mailto:zed@example.com",
        "mailto:council@example.com",
        "mailto:sam@example.com",
    ]
    assert _people(event)["mailto:sam@example.com"] == ("sam", "REQ-PARTICIPANT")


def test_range_is_start_inclusive_end_exclusive_and_confirmed_only(
    confirmed_doc: dict[str, Any],
) -> None:
    day = datetime(2027, 3, 1, tzinfo=UTC)
    docs = [_moved(confirmed_doc, day + timedelta(hours=h), h + 1) for h in (0, 23, 24)]
    open_one = _moved(confirmed_doc, day, 99) | {"coordinationStatus": "collecting"}
    chosen = select_confirmed([*docs, open_one], day, day + timedelta(days=1))
    assert [d["id"] for d in chosen] == [1, 24]
    assert [d["id"] for d in select_confirmed(docs, None, day + timedelta(hours=23))] == [1]
    assert [d["id"] for d in select_confirmed(docs, day + timedelta(hours=1), None)] == [24, 25]


INVITE_FIELDS = ("inviteUid", "inviteSequence", "organizer", "menteeEmail", "registrants")


def test_documents_cached_before_the_invite_fields_fall_back_until_their_next_change(
    addressed_platform: tuple[str, Any], tmp_path: Path
) -> None:
    """A cache filled by a platform that predates the invite fields needs no migration:
    its documents load, export by the rule (which cannot know this platform's UID domain,
    SEQUENCE, organizer or mentees), and a council's next change brings the full document
    through the ordinary sync, after which its event equals the invite."""
    import httpx

    from mentra_desktop.client.api import PlatformClient
    from mentra_desktop.client.cache import CouncilCache
    from mentra_desktop.client.sync import Syncer
    from mentra_desktop.models.engine_bridge import council_document

    url, settings = addressed_platform
    path = tmp_path / "cache.sqlite3"
    with PlatformClient(url, timeout=10) as client:
        client.login("coordinator@example.com", "password123")
        with CouncilCache(path) as cache:
            Syncer(client, cache).full_sync()
            old = [
                {k: v for k, v in d.items() if k not in INVITE_FIELDS} for d in cache.documents()
            ]
            cache.put_documents(old)  # what the older platform had sent, same cursor
        with CouncilCache(path) as cache:  # reopened: no migration, the old shape loads
            confirmed = select_confirmed(cache.documents(), None, None)
            first, second = (int(d["id"]) for d in confirmed[:2])
            assert not any(k in confirmed[0] for k in INVITE_FIELDS)
            council_document(confirmed[0])  # the engine bridge still reads it
            invites = _platform_invites(settings, [first, second])
            before = _events(confirmed[:2], url)
            assert str(before[first]["uid"]) == f"council-{first}@127.0.0.1"  # the rule
            assert before[first]["uid"] != invites[first]["uid"]
            assert str(before[first]["organizer"]) == "mailto:mentra@localhost"
            assert "SEQUENCE" not in before[first]
            assert len(_people(before[first])) < len(_people(invites[first]))  # no mentee

            # Any change to the council (here the coordinator's notes) refreshes it.
            with httpx.Client(base_url=url, timeout=10) as http:
                http.headers["Authorization"] = f"Bearer {client.token}"
                tag = http.get(f"/api/v1/councils/{first}").headers["ETag"]
                response = http.patch(
                    f"/api/v1/councils/{first}",
                    json={"coordinatorNotes": "Room changed"},
                    headers={"If-Match": tag},
                )
                assert response.status_code == 200, response.text
            assert Syncer(client, cache).catch_up() == [first]
            after = _events(select_confirmed(cache.documents([first, second]), None, None), url)
            _assert_same_event(after[first], invites[first])
            assert after[second]["uid"] == before[second]["uid"]  # unchanged: still the rule


def _events(docs: list[Any], url: str) -> dict[int, icalendar.Event]:
    data = build_calendar(docs, IcsOptions(public_url=url), NOW)
    return {
        int(str(e["uid"]).split("-")[1].split("@")[0]): e
        for e in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }
