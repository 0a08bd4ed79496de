"""Users, plans and mentor profiles."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String, event, true
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from mentra_desktop.models.base import Base, str_enum, utcnow
from mentra_desktop.scheduling.model import (
    WEEKDAYS,
    SchedulingInputError,
    WorkingHours,
    format_clock,
    zone,
)


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
    # Where messages show times (IANA name); None: the mentor profile's zone, else UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Delivery channels (mentra_platform.notifications): e-mail and the in-app list on by
    # default; a webhook when a URL is set, signed with the user's own secret.
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_in_app: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))

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


DEFAULT_WORKING_DAYS = sorted(WEEKDAYS)
"""ISO weekdays (1 = Monday): the engine's ``WorkingHours`` default."""

_PROFILE_FIELDS = {
    "working_hours.start": "workStart",
    "working_hours.end": "workEnd",
    "working_hours.days": "workingDays",
}


def profile_working_hours(start: str, end: str, days: Any) -> WorkingHours:
    """A profile's working hours through the engine's one definition.

    Raises :class:`SchedulingInputError` naming the profile field (``workStart``,
    ``workEnd``, ``workingDays``).
    """
    if not isinstance(days, list | tuple) or not all(type(d) is int for d in days):
        raise SchedulingInputError("workingDays", "must be a list of ISO weekdays (1 = Monday)")
    if len(set(days)) != len(days):
        raise SchedulingInputError("workingDays", "each weekday at most once")
    try:
        return WorkingHours.parse(str(start), str(end), days)
    except SchedulingInputError as exc:
        raise SchedulingInputError(_PROFILE_FIELDS.get(exc.field, exc.field), exc.message) from exc


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
    work_start: Mapped[str] = mapped_column(
        String(5), default=lambda: format_clock(WorkingHours().start)
    )
    work_end: Mapped[str] = mapped_column(
        String(5), default=lambda: format_clock(WorkingHours().end)
    )
    working_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_WORKING_DAYS)
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    user: Mapped[User] = relationship(back_populates="mentor_profile")

    @property
    def working_hours(self) -> WorkingHours:
        """The profile's working hours (defaults for fields not yet set)."""
        default = WorkingHours()
        return profile_working_hours(
            self.work_start or format_clock(default.start),
            self.work_end or format_clock(default.end),
            DEFAULT_WORKING_DAYS if self.working_days is None else self.working_days,
        )

    def validate(self) -> None:
        """Refuse a profile the engine would refuse (:class:`SchedulingInputError`)."""
        _ = self.working_hours
        try:
            zone(self.timezone or "UTC")
        except Exception as exc:  # ZoneInfoNotFoundError, ValueError, OSError
            raise SchedulingInputError(
                "timezone", f"unknown IANA time zone {self.timezone!r}"
            ) from exc


@event.listens_for(MentorProfile, "before_insert")
@event.listens_for(MentorProfile, "before_update")
def _validate_profile(mapper: Mapper[Any], connection: Any, target: MentorProfile) -> None:
    """No profile is stored that the engine or assignment would read differently or refuse."""
    target.validate()
