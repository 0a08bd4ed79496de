"""Queue notifications to a council's participants through the API, and list them.

Reminders go only to mentors whose ``availabilityResponse`` is still pending and bump their
``lastReminderSent`` and reminder count; confirmations repeat the confirmed time to the
attending mentors and the mentees; custom messages go to the chosen audience.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response
from sqlalchemy import select

from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    Notification,
    NotificationKind,
    Role,
    utcnow,
)
from mentra_desktop.models.wire.notifications import (
    NotificationBatch,
    NotificationIn,
    NotificationOut,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict
from mentra_platform.councils.access import load_council
from mentra_platform.http.deps import CouncilId, CouncilUser, ReadSession, StaffUser, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.notifications.messages import Body, confirmation_text, mentee_ids, queue

_LINK = re.compile(r"/r/[A-Za-z0-9._~-]+")

router = APIRouter(prefix="/api/v1", tags=["notifications"])


def _reminder_text(topic: str, deadline: datetime | None) -> Callable[[str], str]:
    """The reminder body, with the deadline in the reader's own time zone."""

    def render(zone: str) -> str:
        by = ""
        if deadline is not None:
            local = deadline.astimezone(ZoneInfo(zone))
            by = f" by {local:%a %d %b %Y, %H:%M} {local.tzname()} ({zone})"
        return f"Please tell us which proposed times work for \u201c{topic}\u201d{by}."

    return render


@router.post(
    "/councils/{council_id}/notifications",
    status_code=201,
    response_model=NotificationBatch,
    responses={**error_responses(400, 401, 403, 404, 409, 422), **IDEMPOTENT_RESPONSES},
    summary="Queue a reminder, confirmation or custom message to the council's participants",
)
def send_notification(
    council_id: CouncilId,
    body: NotificationIn,
    user: StaffUser,
    session: WriteSession,
    idem: Idem,
) -> Response:
    council = load_council(session, council_id, lock=True)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("The council is cancelled")
    audience = body.audience or ("mentors" if body.kind == "reminder" else "both")
    mentors: list[int] = []
    if body.kind == "reminder":
        if council.coordination_status == CoordinationStatus.CONFIRMED:
            raise Conflict("The council is confirmed; no answers are pending")
        now = utcnow()
        for cm in council.mentors:
            if cm.availability_response == AvailabilityResponse.PENDING:
                cm.last_reminder_sent = now
                cm.reminder_count += 1
                mentors.append(cm.mentor_id)
        deadline = council.mentor_response_deadline
        subject = body.subject or f"Reminder: your availability for {council.topic}"
        text: Body = body.message or _reminder_text(council.topic, deadline)
        kind = NotificationKind.REMINDER
    elif body.kind == "confirmation":
        if not council.final_time_confirmed:
            raise Conflict("The council has no confirmed time yet")
        mentors = [cm.mentor_id for cm in council.mentors if cm.attending]
        subject, render = confirmation_text(council)
        subject, text = body.subject or subject, body.message or render
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
    session.flush()
    record_change(
        session,
        council_id=council.id,
        kind="notification.queued",
        entity="notification",
        payload={"kind": kind.value, "recipientIds": [n.recipient_id for n in notes]},
    )
    out = NotificationBatch(
        council_id=council.id,
        queued=len(notes),
        recipient_ids=[n.recipient_id for n in notes],
        items=[NotificationOut.model_validate(n) for n in notes],
    )
    return idem.respond(session, out, status_code=201)


@router.get(
    "/councils/{council_id}/notifications",
    response_model=list[NotificationOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Notifications of a council: all for staff, your own for everyone else",
)
def list_notifications(
    council_id: CouncilId,
    user: CouncilUser,
    session: ReadSession,
    kind: Literal["reminder", "confirmation", "custom", "invitation", "alert"] | None = Query(
        default=None
    ),
) -> list[NotificationOut]:
    council = load_council(session, council_id)
    stmt = select(Notification).where(Notification.council_id == council.id)
    if user.role not in (Role.ADMIN, Role.COORDINATOR):
        stmt = stmt.where(Notification.recipient_id == user.id)
    if kind is not None:
        stmt = stmt.where(Notification.kind == NotificationKind(kind))
    rows = session.scalars(stmt.order_by(Notification.id)).all()
    out = [NotificationOut.model_validate(n) for n in rows]
    for item in out:
        if item.recipient_id != user.id:  # one-click links are the recipient's credentials
            item.body = _LINK.sub("/r/[redacted]", item.body)
    return out
