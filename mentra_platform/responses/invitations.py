"""Invite one mentor seat: one-click tokens per slot and answer, plus a queued notification.

The links expire at the council's response deadline (at least one hour from now). The
notification body carries the links; it is the outbox, not a log, and nothing here logs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CouncilMentor,
    CouncilSession,
    Notification,
    NotificationKind,
    SlotAnswerValue,
    User,
)
from mentra_platform.calendars.prefill import prefill_seat
from mentra_platform.core.config import Settings
from mentra_platform.core.tables import OneClickToken
from mentra_platform.councils.access import display_name
from mentra_platform.responses.one_click import (
    ANSWERS,
    format_instant_local,
    format_slot_local,
    make_claims,
    sign_token,
)
from mentra_platform.responses.page_links import make_page_claims, page_url, sign_page_token

MIN_LINK_LIFETIME = timedelta(hours=1)


def link_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url}/r/{token}"


def response_page_link(
    settings: Settings, council: CouncilSession, seat: CouncilMentor, now: datetime
) -> str:
    """The seat's response-page URL, valid until the response deadline (at least an hour)."""
    deadline = council.mentor_response_deadline or now
    lifetime = max(deadline - now, MIN_LINK_LIFETIME)
    claims = make_page_claims(council.id, seat.id, seat.mentor_id, now=now, lifetime=lifetime)
    token = sign_page_token(settings.secret_key.encode("utf-8"), claims)
    return page_url(settings.public_base_url, token)


def invite_seat(
    session: Session,
    settings: Settings,
    council: CouncilSession,
    seat: CouncilMentor,
    mentor: User,
    now: datetime,
) -> Notification:
    """Create the seat's tokens and queue its invitation; marks ``notificationSent``."""
    deadline = council.mentor_response_deadline or now
    lifetime = max(deadline - now, MIN_LINK_LIFETIME)
    tz = mentor.mentor_profile.timezone if mentor.mentor_profile else "UTC"
    secret = settings.secret_key.encode("utf-8")
    lines = [
        f"Hello {display_name(mentor)},",
        "",
        f"You are invited to the council \u201c{council.topic}\u201d.",
        "Please tell us which of the proposed times work for you"
        f" by {format_instant_local(deadline, tz)}; the links stop working then.",
        "",
    ]
    for slot in council.slots:
        lines.append(format_slot_local(slot.starts_at, slot.ends_at, tz))
        for answer in ANSWERS:
            claims = make_claims(seat.id, slot.id, answer, now=now, lifetime=lifetime)
            session.add(
                OneClickToken(
                    nonce=claims.nonce,
                    council_mentor_id=seat.id,
                    slot_id=slot.id,
                    answer=SlotAnswerValue(answer),
                    expires_at=claims.expires_at,
                )
            )
            label = "I can make it" if answer == "available" else "I can't make it"
            lines.append(f"  {label}: {link_url(settings, sign_token(secret, claims))}")
        lines.append("")
    lines.append(
        "For tentative or partial availability, alternative times or notes, "
        "or to change your answers until the deadline, use your response page:"
    )
    lines.append(response_page_link(settings, council, seat, now))
    note = Notification(
        kind=NotificationKind.INVITATION,
        recipient_id=mentor.id,
        council_id=council.id,
        subject=f"Council invitation: {council.topic}"[:200],
        body="\n".join(lines),
    )
    session.add(note)
    seat.notification_sent = True
    prefill_seat(session, council, seat, now)
    return note
