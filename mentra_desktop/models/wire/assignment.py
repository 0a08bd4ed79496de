"""Mentor assignment bodies: add, swap, auto-assign and the resulting mentor list."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from mentra_desktop.models import MAX_MENTORS, AvailabilityResponse
from mentra_desktop.models.wire.common import ApiModel

UserId = Field(ge=1, le=2**62)


class AddMentorIn(ApiModel):
    mentor_id: int = UserId
    is_lead: bool = False


class SwapMentorIn(ApiModel):
    replacement_id: int = UserId


class AutoAssignIn(ApiModel):
    target: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MENTORS,
        description="Seats to fill in total (default the council's mentorMaximum)",
    )


class AssignedMentorOut(ApiModel):
    id: int
    mentor_id: int
    name: str
    timezone: str | None
    is_lead: bool
    availability_response: AvailabilityResponse
    response_date: datetime | None
    notification_sent: bool
    attending: bool | None
    expertise_match: float | None = Field(
        description="Topic match (0..1) the seat was assigned with; null: unknown"
    )


class PickOut(ApiModel):
    rank: int
    mentor_id: int
    score: float
    expertise_match: float
    seniority: float
    load: float
    hours_coverage: float
    covered_slot_ids: list[int]
    utc_offset_minutes: int
    reasons: list[str]


class MentorsOut(ApiModel):
    council_id: int
    version: int
    lead_mentor_id: int | None
    mentors: list[AssignedMentorOut]
    picks: list[PickOut] = Field(default_factory=list)
    meets_minimum: bool | None = None
    uncovered_slot_ids: list[int] = Field(default_factory=list)
