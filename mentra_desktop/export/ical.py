"""Confirmed councils as an iCalendar file (RFC 5545), from cached council documents.

Each confirmed council becomes the same VEVENT the platform mails in its invite
(:func:`~mentra_desktop.models.calendar_invite.council_event`): the same UID — so a
calendar that already holds the invite updates it instead of adding a copy —, the
platform's organizer, the attending mentors (the lead first, as CHAIR) and the mentee,
the video link as URL, LOCATION and in the DESCRIPTION, DTSTAMP in UTC. The file is a
plain calendar for import: no iTIP ``METHOD`` and no reminder (those belong to the mail).

Times are UTC by default (RFC 5545 needs no VTIMEZONE for them); with ``zone`` they are
written as local times with that ``TZID``, and the calendar carries a VTIMEZONE for it
covering the years of its events.

The platform's council document (as staff read it) carries the invite's own addressing —
``inviteUid``, ``inviteSequence``, ``organizer``, ``menteeEmail`` and ``registrants`` — so
the event is the invite's. A document cached from a platform that predates those fields
(or read by a mentor) falls back to the rule: the UID from :attr:`IcsOptions.public_url`,
:attr:`IcsOptions.organizer`, and neither ``SEQUENCE`` nor the mentees, which it cannot
know; such a council is refreshed with its next change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from mentra_desktop.models.calendar_invite import (
    DEFAULT_ORGANIZER,
    PRODID,
    Attendee,
    InviteFacts,
    council_event,
    council_uid,
    organizer_text,
    person_name,
)
from mentra_desktop.models.council_summary import parse_instant

Document = Mapping[str, Any]
Progress = Callable[[int, int], None]
CONFIRMED = "confirmed"


class NotExportable(ValueError):
    """A council that has no session to put in a calendar (not confirmed, no final slot)."""


@dataclass(frozen=True)
class IcsOptions:
    """How the events are addressed when a document does not say (see the module):
    ``public_url`` is the platform's public base URL (its host is the UIDs' domain, as in
    the platform's invites); ``organizer`` its MAIL_FROM. ``zone`` writes local times with
    a TZID instead of UTC."""

    public_url: str
    organizer: str = DEFAULT_ORGANIZER
    zone: ZoneInfo | None = None
    calendar_name: str = "Mentra councils"


def final_slot(doc: Document) -> tuple[datetime, datetime] | None:
    """(start, end) of a council's chosen slot, or None when it has none."""
    slot_id = doc.get("finalSlotId")
    if slot_id is None:
        return None
    for slot in doc.get("proposedTimeSlots", ()):
        if slot["id"] == slot_id:
            start, end = parse_instant(slot["start"]), parse_instant(slot["end"])
            if start is None or end is None:
                return None
            return start, end
    return None


def is_exportable(doc: Document) -> bool:
    return doc.get("coordinationStatus") == CONFIRMED and final_slot(doc) is not None


def attendees(doc: Document) -> tuple[Attendee, ...]:
    """The platform's invite list: attending mentors, the lead first (as CHAIR, by
    ``leadMentorId``) then by seat; then the mentee (when the document has the address) and
    every registered mentee, each person once."""
    lead_id = doc.get("leadMentorId")
    seats = [m for m in doc.get("mentors", ()) if m.get("attending")]
    seats.sort(key=lambda m: (not m.get("isLead"), int(m["id"])))
    people = [
        Attendee(
            str(m["email"]),
            person_name(m.get("name"), str(m["email"])),
            "CHAIR" if lead_id is not None and m["mentorId"] == lead_id else "REQ-PARTICIPANT",
        )
        for m in seats
        if m.get("email")
    ]
    mentees: dict[Any, Attendee] = {}
    mentee_email = doc.get("menteeEmail")
    if mentee_email:
        name = person_name(doc.get("menteeName"), str(mentee_email))
        mentees[doc.get("menteeId")] = Attendee(str(mentee_email), name)
    for person in doc.get("registrants") or ():
        if person.get("email") and person.get("userId") not in mentees:
            name = person_name(person.get("name"), str(person["email"]))
            mentees[person.get("userId")] = Attendee(str(person["email"]), name)
    return (*people, *mentees.values())


