"""The signed-in user's in-app notifications and delivery preferences."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from mentra_desktop.models import NotificationKind
from mentra_desktop.models.wire.common import ApiModel


class InboxItemOut(ApiModel):
    id: int
    kind: NotificationKind
    council_id: int | None
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


class InboxPage(ApiModel):
    items: list[InboxItemOut]
    unread: int = Field(description="Unread in-app notifications in total")


class DeliverySettingsOut(ApiModel):
    timezone: str | None = Field(description="IANA zone for times in messages; null: UTC")
    email: bool
    in_app: bool
    webhook_url: str | None
    webhook_configured: bool = Field(description="A webhook URL and secret are set")


class DeliverySettingsIn(ApiModel):
    """Only the fields given change. ``webhookUrl: null`` removes the webhook."""

    timezone: str | None = Field(default=None, max_length=64)
    email: bool | None = None
    in_app: bool | None = None
    webhook_url: str | None = Field(default=None, max_length=500)
    webhook_secret: str | None = Field(default=None, min_length=16, max_length=128)
