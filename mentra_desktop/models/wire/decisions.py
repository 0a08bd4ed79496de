"""Confirm and override bodies; the audit entry they produce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from mentra_desktop.models import CoordinationStatus
from mentra_desktop.models.wire.common import ApiModel


def _unique(ids: list[int] | None) -> list[int] | None:
    if ids is not None and len(set(ids)) != len(ids):
        raise ValueError("each mentor at most once")
    return ids


class ConfirmIn(ApiModel):
    slot_id: int = Field(ge=1, le=2**62)
    attending_mentor_ids: list[int] = Field(min_length=1, max_length=5)
    video_link: str | None = Field(default=None, min_length=1, max_length=500)
    note: str = Field(default="", max_length=2000)

    @field_validator("attending_mentor_ids")
    @classmethod
    def _unique_ids(cls, value: list[int]) -> list[int]:
        _unique(value)
        return value


class OverrideIn(ApiModel):
    """Admin override: ``reason`` is required; give at least one of the other fields."""

    reason: str = Field(min_length=1, max_length=2000)
    coordination_status: CoordinationStatus | None = None
    slot_id: int | None = Field(default=None, ge=1, le=2**62)
    attending_mentor_ids: list[int] | None = Field(default=None, max_length=5)

    @field_validator("attending_mentor_ids")
    @classmethod
    def _unique_ids(cls, value: list[int] | None) -> list[int] | None:
        return _unique(value)

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("reason must not be blank")
        return value.strip()

    @model_validator(mode="after")
    def _something(self) -> OverrideIn:
        if not {"coordination_status", "slot_id", "attending_mentor_ids"} & self.model_fields_set:
            raise ValueError("give coordinationStatus, slotId or attendingMentorIds")
        return self


class AuditOut(ApiModel):
    id: int
    actor_id: int | None
    action: str
    council_id: int | None
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime


class DecisionOut(ApiModel):
    council_id: int
    version: int
    coordination_status: CoordinationStatus
    final_time_confirmed: bool
    final_slot_id: int | None
    video_link: str | None
    attending_mentor_ids: list[int]
    notifications_queued: int
    audit: AuditOut
