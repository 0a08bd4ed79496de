"""Nobody is ever double-booked: a mentor attends at most one confirmed council at a time.

A mentor is *booked* over ``[start, end)`` when they attend (``attending``) another council
that is ``confirmed`` and whose final slot overlaps it. Confirm and override refuse to seat
a booked mentor; assignment never gives a seat to a mentor booked over every proposed slot
(they could attend none). The council document lists the same bookings as each mentor's
``busy`` ranges, so the engine never proposes them either.

On PostgreSQL the check takes row locks (``FOR NO KEY UPDATE``) on the mentors' user rows
(in id order, after the council row the caller already holds), so two confirmations sharing
a mentor queue instead of both passing the check; SQLite serialises writers anyway. The
worker's batches take the same locks (:mod:`mentra_platform.coordination.deadline_batch`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    User,
)
from mentra_platform.core.errors import Conflict


@dataclass(frozen=True, slots=True)
class Booking:
    """``mentor_id`` attends confirmed council ``council_id`` over ``[start, end)``."""

    mentor_id: int
    council_id: int
    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def lock_mentors(session: Session, mentor_ids: Collection[int]) -> None:
    """Row-lock the mentors' user rows in id order (PostgreSQL; a no-op on SQLite).

    ``FOR NO KEY UPDATE``: it excludes every other confirmation (they take the same lock)
    but not the ``FOR KEY SHARE`` locks PostgreSQL's foreign-key checks take on the user
    rows whenever a transaction inserts a row naming the user (a notification, an audit
    entry, a seat). ``FOR UPDATE`` would wait for every such transaction to commit, so two
    workers queuing mail to the same mentors would run one after the other, or deadlock."""
    if mentor_ids:
        session.execute(
            select(User.id)
            .where(User.id.in_(sorted(mentor_ids)))
            .order_by(User.id)
            .with_for_update(key_share=True)
        )


def bookings(
    session: Session,
    mentor_ids: Collection[int],
    start: datetime,
    end: datetime,
    *,
    exclude_council: int,
) -> list[Booking]:
    """The mentors' confirmed sessions (other than ``exclude_council``) overlapping
    ``[start, end)``, by mentor then start."""
    if not mentor_ids:
        return []
    rows = session.execute(
        select(
            CouncilMentor.mentor_id, CouncilSession.id, CouncilSlot.starts_at, CouncilSlot.ends_at
        )
        .join(CouncilSession, CouncilSession.id == CouncilMentor.council_id)
        .join(
            CouncilSlot,
            (CouncilSlot.id == CouncilSession.final_slot_id)
            & (CouncilSlot.council_id == CouncilSession.id),
        )
        .where(
            CouncilMentor.mentor_id.in_(sorted(mentor_ids)),
            CouncilMentor.attending.is_(True),
            CouncilMentor.council_id != exclude_council,
            CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
            CouncilSlot.starts_at < end,
            CouncilSlot.ends_at > start,
        )
        .order_by(CouncilMentor.mentor_id, CouncilSlot.starts_at, CouncilSession.id)
    ).all()
    return [Booking(int(m), int(c), s, e) for m, c, s, e in rows]


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def describe(booking: Booking) -> str:
    """``mentor 11 is already confirmed for council 42 (2026-12-01 14:00 UTC)``."""
    return (
        f"mentor {booking.mentor_id} is already confirmed for council {booking.council_id} "
        f"({_when(booking.start)})"
    )


def refuse_double_booking(
    session: Session,
    mentor_ids: Collection[int],
    start: datetime,
    end: datetime,
    *,
    council_id: int,
    field: str = "attendingMentorIds",
) -> None:
    """409 naming each mentor and the other council when any of them is booked over the slot."""
    lock_mentors(session, mentor_ids)
    found = bookings(session, mentor_ids, start, end, exclude_council=council_id)
    if found:
        problems = [describe(b) for b in found]
        raise Conflict(
            "Double booking: " + "; ".join(problems), errors=[(field, p) for p in problems]
        )


def slot_bookings(
    session: Session,
    mentor_ids: Collection[int],
    slots: Sequence[tuple[int, datetime, datetime]],
    *,
    exclude_council: int,
) -> dict[int, dict[int, Booking]]:
    """Per mentor, each ``(slot id, start, end)`` they are booked over → one such booking."""
    if not slots:
        return {}
    lo, hi = min(s for _, s, _ in slots), max(e for _, _, e in slots)
    out: dict[int, dict[int, Booking]] = {}
    for b in bookings(session, mentor_ids, lo, hi, exclude_council=exclude_council):
        for sid, s, e in slots:
            if b.overlaps(s, e):
                out.setdefault(b.mentor_id, {}).setdefault(sid, b)
    return out


def refuse_booked_everywhere(
    session: Session,
    mentor_id: int,
    slots: Sequence[tuple[int, datetime, datetime]],
    *,
    council_id: int,
    field: str,
) -> None:
    """409 when the mentor is booked over every proposed slot (they could attend none)."""
    booked = slot_bookings(session, [mentor_id], slots, exclude_council=council_id).get(mentor_id)
    if slots and booked is not None and len(booked) == len(slots):
        problems = sorted({describe(b) for b in booked.values()})
        raise Conflict(
            f"Mentor {mentor_id} is booked over every proposed slot: " + "; ".join(problems),
            errors=[(field, p) for p in problems],
        )
