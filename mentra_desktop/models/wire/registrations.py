"""Mentee registration bodies (goals and questions)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from mentra_desktop.models.wire.common import ApiModel


class RegistrationIn(ApiModel):
    goals: str = Field(min_length=1, max_length=4000, description="What the mentee wants")
    questions: str = Field(default="", max_length=4000)

    @field_validator("goals")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("goals must not be blank")
        return value.strip()


class RegistrationOut(ApiModel):
    id: int
    council_id: int
    user_id: int
    goals: str
    questions: str
    created_at: datetime


class RegistrationList(ApiModel):
    items: list[RegistrationOut]