def event_uid(doc: Document, public_url: str) -> str:
    """The UID of the council's invite: the document's ``inviteUid``, else the rule over
    ``public_url`` (a document that predates the field)."""
    uid = doc.get("inviteUid")
    return str(uid) if uid else council_uid(int(doc["id"]), public_url)


def invite_organizer(doc: Document, fallback: str = DEFAULT_ORGANIZER) -> str:
    """The invite's ORGANIZER as ``"Name <address>"``: the document's ``organizer``, else
    ``fallback``."""
    organizer = doc.get("organizer")
    if isinstance(organizer, Mapping) and organizer.get("address"):
        return organizer_text(str(organizer.get("name") or ""), str(organizer["address"]))
    return fallback


def invite_facts(doc: Document, organizer: str = DEFAULT_ORGANIZER) -> InviteFacts:
    """What the council's event says; :class:`NotExportable` when it has no session.
    ``organizer`` stands in when the document does not name one."""
    status = doc.get("coordinationStatus")
    slot = final_slot(doc)
    if status != CONFIRMED or slot is None:
        reason = "no final slot" if status == CONFIRMED else str(status)
        raise NotExportable(
            f"council {doc.get('id')} is not confirmed ({reason}): it has no session to export"
        )
    sequence = doc.get("inviteSequence")
    return InviteFacts(
        council_id=int(doc["id"]),
        sequence=int(sequence) if sequence is not None else None,
        topic=str(doc.get("topic") or ""),
        description=str(doc.get("description") or ""),
        starts_at=slot[0],
        ends_at=slot[1],
        video_link=doc.get("videoLink") or None,
        organizer=invite_organizer(doc, organizer),
        attendees=attendees(doc),
    )


def in_range(doc: Document, start: datetime | None, end: datetime | None) -> bool:
    """A confirmed council whose session starts in ``[start, end)`` (either bound open)."""
    if not is_exportable(doc):
        return False
    slot = final_slot(doc)
    assert slot is not None
    return (start is None or slot[0] >= start) and (end is None or slot[0] < end)


def build_calendar(
    docs: Sequence[Document],
    options: IcsOptions,
    now: datetime,
    progress: Progress | None = None,
) -> bytes:
    """An ``.ics`` file (CRLF lines, UTF-8) with one event per document, in start order.

    Every document must be exportable (:class:`NotExportable` otherwise); ``progress(done,
    total)`` follows every 100 events and the end.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    events = sorted(
        (
            (invite_facts(doc, options.organizer), event_uid(doc, options.public_url))
            for doc in docs
        ),
        key=lambda pair: (pair[0].starts_at, pair[0].council_id),
    )
    facts = [fact for fact, _uid in events]
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", options.calendar_name)
    total = len(facts)
    for done, (fact, uid) in enumerate(events, 1):
        cal.add_component(council_event(fact, uid=uid, now=now, zone=options.zone))
        if progress is not None and done % 100 == 0:
            progress(done, total)
    if options.zone is not None and facts:
        # The VTIMEZONE spans the events' years only: vobject (and other readers) misread
        # the decades-long RDATE lists a 1970-2038 definition carries.
        first, last = facts[0].starts_at, max(f.ends_at for f in facts)
        cal.add_missing_timezones(
            first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1)
        )
    data: bytes = cal.to_ical()
    if progress is not None:
        progress(total, total)
    return data


def select_confirmed(
    docs: Iterable[Document], start: datetime | None, end: datetime | None
) -> list[Document]:
    """The confirmed councils of ``docs`` whose session starts in ``[start, end)``."""
    return [doc for doc in docs if in_range(doc, start, end)]


__all__ = [
    "IcsOptions",
    "NotExportable",
    "attendees",
    "build_calendar",
    "event_uid",
    "final_slot",
    "in_range",
    "invite_facts",
    "invite_organizer",
    "is_exportable",
    "select_confirmed",
]
