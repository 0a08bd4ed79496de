"""The "add to calendar" file of a confirmed council, from the platform's invite builder.

The same event as the confirmation mail's invite (same UID and SEQUENCE, so a calendar that
already has it updates it instead of adding a second one). A mentee's copy lists only
themself as attendee: mentees do not see the mentors' e-mail addresses.
"""

from __future__ import annotations

import dataclasses

from fastapi import Response
from sqlalchemy.orm import Session

from mentra_desktop.models import CoordinationStatus, CouncilSession, utcnow
from mentra_platform.core.config import Settings
from mentra_platform.councils.access import slot_of
from mentra_platform.http.pages.rendering import HEADERS, message_page
from mentra_platform.notifications.invites import build_invite, council_uid
from mentra_platform.notifications.rendering import invite_facts


def ics_response(
    session: Session, settings: Settings, council: CouncilSession, *, keep_email: str | None
) -> Response:
    """``text/calendar`` for the confirmed session; ``keep_email`` limits the attendees
    to that address (the mentee's copy). A council without a final time is a 404 page."""
    final = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    if final is None or council.coordination_status != CoordinationStatus.CONFIRMED:
        return message_page(
            "No calendar entry yet", ["This council has no confirmed time yet."], status=404
        )
    facts = invite_facts(session, settings, council)
    if keep_email is not None:
        mine = tuple(a for a in facts.attendees if a.email == keep_email)
        facts = dataclasses.replace(facts, attendees=mine)
    data = build_invite(
        facts, "REQUEST", uid=council_uid(council.id, settings.public_base_url), now=utcnow()
    )
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="council-{council.id}.ics"',
            "Cache-Control": HEADERS["Cache-Control"],
            "Referrer-Policy": HEADERS["Referrer-Policy"],
            "X-Content-Type-Options": "nosniff",
        },
    )
