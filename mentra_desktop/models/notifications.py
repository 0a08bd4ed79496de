"""Queued outbound notifications (reminders, confirmations, invitations, alerts)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mentra_desktop.models.base import Base, str_enum, utcnow


class NotificationKind(enum.StrEnum):
    REMINDER = "reminder"
    CONFIRMATION = "confirmation"
    CUSTOM = "custom"
    INVITATION = "invitation"
    ALERT = "alert"
    CANCELLATION = "cancellation"
    PREPARATION = "preparation"


class NotificationStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 16))
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    council_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[NotificationStatus] = mapped_column(
        str_enum(NotificationStatus, 16), default=NotificationStatus.QUEUED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    # Delivery (mentra_platform.notifications.delivery): attempts so far, when the row may
    # be claimed next (a lease while a worker holds it, then the retry backoff), and when
    # the recipient marked it read in the in-app list.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    read_at: Mapped[datetime | None] = mapped_column()
