"""Calendar invites end to end: a council confirmed on the Sunday Europe changes its clocks
(attendees in Berlin and New York), delivered by real SMTP, read back, parsed by icalendar,
vobject and ics, stored in a real CalDAV server (Radicale on 127.0.0.1); then a reschedule
(an updated REQUEST, higher SEQUENCE, same UID) and a cancellation (METHOD:CANCEL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar
import ics
import vobject
from delivery_helpers import calendar_part, radicale_server, smtp_server, text_part, with_smtp
from p2_helpers import COORD, MENTOR_IDS, answer, etag, invited_council, mentor_email
from sqlalchemy import update

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilSession,
    MentorProfile,
    NotificationKind,
    User,
    utcnow,
)
from mentra_platform.notifications.delivery import deliver_pending
from mentra_platform.notifications.messages import queue

# 2027-03-28: Europe leaves winter time at 01:00 UTC; New York changed on 14 March.
DST_SUNDAY = datetime(2027, 3, 28, 9, 0, tzinfo=UTC)
BERLIN, NEW_YORK, TOKYO = "Europe/Berlin", "America/New_York", "Asia/Tokyo"
MENTEE = "council@example.com"


def _invites(inbox: Any, address: str) -> list[tuple[Any, bytes]]:
    out = []
    for msg in inbox.to(address):
        part = calendar_part(msg)
        if part is not None:
            out.append((msg, part.get_content().encode("utf-8")))
    return out


def _parse_all(data: bytes) -> tuple[Any, Any, Any]:
    """The same object through three independent parsers."""
    cal = icalendar.Calendar.from_ical(data)
    vcal = vobject.readOne(data.decode("utf-8"))
    ical = ics.Calendar(data.decode("utf-8"))
    return cal, vcal, ical


def _put(caldav: str, data: bytes, uid: str) -> int:
    # A stored calendar object carries no iTIP METHOD (RFC 4791 4.1): strip it as a client
    # importing the invite does.
    stored = b"".join(
        line for line in data.splitlines(keepends=True) if not line.startswith(b"METHOD:")
    )
    r = httpx.put(
        f"{caldav}/mentra/councils/{uid}.ics",
        content=stored,
        headers={"Content-Type": "text/calendar; charset=utf-8"},
    )
    return r.status_code


def test_invite_across_dst_parsers_caldav_reschedule_and_cancel(
    live_server: Any,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    tmp_path: Path,
) -> None:
    with live_server.session() as s:
        for mid, zone in zip(MENTOR_IDS[:3], (BERLIN, NEW_YORK, BERLIN), strict=True):
            s.execute(
                update(MentorProfile).where(MentorProfile.user_id == mid).values(timezone=zone)
            )
        s.execute(update(User).where(User.id == 9).values(timezone=TOKYO))
        s.commit()
    coord = login(client, COORD)
    slots = [{"start": (DST_SUNDAY + timedelta(days=d)).isoformat()} for d in (-1, 0, 1)]
    council = invited_council(client, coord, slots)
    cid = council["id"]
    dst_slot = council["proposedTimeSlots"][1]["id"]
    answer(client, cid, MENTOR_IDS[:3], {dst_slot: "available"})
    r = client.post(
        f"/api/v1/councils/{cid}/confirm",
        json={"slotId": dst_slot, "attendingMentorIds": MENTOR_IDS[:3]},
        headers={**coord, "If-Match": etag(client, coord, cid)},
    )
    assert r.status_code == 200, r.text
    with live_server.session() as s:
        sequence = s.get(CouncilSession, cid).invite_sequence

    with smtp_server() as (inbox, port), radicale_server(tmp_path) as caldav:
        settings = with_smtp(live_server.settings, port)
        factory = live_server.sessionmaker
        deliver_pending(factory, settings, utcnow(), limit=10_000)

        expected_local = {
            mentor_email(MENTOR_IDS[0]): ("11:00–12:00 CEST (Europe/Berlin)", BERLIN, 11),
            mentor_email(MENTOR_IDS[1]): ("05:00–06:00 EDT (America/New_York)", NEW_YORK, 5),
            MENTEE: ("18:00–19:00 JST (Asia/Tokyo)", TOKYO, 18),
        }
        uid = None
        for address, (shown, zone, hour) in expected_local.items():
            ((msg, data),) = _invites(inbox, address)
            plain = text_part(msg)
            assert "Sun 28 Mar 2027, " + shown in plain
            assert "Sun 28 Mar 2027, 09:00–10:00 UTC (UTC)" in plain
            assert "Preparation:" in plain
            part = calendar_part(msg)
            assert part is not None and part.get_param("method") == "REQUEST"
            cal, vcal, ical = _parse_all(data)
            assert cal["METHOD"] == "REQUEST" and vcal.method.value == "REQUEST"
            (event,) = cal.walk("VEVENT")
            uid = str(event["UID"])
            assert uid == f"council-{cid}@127.0.0.1"
            assert int(event["SEQUENCE"]) == sequence
            assert event["DTSTAMP"].dt.tzinfo is not None and event[
                "DTSTAMP"
            ].dt.utcoffset() == timedelta(0)
            start = event["DTSTART"].dt
            assert start == DST_SUNDAY
            assert start.astimezone(ZoneInfo(zone)).hour == hour
            assert str(event["ORGANIZER"]) == "mailto:councils@mentra.example"
            attendees = [str(a) for a in event.get("ATTENDEE")]
            assert (
                f"mailto:{mentor_email(MENTOR_IDS[0])}" in attendees
                and f"mailto:{MENTEE}" in attendees
            )
            assert all(a.params["RSVP"] == "TRUE" for a in event.get("ATTENDEE"))
            assert "https://" in str(event["LOCATION"]) and "Video link" in str(
                event["DESCRIPTION"]
            )
            assert len(event.walk("VALARM")) == 1
            # vobject and ics read the same instant.
            assert vcal.vevent.dtstart.value == DST_SUNDAY
            assert vcal.vevent.uid.value == uid
            (ics_event,) = ical.events
            assert ics_event.begin.datetime == DST_SUNDAY and ics_event.uid == uid
            assert ics_event.begin.to(zone).hour == hour
        # The mentee's goals reach the mentors; the mentors' roles reach the mentee.
        ((msg, _),) = _invites(inbox, MENTEE)
        assert "lead mentor" in text_part(msg) or "(mentor)" in text_part(msg)

        ((_, first),) = _invites(inbox, mentor_email(MENTOR_IDS[0]))
        assert uid is not None
        assert httpx.request("MKCOL", f"{caldav}/mentra/").status_code == 201
        mk = httpx.request("MKCALENDAR", f"{caldav}/mentra/councils/")
        assert mk.status_code == 201, mk.text
        assert _put(caldav, first, uid) in (201, 204)
        stored = httpx.get(f"{caldav}/mentra/councils/{uid}.ics")
        assert stored.status_code == 200 and uid in stored.text

        # A reschedule: the coordination machine moves the slot and raises the sequence; the
        # confirmation it queues carries an updated REQUEST with the same UID.
        now = utcnow()
        with live_server.session() as s:
            c = s.get(CouncilSession, cid)
            c.final_slot_id = council["proposedTimeSlots"][2]["id"]
            c.invite_sequence += 1
            queue(s, c, NotificationKind.CONFIRMATION, [MENTOR_IDS[0]], "Council moved", "Moved.")
            s.commit()
        deliver_pending(factory, settings, now, limit=10_000)
        invites = _invites(inbox, mentor_email(MENTOR_IDS[0]))
        assert len(invites) == 2
        cal, _vcal, _ics = _parse_all(invites[-1][1])
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 1
        assert event["DTSTART"].dt == DST_SUNDAY + timedelta(days=1)
        assert _put(caldav, invites[-1][1], uid) in (201, 204)

        # Cancellation: METHOD:CANCEL, same UID, higher SEQUENCE, STATUS:CANCELLED.
        with live_server.session() as s:
            c = s.get(CouncilSession, cid)
            c.coordination_status = CoordinationStatus.CANCELLED
            c.invite_sequence += 1
            queue(s, c, NotificationKind.CANCELLATION, [MENTOR_IDS[0]], "Council cancelled", "Off.")
            s.commit()
        deliver_pending(factory, settings, now, limit=10_000)
        msg, data = _invites(inbox, mentor_email(MENTOR_IDS[0]))[-1]
        assert calendar_part(msg).get_param("method") == "CANCEL"  # type: ignore[union-attr]
        cal, vcal, ical = _parse_all(data)
        assert cal["METHOD"] == "CANCEL" and vcal.method.value == "CANCEL"
        (event,) = cal.walk("VEVENT")
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == sequence + 2
        assert str(event["STATUS"]) == "CANCELLED" and not event.walk("VALARM")
        assert _put(caldav, data, uid) in (201, 204)
