"""RFC 5545 calendar invites for a council's confirmed session (iTIP, RFC 5546).

One stable UID per council (``council-<id>@<host>``); ``SEQUENCE`` is the council's
``invite_sequence``, which the coordination state machine raises on every confirm,
reschedule and cancel, so a calendar replaces the old event instead of adding a second one.
Times are written in UTC (``DTSTART:…Z``), which RFC 5545 allows without any VTIMEZONE and
every client converts to its owner's zone; ``DTSTAMP`` is the moment of sending, in UTC.
``METHOD:REQUEST`` invites (and re-invites after a reschedule); ``METHOD:CANCEL`` with
``STATUS:CANCELLED`` withdraws it. The MIME part carrying it must say the same method
(:func:`mentra_platform.notifications.mail.build_mail` does). The event itself and the UID
rule live in :mod:`mentra_desktop.models.calendar_invite`, shared with the desktop's export.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from icalendar import Alarm, Calendar

from mentra_desktop.models.calendar_invite import (
    PRODID,
    Attendee,
    InviteFacts,
    council_event,
    council_uid,
    summary_of,
)

Method = Literal["REQUEST", "CANCEL"]

ALARM_BEFORE = timedelta(minutes=15)


def build_invite(facts: InviteFacts, method: Method, *, uid: str, now: datetime) -> bytes:
    """The iCalendar object (CRLF lines, UTF-8) for ``method``: the shared council event
    (:func:`~mentra_desktop.models.calendar_invite.council_event`, also what the desktop
    exports) in an iTIP calendar, with a reminder on a REQUEST."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    event = council_event(facts, uid=uid, now=now, cancelled=method == "CANCEL")
    if method == "REQUEST":
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary_of(facts.topic))
        alarm.add("trigger", -ALARM_BEFORE)
        event.add_component(alarm)
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


__all__ = ["Attendee", "InviteFacts", "Method", "build_invite", "council_uid"]
