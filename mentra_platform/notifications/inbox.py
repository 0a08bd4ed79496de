"""The in-app channel: a user's delivered notifications, newest first, and their read
marks; and the user's delivery preferences (time zone, channels, webhook).

A notification is in the list once delivery has put it there (an ``in_app`` attempt that
worked); other people's notifications are never listed, and marking one is a 404, exactly
like one that does not exist. Functions flush, never commit.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import CouncilSession, Notification, User
from mentra_desktop.models.wire.inbox import (
    DeliverySettingsIn,
    DeliverySettingsOut,
    InboxItemOut,
    InboxPage,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Invalid, NotFound
from mentra_platform.core.tables import NotificationAttempt

_IN_APP = exists().where(
    NotificationAttempt.notification_id == Notification.id,
    NotificationAttempt.channel == "in_app",
    NotificationAttempt.ok,
)


def inbox(
    session: Session, user: User, *, unread_only: bool = False, limit: int = 50, offset: int = 0
) -> InboxPage:
    mine = (Notification.recipient_id == user.id) & _IN_APP
    stmt = select(Notification).where(mine)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = session.scalars(stmt.order_by(Notification.id.desc()).limit(limit).offset(offset)).all()
    unread = session.scalar(
        select(func.count()).select_from(Notification).where(mine, Notification.read_at.is_(None))
    )
    return InboxPage(items=[InboxItemOut.model_validate(n) for n in rows], unread=int(unread or 0))


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> InboxItemOut:
    note = session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.recipient_id == user.id, _IN_APP
        )
    )
    if note is None:
        raise NotFound("No such notification")
    if note.read_at is None:
        note.read_at = now
        session.flush()
    return InboxItemOut.model_validate(note)


def settings_of(user: User) -> DeliverySettingsOut:
    return DeliverySettingsOut(
        timezone=user.timezone,
        email=user.notify_email,
        in_app=user.notify_in_app,
        webhook_url=user.webhook_url,
        webhook_configured=bool(user.webhook_url and user.webhook_secret),
    )


def update_settings(session: Session, actor: User, body: DeliverySettingsIn) -> DeliverySettingsOut:
    user = session.get(User, actor.id)
    if user is None:
        raise NotFound("No such user")
    given = body.model_fields_set
    if "timezone" in given:
        if body.timezone is not None:
            try:
                ZoneInfo(body.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise Invalid(errors=[("timezone", "unknown IANA time zone")]) from None
        if user.timezone != body.timezone:
            user.timezone = body.timezone
            _councils_changed(session, user.id)
    if body.email is not None:
        user.notify_email = body.email
    if body.in_app is not None:
        user.notify_in_app = body.in_app
    if "webhook_secret" in given and body.webhook_secret is not None:
        user.webhook_secret = body.webhook_secret
    if "webhook_url" in given:
        url = body.webhook_url
        if url is not None:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise Invalid(errors=[("webhookUrl", "must be an absolute http(s) URL")])
            if not user.webhook_secret:
                raise Invalid(errors=[("webhookSecret", "required with a webhook URL")])
        else:
            user.webhook_secret = None
        user.webhook_url = url
    session.flush()
    return settings_of(user)


def _councils_changed(session: Session, mentee_id: int) -> None:
    """The mentee's councils carry their zone (``menteeTimezone``): each gets a change, so
    cached pages and the desktops' sync cursors pick the new zone up."""
    ids = session.scalars(
        select(CouncilSession.id).where(CouncilSession.mentee_id == mentee_id)
    ).all()
    for council_id in ids:
        record_change(
            session,
            council_id=council_id,
            kind="council.updated",
            payload={"fields": ["menteeTimezone"]},
        )


__all__ = ["inbox", "mark_read", "settings_of", "update_settings"]
