"""Council sessions, their proposed slots, invited mentors and per-slot answers.

Field names follow the seed design (``proposedTimeSlots`` → :class:`CouncilSlot` rows,
``mentorResponseDeadline``, ``finalTimeConfirmed``, ``coordinatorNotes``,
``mentorMinimum``/``mentorMaximum``, ``coordinationStatus``; per mentor
``availabilityResponse``, ``responseDate``, ``availableTimeSlots``, ``conflictNotes``,
``alternativeProposals``, ``notificationSent``, ``lastReminderSent``).

``version`` is the optimistic-concurrency token (the ETag). SQLAlchemy increments it on
every UPDATE of the council row and refuses a stale one (``StaleDataError``); writes to
child rows bump it through ``record_change``, which touches ``updated_at``/``change_seq``.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentra_desktop.models.base import Base, str_enum, utcnow
from mentra_desktop.models.users import User

DEFAULT_RESPONSE_WINDOW = timedelta(hours=72)
"""``mentorResponseDeadline`` defaults to this long after the invitations go out."""

DEFAULT_SLOT_DURATION = timedelta(minutes=60)
MIN_SLOTS, MAX_SLOTS = 3, 5
MIN_MENTORS, MAX_MENTORS = 3, 5


class CoordinationStatus(enum.StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"
    SELECTING = "selecting"
    CONFIRMED = "confirmed"
    NEEDS_ALTERNATIVES = "needs_alternatives"
    RESCHEDULING = "rescheduling"
    CANCELLED = "cancelled"


PHASE_ORDER: tuple[str, ...] = (
    CoordinationStatus.DRAFT.value,
    CoordinationStatus.COLLECTING.value,
    CoordinationStatus.SELECTING.value,
    CoordinationStatus.NEEDS_ALTERNATIVES.value,
    CoordinationStatus.RESCHEDULING.value,
    CoordinationStatus.CONFIRMED.value,
    CoordinationStatus.CANCELLED.value,
)
"""Every phase in the order a council moves through them: the display order of charts,
exports and filters (the enum's own order is the column's history, not this)."""


class AvailabilityResponse(enum.StrEnum):
    PENDING = "pending"
    AVAILABLE = "available"
    UNAVAILABLE = "unavailable"
    TENTATIVE = "tentative"


class SlotAnswerValue(enum.StrEnum):
    PENDING = "pending"
    AVAILABLE = "available"
    TENTATIVE = "tentative"
    UNAVAILABLE = "unavailable"


class CouncilSession(Base):
    __tablename__ = "council_sessions"
    __table_args__ = (
        CheckConstraint("mentor_minimum BETWEEN 3 AND 5", name="mentor_minimum_range"),
        CheckConstraint("mentor_maximum BETWEEN 3 AND 5", name="mentor_maximum_range"),
        CheckConstraint("mentor_minimum <= mentor_maximum", name="mentor_min_le_max"),
        Index(
            "ix_council_sessions_status_deadline",
            "coordination_status",
            "mentor_response_deadline",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    mentee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lead_mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mentor_response_deadline: Mapped[datetime | None] = mapped_column()
    final_time_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Plain id (no FK): council_slots already points here and a cycle would need ALTER
    # on SQLite. The application keeps it pointing at one of this council's slots.
    final_slot_id: Mapped[int | None] = mapped_column(Integer)
    coordinator_notes: Mapped[str] = mapped_column(Text, default="")
    mentor_minimum: Mapped[int] = mapped_column(Integer, default=MIN_MENTORS)
    mentor_maximum: Mapped[int] = mapped_column(Integer, default=MAX_MENTORS)
    coordination_status: Mapped[CoordinationStatus] = mapped_column(
        str_enum(CoordinationStatus), default=CoordinationStatus.DRAFT
    )
    video_link: Mapped[str | None] = mapped_column(String(500))
    invitations_sent_at: Mapped[datetime | None] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    change_seq: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # Raised by the coordination state machine on every confirm, reschedule and cancel: the
    # RFC 5545 SEQUENCE of the council's calendar invite.
    invite_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Raised each time collection restarts (alternatives, a withdrawal below the minimum):
    # the reminder schedule runs once per round.
    collection_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    slots: Mapped[list[CouncilSlot]] = relationship(
        back_populates="council",
        cascade="all, delete-orphan",
        order_by="CouncilSlot.position",
    )
    mentors: Mapped[list[CouncilMentor]] = relationship(
        back_populates="council",
        cascade="all, delete-orphan",
        order_by="CouncilMentor.id",
    )
    mentee: Mapped[User] = relationship(foreign_keys=[mentee_id])

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def mark_invitations_sent(self, when: datetime | None = None) -> None:
        """Stamp the invitations and default the response deadline to +72 h."""
        sent = when or utcnow()
        self.invitations_sent_at = sent
        if self.mentor_response_deadline is None:
            self.mentor_response_deadline = sent + DEFAULT_RESPONSE_WINDOW


class CouncilSlot(Base):
    """One of the 3–5 proposed one-hour slots (the seed's ``proposedTimeSlots``)."""

    __tablename__ = "council_slots"
    __table_args__ = (
        UniqueConstraint("council_id", "position"),
        UniqueConstraint("council_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="slot_end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    priority_score: Mapped[float] = mapped_column(Float, default=0.0)

    council: Mapped[CouncilSession] = relationship(back_populates="slots")


class CouncilMentor(Base):
    """A mentor invited to a council, with their overall answer and follow-up state."""

    __tablename__ = "council_mentors"
    __table_args__ = (
        UniqueConstraint("council_id", "mentor_id"),
        # A mentor's attending seats: their busy times and the double-booking check.
        Index("ix_council_mentors_mentor_id_attending", "mentor_id", "attending"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    council_id: Mapped[int] = mapped_column(
        ForeignKey("council_sessions.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # The topic match (0..1) the seat was assigned with (auto-assign, add, swap); the
    # engine weighs the mentor by it. NULL for seats from before it was kept.
    expertise_match: Mapped[float | None] = mapped_column(Float)
    availability_response: Mapped[AvailabilityResponse] = mapped_column(
        str_enum(AvailabilityResponse, 16), default=AvailabilityResponse.PENDING
    )
    response_date: Mapped[datetime | None] = mapped_column()
    conflict_notes: Mapped[str] = mapped_column(Text, default="")
    # [[start_iso, end_iso], ...] times the mentor proposes instead of the slots.
    alternative_proposals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {"<slot_id>": [[start_iso, end_iso], ...]}: partial availability inside slots.
    available_time_slots: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notification_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    last_reminder_sent: Mapped[datetime | None] = mapped_column()
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)
    attending: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    council: Mapped[CouncilSession] = relationship(back_populates="mentors")
    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    slot_answers: Mapped[list[CouncilSlotAnswer]] = relationship(
        back_populates="council_mentor",
        cascade="all, delete-orphan",
        order_by="CouncilSlotAnswer.slot_id",
    )


class CouncilSlotAnswer(Base):
    """A mentor's answer for one proposed slot, with optional partial ranges inside it."""

    __tablename__ = "council_slot_answers"
    __table_args__ = (UniqueConstraint("council_mentor_id", "slot_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    council_mentor_id: Mapped[int] = mapped_column(
        ForeignKey("council_mentors.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("council_slots.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[SlotAnswerValue] = mapped_column(
        str_enum(SlotAnswerValue, 16), default=SlotAnswerValue.PENDING
    )
    partial_ranges: Mapped[list[Any]] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime | None] = mapped_column()
    # "calendar" when pre-filled from the mentor's calendar; None when the mentor answered.
    source: Mapped[str | None] = mapped_column(String(16))

    council_mentor: Mapped[CouncilMentor] = relationship(back_populates="slot_answers")
