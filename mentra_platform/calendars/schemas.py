"""Wire documents of ``/api/v1/mentors/{mentorId}/calendars`` (camelCase).

A connection is answered with its state only: the token or feed address is write-only and
never leaves the platform (``label`` says what it is without revealing it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from mentra_desktop.models.wire.common import ApiModel


class CalendarIn(ApiModel):
    kind: Literal["calendly", "ics"]
    token: str | None = Field(
        default=None, max_length=2000, description="Calendly personal access token (calendly)"
    )
    url: str | None = Field(
        default=None,
        max_length=2000,
        description="The calendar's secret iCalendar address, https:// or webcal:// (ics)",
    )


class CalendarOut(ApiModel):
    id: int
    mentor_id: int
    kind: str
    label: str = Field(description="What the calendar is, without its secret")
    last_refresh_at: datetime | None
    next_refresh_at: datetime | None
    last_error: str | None
    error_since: datetime | None
    busy_ranges: int = Field(description="Busy ranges held from this calendar")
    has_availability_schedule: bool
    created_at: datetime


class CalendarList(ApiModel):
    items: list[CalendarOut]


class RefreshOut(ApiModel):
    refreshed: int
    unchanged: int
    failed: int
    conflicts: int
    items: list[CalendarOut]
