"""Queueing notifications to a council's participants, and listing them.

Reminders go only to mentors whose ``availabilityResponse`` is still pending (all of them, or
just the ``mentorIds`` asked for: a mentor without a seat is a 422, one who has already
answered a 409) and bump their ``lastReminderSent`` and reminder count; confirmations repeat
the confirmed time to the attending mentors and the mentees; custom messages go to the chosen
audience. A reader sees their own notifications (staff see all, with other people's one-click
links redacted); a council the caller cannot see is a 404. Functions flush, never commit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    STAFF_ROLES,
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    Notification,
    NotificationKind,
    User,
)
from mentra_desktop.models.wire.notifications import (
    NotificationBatch,
    NotificationIn,
    NotificationOut,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, field_error
from mentra_platform.councils.access import load_visible
from mentra_platform.notifications.messages import Body, confirmation_text, mentee_ids, queue
from mentra_platform.responses.invitations import response_page_link

_LINK = re.compile(r"/(r|respond)/[A-Za-z0-9._~-]+")


def _reminder_text(topic: str, deadline: datetime | None) -> Callable[[str], str]:
    """The reminder body, with the deadline in the reader's own time zone."""

    def render(zone: str) -> str:
        by = ""
        if deadline is not None:
            local = deadline.astimezone(ZoneInfo(zone))
            by = f" by {local:%a %d %b %Y, %H:%M} {local.tzname()} ({zone})"
        return f"Please tell us which proposed times work for \u201c{topic}\u201d{by}."

    return render


def _reminded_seats(council: CouncilSession, chosen: list[int] | None) -> list[CouncilMentor]:
    """The seats a reminder goes to: every pending one, or exactly the ``chosen`` mentors'."""
    pending = [
        cm for cm in council.mentors if cm.availability_response == AvailabilityResponse.PENDING
    ]
    if chosen is None:
        return pending
    seats = {cm.mentor_id: cm for cm in council.mentors}
    wanted = list(dict.fromkeys(chosen))
    strangers = [m for m in wanted if m not in seats]
    if strangers:
        listed = ", ".join(map(str, strangers))
        raise field_error("mentorIds", f"not a mentor of this council: {listed}")
    answered = [m for m in wanted if seats[m].availability_response != AvailabilityResponse.PENDING]
    if answered:
        listed = ", ".join(map(str, answered))
        raise Conflict(
            f"Mentor {listed} has already answered; only pending mentors are reminded",
            errors=[("mentorIds", f"already answered: {listed}")],
        )
    return [seats[m] for m in wanted]


def send(
    session: Session,
    actor: User,
    council_id: int,
    body: NotificationIn,
    now: datetime,
    settings: Settings | None = None,
) -> NotificationBatch:
    """Queue one ``body.kind`` message per recipient of its audience; with ``settings`` a
    reminder carries each mentor's own response-page link (redacted in the answer)."""
    council = load_visible(session, actor, council_id, lock=True)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("The council is cancelled")
    audience = body.audience or ("mentors" if body.kind == "reminder" else "both")
    mentors: list[int] = []
    text: Body
    if body.kind == "reminder":
        if council.coordination_status == CoordinationStatus.CONFIRMED:
            raise Conflict("The council is confirmed; no answers are pending")
        for cm in _reminded_seats(council, body.mentor_ids):
            cm.last_reminder_sent = now
            cm.reminder_count += 1
            mentors.append(cm.mentor_id)
        subject = body.subject or f"Reminder: your availability for {council.topic}"
        text = body.message or _reminder_text(council.topic, council.mentor_response_deadline)
        kind = NotificationKind.REMINDER
    elif body.kind == "confirmation":
        if not council.final_time_confirmed:
            raise Conflict("The council has no confirmed time yet")
        mentors = [cm.mentor_id for cm in council.mentors if cm.attending]
        default_subject, render = confirmation_text(council)
        subject, text = body.subject or default_subject, body.message or render
        kind = NotificationKind.CONFIRMATION
    else:
        mentors = [cm.mentor_id for cm in council.mentors]
        subject = body.subject or f"Message about {council.topic}"
        text = body.message or ""
        kind = NotificationKind.CUSTOM
    recipients = [] if audience == "mentee" else mentors
    if audience in ("mentee", "both"):
        recipients += mentee_ids(session, council)
    notes = queue(session, council, kind, recipients, subject, text)
    if kind == NotificationKind.REMINDER and settings is not None:
        seats = {cm.mentor_id: cm for cm in council.mentors}
        for note in notes:
            if note.recipient_id in seats:
                link = response_page_link(settings, council, seats[note.recipient_id], now)
                note.body = f"{note.body}\n\nAnswer on your response page: {link}"
    session.flush()
    record_change(
        session,
        council_id=council.id,
        kind="notification.queued",
        entity="notification",
        payload={"kind": kind.value, "recipientIds": [n.recipient_id for n in notes]},
    )
    return NotificationBatch(
        council_id=council.id,
        queued=len(notes),
        recipient_ids=[n.recipient_id for n in notes],
        items=[_redacted(NotificationOut.model_validate(n), actor) for n in notes],
    )


def _redacted(item: NotificationOut, reader: User) -> NotificationOut:
    if item.recipient_id != reader.id:
        item.body = _LINK.sub(r"/\1/[redacted]", item.body)
    return item


def list_for(
    session: Session, user: User, council_id: int, kind: NotificationKind | None = None
) -> list[NotificationOut]:
    """The council's notifications ``user`` may read: all for staff, their own otherwise.

    One-click and response-page links are the recipient's credentials: redacted in anyone
    else's copy.
    """
    council = load_visible(session, user, council_id)
    stmt = select(Notification).where(Notification.council_id == council.id)
    if user.role not in STAFF_ROLES:
        stmt = stmt.where(Notification.recipient_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == kind)
    rows = session.scalars(stmt.order_by(Notification.id)).all()
    out = [NotificationOut.model_validate(n) for n in rows]
    return [_redacted(item, user) for item in out]


__all__ = ["list_for", "send"]
