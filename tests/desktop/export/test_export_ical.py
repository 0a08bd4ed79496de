"""The .ics export: parsed back by icalendar and vobject, and the same events — UID,
times, organizer, attendees, video link — as the platform's own invites for the same
councils (built by the platform's invite code over the same database)."""

from __future__ import annotations

import copy
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


def _platform_invites(database_url: str, ids: list[int]) -> dict[int, icalendar.Event]:
    """The platform's REQUEST invite of each council, as its mail carries it."""
    from platform_support import platform_settings

    from mentra_desktop.models import CouncilSession
    from mentra_platform.core.db import make_database
    from mentra_platform.notifications.invites import build_invite, council_uid
    from mentra_platform.notifications.rendering import invite_facts as platform_facts

    settings = platform_settings(database_url)
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


def _people(event: icalendar.Event) -> dict[str, tuple[str, str]]:
    found = event.get("attendee")
    attendees = found if isinstance(found, list) else [found]
    return {str(a).lower(): (str(a.params["CN"]), str(a.params["ROLE"])) for a in attendees}


def test_confirmed_councils_match_the_platform_invites(live_platform: Any, tmp_path: Path) -> None:
    docs = synced_documents(live_platform.url, tmp_path / "cache.sqlite3")
    confirmed = select_confirmed(docs, None, None)
    expected_ids = sorted(d["id"] for d in docs if d["coordinationStatus"] == "confirmed")
    assert len(expected_ids) >= 10
    assert sorted(d["id"] for d in confirmed) == expected_ids

    data = build_calendar(confirmed, IcsOptions(public_url=live_platform.url), NOW)
    cal = icalendar.Calendar.from_ical(data)
    events = {int(str(e["uid"]).split("-")[1].split("@")[0]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == expected_ids
    assert not cal.walk("VTIMEZONE") and b"TZID" not in data  # UTC times need none
    assert b"METHOD:" not in data  # a file to import, not an iTIP message
    platform = _platform_invites(live_platform.database_url, expected_ids)

    for council_id, event in events.items():
        theirs = platform[council_id]
        assert event["uid"] == theirs["uid"] == f"council-{council_id}@127.0.0.1"
        assert event.decoded("dtstart") == theirs.decoded("dtstart")
        assert event.decoded("dtend") == theirs.decoded("dtend")
        assert event.decoded("dtstart").tzinfo is not None
        assert event.decoded("dtstamp") == NOW and event.decoded(
            "dtstamp"
        ).utcoffset() == timedelta(0)
        assert str(event["organizer"]) == str(theirs["organizer"]) == "mailto:mentra@localhost"
        assert str(event["summary"]) == str(theirs["summary"])
        assert str(event["description"]) == str(theirs["description"])
        assert str(event["url"]) == str(theirs["url"]).strip()
        assert str(event["url"]) in str(event["description"])
        assert str(event["status"]) == "CONFIRMED"
        mine, platform_people = _people(event), _people(theirs)
        mentors = {a: p for a, p in platform_people.items() if a.startswith("mailto:mentor")}
        # Every mentor the platform invites, with the same name and role (the lead CHAIR);
        # the mentee is left out: the council document carries no mentee address.
        assert mine == mentors and mine
        assert sum(role == "CHAIR" for _, role in mine.values()) == 1

    # A second, independent parser reads the same file.
    parsed = vobject.readOne(data.decode("utf-8"))
    assert len(parsed.vevent_list) == len(expected_ids)
    for vevent in parsed.vevent_list:
        assert vevent.dtstamp.value.utcoffset() == timedelta(0)
        assert vevent.organizer.value == "mailto:mentra@localhost"
        assert vevent.attendee_list and all(
            a.value.startswith("mailto:") for a in vevent.attendee_list
        )
        assert vevent.url.value in vevent.description.value

    # One council alone: the same event, and a collecting council has none.
    one = build_calendar([confirmed[0]], IcsOptions(public_url=live_platform.url), NOW)
    (single,) = icalendar.Calendar.from_ical(one).walk("VEVENT")
    assert single["uid"] == events[int(confirmed[0]["id"])]["uid"]
    collecting = next(d for d in docs if d["coordinationStatus"] == "collecting")
    with pytest.raises(NotExportable, match=f"council {collecting['id']} is not confirmed"):
        build_calendar([collecting], IcsOptions(public_url=live_platform.url), NOW)


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
