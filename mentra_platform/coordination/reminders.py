"""Escalating reminders to mentors who have not answered, each step once per mentor.

The schedule, relative to the round's invitation and its response deadline (settings)::

    first   invitation + REMINDER_FIRST_HOURS (24 h)    "Reminder"
    second  invitation + REMINDER_SECOND_HOURS (48 h)   "Second reminder"
    final   deadline − REMINDER_FINAL_HOURS_BEFORE_DEADLINE (6 h)   "Last call"

A step is due once its time has come and the deadline has not; steps falling at or after
the deadline are dropped. When several are due at once (the worker was down), only the
latest goes out and the earlier ones are recorded as skipped, so nobody gets a burst.
Every reminder carries fresh one-click links (the invitation's, minted again) and the
urgency of its step. A :class:`~mentra_platform.core.tables.ReminderStep` row per council,
mentor, collection round and step — unique — is written in the reminder's transaction:
that row is "sent once, ever"; ``lastReminderSent`` and ``reminderCount`` move with it.
After the deadline the ``deadline_silent_mentors`` alert names whoever is still silent
(:mod:`mentra_platform.coordination.deadlines`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import AvailabilityResponse, CouncilSession, NotificationKind
from mentra_platform.coordination.service import OPEN
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.tables import ReminderStep
from mentra_platform.councils.queries import iso
from mentra_platform.responses.invitations import invite_seat

STEPS = ("first", "second", "final")
URGENCY = {
    "first": ("Reminder", "A friendly reminder: we still need your answer."),
    "second": ("Second reminder", "We still need your answer to plan this council."),
    "final": (
        "Last call",
        "LAST CALL: answers close in a few hours. Without your answer you count as unavailable.",
    ),
}


def schedule(settings: Settings, council: CouncilSession) -> list[tuple[str, datetime]]:
    """The round's steps with their times, in time order, only those before the deadline."""
    invited, deadline = council.invitations_sent_at, council.mentor_response_deadline
    if invited is None or deadline is None:
        return []
    times = {
        "first": invited + timedelta(hours=settings.reminder_first_hours),
        "second": invited + timedelta(hours=settings.reminder_second_hours),
        "final": deadline - timedelta(hours=settings.reminder_final_hours_before_deadline),
    }
    steps = [(s, t) for s, t in times.items() if invited < t < deadline]
    return sorted(steps, key=lambda st: (st[1], STEPS.index(st[0])))


def earliest_step_offset(settings: Settings) -> timedelta:
    """No step is due sooner after the invitation than this (the worker's filter)."""
    return timedelta(hours=min(settings.reminder_first_hours, settings.reminder_second_hours))


def send_due(session: Session, settings: Settings, council: CouncilSession, now: datetime) -> int:
    """Send the due step to each silent mentor who has not had it; returns reminders sent."""
    deadline = council.mentor_response_deadline
    if council.coordination_status not in OPEN or deadline is None or now >= deadline:
        return 0
    due = [step for step, at in schedule(settings, council) if at <= now]
    if not due:
        return 0
    latest = due[-1]
    rnd = council.collection_round
    done = set(
        session.execute(
            select(ReminderStep.mentor_id, ReminderStep.step).where(
                ReminderStep.council_id == council.id, ReminderStep.round == rnd
            )
        ).all()
    )
    sent: list[int] = []
    for seat in council.mentors:
        if seat.availability_response != AvailabilityResponse.PENDING:
            continue
        if not seat.mentor.is_active or (seat.mentor_id, latest) in done:
            continue
        for step in due[:-1]:
            if (seat.mentor_id, step) not in done:
                session.add(
                    ReminderStep(
                        council_id=council.id,
                        mentor_id=seat.mentor_id,
                        round=rnd,
                        step=step,
                        sent_at=now,
                    )
                )
        note = invite_seat(session, settings, council, seat, seat.mentor, now)
        label, line = URGENCY[latest]
        note.kind = NotificationKind.REMINDER
        note.subject = f"{label}: {council.topic}"[:200]
        note.body = f"{line}\n\n{note.body}"
        session.flush()
        session.add(
            ReminderStep(
                council_id=council.id,
                mentor_id=seat.mentor_id,
                round=rnd,
                step=latest,
                notification_id=note.id,
                sent_at=now,
            )
        )
        seat.last_reminder_sent = now
        seat.reminder_count = (seat.reminder_count or 0) + 1
        sent.append(seat.mentor_id)
    if sent:
        record_change(
            session,
            council_id=council.id,
            kind="reminders.sent",
            payload={"step": latest, "mentorIds": sent, "round": rnd, "at": iso(now)},
        )
    return len(sent)


__all__ = ["STEPS", "earliest_step_offset", "schedule", "send_due"]
