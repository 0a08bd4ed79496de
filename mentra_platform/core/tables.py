"""Tables only the platform has: failed logins, idempotency records, one-click nonces, the
heartbeats of running API processes, alerts, and mentors' calendar connections and busy time.

They live on the shared metadata (:class:`mentra_desktop.models.Base`) so one set of
Alembic migrations covers every table, but the desktop cache never sees them.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mentra_desktop.models import Base, SlotAnswerValue, utcnow
from mentra_desktop.models.base import str_enum


class LoginFailure(Base):
    """One failed login for (email, client address); rows older than the window are pruned.

    Counted per pair, per e-mail (the first index) and per client (the second).
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_client_at", "email", "client", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    client: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OneClickToken(Base):
    """The POST that confirms a one-click link sets ``used_at``; a used nonce is refused."""

    __tablename__ = "one_click_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    council_mentor_id: Mapped[int] = mapped_column(
        ForeignKey("council_mentors.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(ForeignKey("council_slots.id", ondelete="CASCADE"))
    answer: Mapped[SlotAnswerValue] = mapped_column(str_enum(SlotAnswerValue, 16))
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotencyStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ApiProcess(Base):
    """A running API process (one uvicorn worker). It refreshes ``heartbeat_at`` every few
    seconds; a stale heartbeat, or a ``pid`` gone on the same ``hostname``, means the
    process died and its unfinished Idempotency-Key claims may be taken over."""

    __tablename__ = "api_processes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class IdempotencyRecord(Base):
    """A claimed ``Idempotency-Key``; ``owner`` is the :class:`ApiProcess` running it."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    fingerprint: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[IdempotencyStatus] = mapped_column(
        str_enum(IdempotencyStatus, 16), default=IdempotencyStatus.IN_PROGRESS
    )
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    completed_at: Mapped[datetime | None] = mapped_column()


class AlertKind(enum.StrEnum):
    """Coordination failures a coordinator must look at (:mod:`mentra_platform.alerts`)."""

    NO_FEASIBLE_SLOT = "no_feasible_slot"
    DEADLINE_SILENT_MENTORS = "deadline_silent_mentors"
    LEAD_UNAVAILABLE_EVERYWHERE = "lead_unavailable_everywhere"
    WITHDRAWAL_BELOW_MINIMUM = "withdrawal_below_minimum"
    UNDELIVERABLE_NOTIFICATION = "undeliverable_notification"
    ALTERNATIVES_SENT = "alternatives_sent"
    ALTERNATIVE_BOOKED = "alternative_booked"
    CALENDAR_TOKEN_EXPIRED = "calendar_token_expired"
    CALENDAR_FEED_ERROR = "calendar_feed_error"
    CALENDAR_CONFLICT = "calendar_conflict"
    CALENDAR_CONFLICT_CONFIRMED = "calendar_conflict_confirmed"


class Alert(Base):
    """One coordination failure; ``dedupe_key`` (unique) makes raising it twice a no-op, so
    two workers or a retried pass never raise the same alert twice."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_acknowledged_at_id", "acknowledged_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, 40), index=True)
    council_id: Mapped[int | None] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReminderStep(Base):
    """A reminder step sent to one mentor of one council in one collection round.

    The unique constraint is the "exactly once" of the reminder schedule: a worker inserts
    the row in the same transaction as the reminder; a second worker's insert fails."""

    __tablename__ = "reminder_steps"
    __table_args__ = (UniqueConstraint("council_id", "mentor_id", "round", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    round: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(32))
    notification_id: Mapped[int | None] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationAttempt(Base):
    """One delivery attempt of a notification on one channel (``email``, ``in_app``,
    ``webhook``): when, and whether it worked (``error`` says why not). The log of
    :mod:`mentra_platform.notifications.delivery`; a channel that worked once is not tried
    again for the same notification."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class PreparationReminder(Base):
    """The day-before preparation reminder of one confirmed council at one invite
    ``sequence``: the unique row makes it go out once even with several workers."""

    __tablename__ = "preparation_reminders"
    __table_args__ = (UniqueConstraint("council_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarKind(enum.StrEnum):
    """Where a mentor's calendar comes from (:mod:`mentra_platform.calendars`)."""

    CALENDLY = "calendly"
    ICS = "ics"


class CalendarConnection(Base):
    """One calendar a mentor connected: a Calendly token or an iCalendar feed URL.

    ``secret`` is the token or URL encrypted with the calendar key, which is kept apart
    from the database (:mod:`mentra_platform.calendars.crypto`); nothing else here is
    secret. ``etag``/``last_modified`` make the next feed fetch conditional;
    ``availability`` holds the Calendly availability schedule (time zone and rules).
    ``error_since`` is set by the first failure after a success (one alert per episode).
    """

    __tablename__ = "calendar_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CalendarKind] = mapped_column(str_enum(CalendarKind, 16))
    secret: Mapped[bytes] = mapped_column(LargeBinary)
    label: Mapped[str] = mapped_column(String(200), default="")
    external_user: Mapped[str | None] = mapped_column(String(500))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    availability: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_refresh_at: Mapped[datetime | None] = mapped_column()
    next_refresh_at: Mapped[datetime | None] = mapped_column(index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_since: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CalendarBusy(Base):
    """One busy range ``[starts_at, ends_at)`` of a mentor, read from one connection.

    A refresh replaces a connection's rows; ``mentor_id`` is repeated so the council
    document finds a mentor's ranges by one index."""

    __tablename__ = "calendar_busy"
    __table_args__ = (Index("ix_calendar_busy_mentor_id_starts_at", "mentor_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_connections.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
