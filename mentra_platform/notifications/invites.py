"""RFC 5545 calendar invites for a council's confirmed session (iTIP, RFC 5546).

One stable UID per council (``council-<id>@<host>``); ``SEQUENCE`` is the council's
``invite_sequence``, which the coordination state machine raises on every confirm,
reschedule and cancel, so a calendar replaces the old event instead of adding a second one.
Times are written in UTC (``DTSTART:…Z``), which RFC 5545 allows without any VTIMEZONE and
every client converts to its owner's zone; ``DTSTAMP`` is the moment of sending, in UTC.
``METHOD:REQUEST`` invites (and re-invites after a reschedule); ``METHOD:CANCEL`` with
``STATUS:CANCELLED`` withdraws it. The MIME part carrying it must say the same method
(:func:`mentra_platform.notifications.mail.build_mail` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

Method = Literal["REQUEST", "CANCEL"]

PRODID = "-//Mentra//Council Coordinator//EN"
ALARM_BEFORE = timedelta(minutes=15)


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    role: Literal["REQ-PARTICIPANT", "CHAIR", "OPT-PARTICIPANT"] = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class InviteFacts:
    """What an invite says; built from the council by :mod:`.rendering`."""

    council_id: int
    sequence: int
    topic: str
    description: str
    starts_at: datetime
    ends_at: datetime
    video_link: str | None
    organizer: str  # "Name <address>" (MAIL_FROM)
    attendees: tuple[Attendee, ...]


def council_uid(council_id: int, public_base_url: str) -> str:
    """The one UID of a council's event, stable across every update and the cancel."""
    host = urlsplit(public_base_url).hostname or "localhost"
    return f"council-{council_id}@{host}"


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def build_invite(facts: InviteFacts, method: Method, *, uid: str, now: datetime) -> bytes:
    """The iCalendar object (CRLF lines, UTF-8) for ``method``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", facts.sequence)
    event.add("dtstamp", _utc(now))
    event.add("dtstart", _utc(facts.starts_at))
    event.add("dtend", _utc(facts.ends_at))
    event.add("summary", f"Mentra council: {facts.topic}")
    text = facts.description.strip()
    if facts.video_link:
        text = f"{text}\n\nVideo link: {facts.video_link}".strip()
        event.add("location", facts.video_link)
        event.add("url", facts.video_link)
    if text:
        event.add("description", text)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    name, address = parseaddr(facts.organizer)
    organizer = vCalAddress(f"mailto:{address or 'mentra@localhost'}")
    organizer.params["cn"] = vText(name or "Mentra")
    event.add("organizer", organizer)
    for person in facts.attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name or person.email)
        attendee.params["role"] = vText(person.role)
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        attendee.params["cutype"] = vText("INDIVIDUAL")
        event.add("attendee", attendee, encode=False)
    if method == "REQUEST":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Mentra council: {facts.topic}")
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


__all__ = ["Attendee", "InviteFacts", "Method", "build_invite", "council_uid"]
