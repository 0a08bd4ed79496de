"""Possible conflicts: new busy time over a slot a mentor said they could attend.

When a refresh brings busy ranges that were not there before, every slot the mentor
answered ``available`` on an open council (collecting, selecting, rescheduling) that one of
them overlaps raises a ``calendar_conflict`` alert on that council; a confirmed council the
mentor attends whose final slot one overlaps raises ``calendar_conflict_confirmed`` and
tells the council's coordinator by a notification (a range exactly the session's is the
session itself, synced into the mentor's calendar: Calendly gives no UID to tell it by).
Each is raised once per council, mentor and slot (the alert's dedupe key): a range that a
later refresh clips or extends, or a second range over the same slot, raises nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    NotificationKind,
    Role,
    SlotAnswerValue,
    User,
)
from mentra_platform.alerts.service import raise_alert
from mentra_platform.calendars.ranges import BusyRange
from mentra_platform.core.tables import AlertKind
from mentra_platform.notifications.messages import queue

_OPEN = (
    CoordinationStatus.COLLECTING,
    CoordinationStatus.SELECTING,
    CoordinationStatus.RESCHEDULING,
)


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _open_conflicts(
    session: Session, mentor_id: int, lo: datetime, hi: datetime
) -> list[tuple[int, str, int, datetime, datetime]]:
    rows = session.execute(
        select(
            CouncilSession.id,
            CouncilSession.topic,
            CouncilSlot.id,
            CouncilSlot.starts_at,
            CouncilSlot.ends_at,
        )
        .join(CouncilMentor, CouncilMentor.council_id == CouncilSession.id)
        .join(CouncilSlotAnswer, CouncilSlotAnswer.council_mentor_id == CouncilMentor.id)
        .join(CouncilSlot, CouncilSlot.id == CouncilSlotAnswer.slot_id)
        .where(
            CouncilMentor.mentor_id == mentor_id,
            CouncilSession.coordination_status.in_(_OPEN),
            CouncilSlotAnswer.answer == SlotAnswerValue.AVAILABLE,
            CouncilSlot.starts_at < hi,
            CouncilSlot.ends_at > lo,
        )
    ).all()
    return [(int(c), str(t), int(s), a, b) for c, t, s, a, b in rows]


def _confirmed_conflicts(
    session: Session, mentor_id: int, lo: datetime, hi: datetime
) -> list[tuple[CouncilSession, int, datetime, datetime]]:
    rows = session.execute(
        select(CouncilSession, CouncilSlot.id, CouncilSlot.starts_at, CouncilSlot.ends_at)
        .join(CouncilMentor, CouncilMentor.council_id == CouncilSession.id)
        .join(
            CouncilSlot,
            (CouncilSlot.id == CouncilSession.final_slot_id)
            & (CouncilSlot.council_id == CouncilSession.id),
        )
        .where(
            CouncilMentor.mentor_id == mentor_id,
            CouncilMentor.attending.is_(True),
            CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
            CouncilSlot.starts_at < hi,
            CouncilSlot.ends_at > lo,
        )
    ).all()
    return [(c, int(s), a, b) for c, s, a, b in rows]


def _coordinators(session: Session, council: CouncilSession) -> list[int]:
    if council.created_by_id is not None:
        return [council.created_by_id]
    return list(
        session.scalars(
            select(User.id).where(User.role == Role.COORDINATOR, User.is_active.is_(True))
        ).all()
    )


def raise_conflicts(
    session: Session, mentor_id: int, new: Sequence[BusyRange], now: datetime
) -> int:
    """Raise the alerts for ``new`` busy ranges of ``mentor_id``; how many were raised."""
    if not new:
        return 0
    lo, hi = min(r.start for r in new), max(r.end for r in new)
    raised = 0
    for cid, topic, sid, start, end in _open_conflicts(session, mentor_id, lo, hi):
        for r in new:
            if not r.overlaps(start, end):
                continue
            alert = raise_alert(
                session,
                AlertKind.CALENDAR_CONFLICT,
                council_id=cid,
                message=(
                    f"Possible conflict: mentor {mentor_id} answered available for "
                    f"{_when(start)} on \u201c{topic}\u201d, but their calendar is now busy "
                    f"{_when(r.start)}\u2013{_when(r.end)}"
                ),
                now=now,
                details={
                    "mentorId": mentor_id,
                    "slotId": sid,
                    "busy": [r.start.isoformat(), r.end.isoformat()],
                },
                dedupe_key=f"calendar-conflict:{cid}:{mentor_id}:{sid}",
            )
            raised += alert is not None
            break
    for council, sid, start, end in _confirmed_conflicts(session, mentor_id, lo, hi):
        for r in new:
            if not r.overlaps(start, end) or (r.start, r.end) == (start, end):
                continue  # exactly the session: the council's own invite in their calendar
            message = (
                f"Possible conflict: mentor {mentor_id} is confirmed for "
                f"\u201c{council.topic}\u201d at {_when(start)}, but their calendar is now busy "
                f"{_when(r.start)}\u2013{_when(r.end)}"
            )
            alert = raise_alert(
                session,
                AlertKind.CALENDAR_CONFLICT_CONFIRMED,
                council_id=council.id,
                message=message,
                now=now,
                details={
                    "mentorId": mentor_id,
                    "slotId": sid,
                    "busy": [r.start.isoformat(), r.end.isoformat()],
                },
                dedupe_key=f"calendar-conflict:{council.id}:{mentor_id}:{sid}",
            )
            if alert is not None:
                raised += 1
                queue(
                    session,
                    council,
                    NotificationKind.ALERT,
                    _coordinators(session, council),
                    f"Possible calendar conflict: {council.topic}",
                    message + ". Ask the mentor, or swap them before the session.",
                )
            break
    return raised


__all__ = ["raise_conflicts"]
