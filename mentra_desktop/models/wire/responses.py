"""Invitation and mentor-response bodies (per-slot answers, partial ranges, alternatives)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from mentra_desktop.models import AvailabilityResponse, CoordinationStatus, SlotAnswerValue
from mentra_desktop.models.wire.common import ApiModel, Id, Instant


class RangeIn(ApiModel):
    """A time range with explicit offsets (naive times are refused)."""

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> RangeIn:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


class SlotResponseIn(ApiModel):
    slot_id: Id
    answer: Literal["available", "tentative", "unavailable"]
    partial_ranges: list[RangeIn] = Field(
        default_factory=list,
        max_length=10,
        description="Only part of the slot works: ranges inside it (available/tentative only)",
    )

    @model_validator(mode="after")
    def _ranges_need_yes(self) -> SlotResponseIn:
        if self.partial_ranges and self.answer == "unavailable":
            raise ValueError("partialRanges are only allowed with available or tentative")
        return self


class MentorResponseIn(ApiModel):
    """Slots not listed keep their previous answer; omitted fields are left unchanged."""

    slots: list[SlotResponseIn] = Field(default_factory=list, max_length=5)
    alternative_proposals: list[RangeIn] | None = Field(
        default=None, max_length=10, description="Other times that would work (in the future)"
    )
    conflict_notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _unique_slots(self) -> MentorResponseIn:
        ids = [s.slot_id for s in self.slots]
        if len(set(ids)) != len(ids):
            raise ValueError("slots: each slotId at most once")
        if not self.slots and self.alternative_proposals is None and self.conflict_notes is None:
            raise ValueError("nothing to record: give slots, alternativeProposals or conflictNotes")
        return self


class SlotAnswerView(ApiModel):
    slot_id: int
    answer: SlotAnswerValue
    partial_ranges: list[Any]
    answered_at: datetime | None


class MentorResponseOut(ApiModel):
    council_id: int
    council_mentor_id: int
    mentor_id: int
    availability_response: AvailabilityResponse
    response_date: datetime | None
    conflict_notes: str
    alternative_proposals: list[Any]
    available_time_slots: dict[str, Any]
    slot_answers: list[SlotAnswerView]
    version: int


class InvitationsIn(ApiModel):
    mentor_response_deadline: Instant | None = Field(
        default=None, description="Defaults to 72 hours after the invitations go out"
    )


class InvitationsOut(ApiModel):
    council_id: int
    coordination_status: CoordinationStatus
    invitations_sent_at: datetime
    mentor_response_deadline: datetime
    invited_mentor_ids: list[int]
    notifications_queued: int
    version: int
