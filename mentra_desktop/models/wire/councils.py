"""Council request and response bodies (seed field names, camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from mentra_desktop.models import (
    DEFAULT_SLOT_DURATION,
    MAX_MENTORS,
    MAX_SLOTS,
    MIN_MENTORS,
    MIN_SLOTS,
    AvailabilityResponse,
    CoordinationStatus,
    SlotAnswerValue,
)
from mentra_desktop.models.wire.common import ApiModel, HttpsUrl, Id, Instant, SingleLine

MentorCount = Annotated[int, Field(ge=MIN_MENTORS, le=MAX_MENTORS)]


class SlotIn(ApiModel):
    """A proposed slot; the services also refuse one that has already started."""

    start: Instant
    end: Instant | None = Field(default=None, description="Defaults to start + 60 minutes")
    priority_score: float = Field(default=0.0, ge=0, le=1000)

    @model_validator(mode="after")
    def _end_after_start(self) -> SlotIn:
        if self.end is None:
            self.end = self.start + DEFAULT_SLOT_DURATION
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self


def _check_slots(slots: list[SlotIn] | None) -> None:
    if slots is None:
        return
    starts = [s.start for s in slots]
    if len(set(starts)) != len(starts):
        raise ValueError("proposedTimeSlots: two slots share the same start")


def _topic(value: str | None) -> str | None:
    """Topics are stored stripped; one of only spaces is no topic."""
    if value is None:
        return None
    if not value.strip():
        raise ValueError("topic must not be blank")
    return value.strip()


Topic = Annotated[SingleLine, Field(min_length=1, max_length=200)]
"""A council topic: one line (it becomes a mail subject), stored stripped."""


class CouncilCreate(ApiModel):
    topic: Topic
    description: str = Field(default="", max_length=10_000)
    mentee_id: Id
    lead_mentor_id: Id | None = None
    proposed_time_slots: list[SlotIn] = Field(min_length=MIN_SLOTS, max_length=MAX_SLOTS)
    mentor_response_deadline: Instant | None = None
    mentor_minimum: MentorCount = MIN_MENTORS
    mentor_maximum: MentorCount = MAX_MENTORS
    coordinator_notes: str = Field(default="", max_length=10_000)
    video_link: HttpsUrl | None = None

    _strip_topic = field_validator("topic")(_topic)

    @model_validator(mode="after")
    def _cross_checks(self) -> CouncilCreate:
        _check_slots(self.proposed_time_slots)
        if self.mentor_minimum > self.mentor_maximum:
            raise ValueError("mentorMinimum must not exceed mentorMaximum")
        return self


class CouncilPatch(ApiModel):
    """Only the fields present are changed. Slots can be replaced only in ``draft``."""

    topic: Topic | None = None
    description: str | None = Field(default=None, max_length=10_000)
    lead_mentor_id: Id | None = None
    proposed_time_slots: list[SlotIn] | None = Field(
        default=None, min_length=MIN_SLOTS, max_length=MAX_SLOTS
    )
    mentor_response_deadline: Instant | None = None
    mentor_minimum: MentorCount | None = None
    mentor_maximum: MentorCount | None = None
    coordinator_notes: str | None = Field(default=None, max_length=10_000)
    video_link: HttpsUrl | None = Field(default=None, description="null removes the link")
    coordination_status: CoordinationStatus | None = Field(
        default=None,
        description="Phase change; 'confirmed' and 'cancelled' have their own endpoints",
    )

    _strip_topic = field_validator("topic")(_topic)

    @model_validator(mode="after")
    def _cross_checks(self) -> CouncilPatch:
        _check_slots(self.proposed_time_slots)
        return self


class CancelIn(ApiModel):
    reason: str = Field(default="", max_length=2000)


class SlotOut(ApiModel):
    id: int
    position: int
    start: datetime
    end: datetime
    priority_score: float


class SlotAnswerOut(ApiModel):
    slot_id: int
    answer: SlotAnswerValue
    partial_ranges: list[Any]
    answered_at: datetime | None
    source: Literal["calendar"] | None = Field(
        default=None,
        description='"calendar" when pre-filled from the mentor\'s calendar; null when the '
        "mentor answered",
    )


class CouncilMentorOut(ApiModel):
    id: int
    mentor_id: int
    name: str
    email: str
    timezone: str | None
    is_lead: bool
    availability_response: AvailabilityResponse
    response_date: datetime | None
    conflict_notes: str
    alternative_proposals: list[Any]
    available_time_slots: dict[str, Any]
    notification_sent: bool
    last_reminder_sent: datetime | None
    reminder_count: int
    attending: bool | None
    slot_answers: list[SlotAnswerOut]
    # What the scheduling engine weighs (mentra_desktop.models.engine_bridge); profile
    # fields are null when the mentor has no profile (the engine's defaults apply).
    expertise_match: float | None = Field(
        description="Topic match (0..1) the seat was assigned with; null: unknown (0.5)"
    )
    seniority: int | None
    work_start: str | None = Field(description="Local HH:MM in `timezone`")
    work_end: str | None = Field(description="Local HH:MM; at or before workStart: overnight")
    working_days: list[int] | None = Field(description="ISO weekdays (1 = Monday)")
    busy: list[tuple[datetime, datetime]] = Field(
        description="[start, end] of this mentor's other confirmed councils near this one "
        "(only instants; empty for mentees)"
    )


class OrganizerOut(ApiModel):
    """The ORGANIZER of the council's calendar invite: the platform's ``MAIL_FROM``."""

    name: str
    address: str


class RegistrantOut(ApiModel):
    """A mentee registered for the council, an ATTENDEE of its invite."""

    user_id: int
    name: str
    email: str


class PhaseMoveOut(ApiModel):
    """One audited move of the council's phase."""

    from_: CoordinationStatus = Field(alias="from", description="The phase left")
    status: CoordinationStatus = Field(description="The phase entered")
    at: datetime
    cause: str = Field(
        description="What moved it: invitations, patch, confirm, cancel, answer, deadline, "
        "alternatives, withdrawal or override"
    )


