"""Login and the current user."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from mentra_desktop.models import Role
from mentra_desktop.models.wire.common import ApiModel


class LoginIn(ApiModel):
    email: str = Field(min_length=3, max_length=254, examples=["council@example.com"])
    password: str = Field(min_length=1, max_length=1024, examples=["password123"])


class PlanOut(ApiModel):
    code: str
    name: str
    price_cents: int
    ai_messages: int
    human_sessions: int
    council_access: bool


class MentorProfileOut(ApiModel):
    headline: str
    expertise: list[str]
    seniority: int
    timezone: str
    work_start: str
    work_end: str
    active: bool


class UserOut(ApiModel):
    id: int
    email: str
    full_name: str
    role: Role
    plan: PlanOut | None
    has_council_access: bool


class MeOut(UserOut):
    mentor_profile: MentorProfileOut | None = None


class TokenOut(ApiModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    expires_in: int
    user: UserOut
