"""Notification queueing bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from mentra_desktop.models import NotificationKind, NotificationStatus
from mentra_desktop.models.wire.common import ApiModel, Id, SingleLine


class NotificationIn(ApiModel):
    """``reminder`` goes to mentors still pending (or only to ``mentorIds``, each of whom must
    hold a seat on the council and still be pending); ``confirmation`` needs a confirmed
    council; ``custom`` needs ``message`` and goes to the chosen ``audience``."""

    kind: Literal["reminder", "confirmation", "custom"]
    audience: Literal["mentors", "mentee", "both"] | None = Field(
        default=None, description="Default: mentors for reminders, both otherwise"
    )
    subject: SingleLine | None = Field(default=None, min_length=1, max_length=200)
    message: str | None = Field(default=None, min_length=1, max_length=5000)
    mentor_ids: list[Id] | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="Reminders only: remind just these mentors (each must hold a seat on the "
        "council and still be pending, else 422 / 409). Default: every pending mentor",
    )

    @model_validator(mode="after")
    def _consistent(self) -> NotificationIn:
        if self.kind == "custom" and not (self.message and self.message.strip()):
            raise ValueError("message is required for a custom notification")
        if self.kind == "reminder" and self.audience not in (None, "mentors"):
            raise ValueError("reminders go to pending mentors only (audience: mentors)")
        if self.mentor_ids is not None and self.kind != "reminder":
            raise ValueError("mentorIds chooses the recipients of a reminder only")
        return self


class NotificationOut(ApiModel):
    id: int
    kind: NotificationKind
    recipient_id: int
    council_id: int | None
    subject: str
    body: str
    status: NotificationStatus
    created_at: datetime
    sent_at: datetime | None


class NotificationBatch(ApiModel):
    council_id: int
    queued: int
    recipient_ids: list[int]
    items: list[NotificationOut]
