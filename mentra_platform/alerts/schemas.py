"""Wire documents of the alerts feed (camelCase, like every API document)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from mentra_desktop.models.wire.common import ApiModel


class AlertOut(ApiModel):
    id: int
    kind: str
    council_id: int | None
    message: str
    details: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_id: int | None


class AlertPage(ApiModel):
    items: list[AlertOut]
    next_after_id: int | None = Field(
        description="Pass as afterId for the next page; null on the last page"
    )


class WithdrawalIn(ApiModel):
    reason: str = Field(default="", max_length=2000)


class WithdrawalOut(ApiModel):
    council_id: int
    coordination_status: str
    attending_mentor_ids: list[int]
    invite_sequence: int
    version: int