class CouncilOut(ApiModel):
    id: int
    topic: str
    description: str
    mentee_id: int
    mentee_name: str = ""
    """The mentee's full name (empty from a platform that predates it)."""
    mentee_timezone: str | None = Field(
        default=None,
        description="The mentee's IANA time zone, for showing their local day; null when "
        "they have not set one (or from a platform that predates it)",
    )
    lead_mentor_id: int | None
    proposed_time_slots: list[SlotOut]
    mentor_response_deadline: datetime | None
    final_time_confirmed: bool
    final_slot_id: int | None
    coordinator_notes: str
    mentor_minimum: int
    mentor_maximum: int
    coordination_status: CoordinationStatus
    video_link: str | None
    invitations_sent_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime
    change_seq: int
    registration_count: int
    # The calendar invite's addressing, so an exported event equals the mailed invite
    # (mentra_desktop.export.ical). Staff only; absent from a platform that predates it.
    invite_uid: str | None = Field(
        default=None,
        description="UID of the council's calendar invite (council-<id>@<PUBLIC_BASE_URL "
        "host), stable across updates and the cancel; null for mentors and mentees",
    )
    invite_sequence: int | None = Field(
        default=None,
        description="SEQUENCE of the latest invite (raised on every confirm, reschedule and "
        "cancel); null for mentors and mentees",
    )
    organizer: OrganizerOut | None = Field(
        default=None, description="ORGANIZER of the invites (MAIL_FROM); null for non-staff"
    )
    mentee_email: str = Field(
        default="", description="The mentee's address, an ATTENDEE; empty for non-staff"
    )
    registrants: list[RegistrantOut] = Field(
        default_factory=list,
        description="Registered mentees (ATTENDEEs), by registration; empty for non-staff",
    )
    phase_history: list[PhaseMoveOut] = Field(
        default_factory=list,
        description="The audited phase moves, oldest first (before the first, the council "
        "was in that move's source phase, a draft, since createdAt); empty for mentees and "
        "from a platform that predates it",
    )
    mentors: list[CouncilMentorOut]


class CouncilPage(ApiModel):
    items: list[CouncilOut]
    total: int = Field(description="Councils matching the filters (all pages)")
    limit: int
    offset: int
    has_more: bool
    next_cursor: int = Field(
        description="Pass as `since` to get only councils changed after this page"
    )
