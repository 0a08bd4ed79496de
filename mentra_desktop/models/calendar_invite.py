"""One council's calendar event, as both the platform's invites and the desktop's export
write it (RFC 5545).

The platform mails it inside an iTIP message (:mod:`mentra_platform.notifications.invites`
adds ``METHOD`` and a reminder); the desktop writes the same event into an ``.ics`` file
(:mod:`mentra_desktop.export.ical`). Because both go through :func:`council_event` and
:func:`council_uid`, a calendar that imports the export recognises the invite it already
holds (same UID) instead of showing the session twice. The platform's council document
carries the UID, SEQUENCE, organizer and mentees its invites use (built with
:func:`uid_domain` and :func:`organizer_parts`), so the desktop need not guess them.

The contract: one UID per council, ``council-<id>@<host of the platform's public base
URL>``, stable across every update and the cancel; ``DTSTAMP`` in UTC; ``DTSTART`` and
``DTEND`` in UTC unless a zone is asked for (then with ``TZID``, and the caller adds the
``VTIMEZONE``); ORGANIZER from ``"Name <address>"``; one ATTENDEE per person; the video
link as ``URL`` and ``LOCATION`` and in the ``DESCRIPTION``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.utils import parseaddr
from typing import Literal
from urllib.parse import urlsplit

from icalendar import Event, vCalAddress, vText

PRODID = "-//Mentra//Council Coordinator//EN"
DEFAULT_ORGANIZER = "Mentra <mentra@localhost>"
"""The platform's default ``MAIL_FROM``, the organizer of its invites unless configured."""

Role = Literal["REQ-PARTICIPANT", "CHAIR", "OPT-PARTICIPANT"]


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    role: Role = "REQ-PARTICIPANT"


@dataclass(frozen=True)
class InviteFacts:
    """What the event says. ``sequence`` None leaves ``SEQUENCE`` out (a reader that does
    not know the platform's invite sequence)."""

    council_id: int
    sequence: int | None
    topic: str
    description: str
    starts_at: datetime
    ends_at: datetime
    video_link: str | None
    organizer: str  # "Name <address>" (the platform's MAIL_FROM)
    attendees: tuple[Attendee, ...]


def uid_domain(public_base_url: str) -> str:
    """The domain of every council UID: the host of the platform's public base URL."""
    return urlsplit(public_base_url).hostname or "localhost"


def council_uid(council_id: int, public_base_url: str) -> str:
    """The one UID of a council's event, stable across every update and the cancel."""
    return f"council-{council_id}@{uid_domain(public_base_url)}"


def organizer_parts(mail_from: str) -> tuple[str, str]:
    """``(name, address)`` of the ORGANIZER a ``MAIL_FROM`` makes; ``"Mentra"`` and
    ``mentra@localhost`` stand in for a part it lacks."""
    name, address = parseaddr(mail_from)
    return name or "Mentra", address or "mentra@localhost"


def organizer_text(name: str, address: str) -> str:
    """``"name" <address>``, which :func:`organizer_parts` reads back as exactly
    ``(name, address)`` (quotes and backslashes in the name escaped)."""
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'


def person_name(full_name: str | None, email: str) -> str:
    """How an ATTENDEE is named (``CN``): the full name, else the address's local part."""
    return full_name or email.split("@", 1)[0]


def summary_of(topic: str) -> str:
    """The event's SUMMARY (also the reminder's text)."""
    return f"Mentra council: {topic}"


def as_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken as UTC (the platform's stored instants)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def council_event(
    facts: InviteFacts,
    *,
    uid: str,
    now: datetime,
    cancelled: bool = False,
    zone: tzinfo | None = None,
) -> Event:
    """The VEVENT of ``facts``; ``zone`` writes DTSTART/DTEND as local times with its TZID
    (the caller must then add the VTIMEZONE, e.g. ``Calendar.add_missing_timezones()``)."""
    event = Event()
    event.add("uid", uid)
    if facts.sequence is not None:
        event.add("sequence", facts.sequence)
    event.add("dtstamp", as_utc(now))
    start, end = as_utc(facts.starts_at), as_utc(facts.ends_at)
    if zone is not None:
        start, end = start.astimezone(zone), end.astimezone(zone)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", summary_of(facts.topic))
    text = facts.description.strip()
    if facts.video_link:
        text = f"{text}\n\nVideo link: {facts.video_link}".strip()
        event.add("location", facts.video_link)
        event.add("url", facts.video_link)
    if text:
        event.add("description", text)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    name, address = organizer_parts(facts.organizer)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name)
    event.add("organizer", organizer)
    for person in facts.attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name or person.email)
        attendee.params["role"] = vText(person.role)
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        attendee.params["rsvp"] = vText("TRUE")
        attendee.params["cutype"] = vText("INDIVIDUAL")
        event.add("attendee", attendee, encode=False)
    return event


__all__ = [
    "DEFAULT_ORGANIZER",
    "PRODID",
    "Attendee",
    "InviteFacts",
    "as_utc",
    "council_event",
    "council_uid",
    "organizer_parts",
    "organizer_text",
    "person_name",
    "summary_of",
    "uid_domain",
]
