"""Confirm and override bodies, the audit entry they produce, and the engine's decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mentra_desktop.models import CoordinationStatus
from mentra_desktop.models.wire.common import ApiModel, HttpsUrl


def _unique(ids: list[int] | None) -> list[int] | None:
    if ids is not None and len(set(ids)) != len(ids):
        raise ValueError("each mentor at most once")
    return ids


class ConfirmIn(ApiModel):
    """Give ``slotId`` and ``attendingMentorIds`` together, or neither to confirm the
    engine's decision as of now (its confirmed slot, or while waiting its current leader
    when that slot is feasible)."""

    slot_id: int | None = Field(default=None, ge=1, le=2**62)
    attending_mentor_ids: list[int] | None = Field(default=None, min_length=1, max_length=5)
    video_link: HttpsUrl | None = None
    note: str = Field(default="", max_length=2000)

    @field_validator("attending_mentor_ids")
    @classmethod
    def _unique_ids(cls, value: list[int] | None) -> list[int] | None:
        return _unique(value)


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


DecisionStatus = Literal["confirmed", "waiting", "needs_alternatives"]


class RankedSlotOut(ApiModel):
    slot_id: int
    start: datetime
    feasible: bool
    lead_attends: bool
    attendee_ids: list[int]
    score: float


class AlternativeOut(ApiModel):
    """A system-generated start when no proposed slot works (mentors' proposals and the
    overlap of their working hours over the next 14 days)."""

    start: datetime
    end: datetime
    likely_attendee_ids: list[int]
    reaches_minimum: bool
    lead_included: bool


class PartialOut(ApiModel):
    mentor_id: int
    fraction: float


class ScorePartsOut(ApiModel):
    answers: float
    priority: float
    penalty: float


class ExplanationRowOut(ApiModel):
    rank: int
    slot_id: int
    start: datetime
    feasible: bool
    attending: list[int]
    available: list[int]
    tentative: list[int]
    partial: list[PartialOut]
    busy: list[int]
    unavailable: list[int]
    pending: list[int]
    score_parts: ScorePartsOut
    score: float


class ExplanationOut(ApiModel):
    reason: str = Field(description="The paragraph a coordinator reads")
    table: list[ExplanationRowOut] = Field(description="One row per slot, best first")


class EngineDecisionOut(ApiModel):
    """What the scheduling engine decides for the council as of ``asOf``.

    ``slotId``/``start``/``mentorIds`` name the confirmed slot, or while ``waiting`` the
    current leader when it is feasible (null/empty otherwise). ``version`` is the council
    version decided on; the same document and ``asOf`` give the same decision anywhere
    (``mentra_desktop.models.engine_bridge``).
    """

    council_id: int
    version: int
    as_of: datetime
    status: DecisionStatus
    slot_id: int | None
    start: datetime | None
    mentor_ids: list[int]
    lead_included: bool
    ranking: list[RankedSlotOut]
    alternatives: list[AlternativeOut]
    explanation: ExplanationOut
