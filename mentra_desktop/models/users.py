"""Users, plans and mentor profiles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentra_desktop.models.base import Base, str_enum, utcnow


class Role(enum.StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
"""Who runs councils: every staff check in the platform and the desktop uses this."""

COUNCIL_PLAN_CODE = "council"


class Plan(Base):
    """A subscription plan. Only plans with ``council_access`` unlock council features."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    price_cents: Mapped[int] = mapped_column(Integer, default=0)
    ai_messages: Mapped[int] = mapped_column(Integer, default=0)
    human_sessions: Mapped[int] = mapped_column(Integer, default=0)
    council_access: Mapped[bool] = mapped_column(Boolean, default=False)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16), default=Role.MENTEE, index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    plan: Mapped[Plan | None] = relationship(lazy="joined")
    mentor_profile: Mapped[MentorProfile | None] = relationship(
        back_populates="user", uselist=False, lazy="select"
    )

    @property
    def has_council_access(self) -> bool:
        """Staff and mentors always; mentees only on a plan with council access."""
        if self.role in STAFF_ROLES or self.role == Role.MENTOR:
            return True
        return bool(self.plan is not None and self.plan.council_access)


DEFAULT_WORKING_DAYS = [1, 2, 3, 4, 5]
"""ISO weekdays (1 = Monday); the engine's ``WorkingHours`` has the same default."""


class MentorProfile(Base):
    """Scheduling facts about a mentor: what they know, how senior, where and when they work.

    ``work_start``/``work_end`` are local ``HH:MM`` wall-clock times in ``timezone`` (an end
    at or before the start runs past midnight, ``24:00`` is allowed as an end) and
    ``working_days`` the ISO weekdays on which a working day starts. One definition checks
    and interprets them: :class:`mentra_desktop.scheduling.model.WorkingHours`.
    """

    __tablename__ = "mentor_profiles"
    __table_args__ = (CheckConstraint("seniority BETWEEN 1 AND 5", name="seniority_range"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str] = mapped_column(String(200), default="")
    expertise: Mapped[list[Any]] = mapped_column(JSON, default=list)
    seniority: Mapped[int] = mapped_column(Integer, default=3)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="18:00")
    working_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_WORKING_DAYS)
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    user: Mapped[User] = relationship(back_populates="mentor_profile")
