"""The escalating reminder schedule, exactly once per mentor and step, with fresh one-click
links and rising urgency; a mentor who answered gets none. Injected clock, no sleeps."""

from __future__ import annotations

from datetime import timedelta

from coordination_helpers import T0, click, council, links, make_council, settings_for
from sqlalchemy import select

from mentra_desktop.models import Notification
from mentra_platform.coordination.worker import run_pass
from mentra_platform.core.db import Database
from mentra_platform.core.tables import ReminderStep

A, U = "available", "unavailable"


def _reminders(db: Database, council_id: int) -> list[tuple[int, str]]:
    with db.read() as s:
        return [
            (r.recipient_id, r.subject.split(":")[0])
            for r in s.scalars(
                select(Notification)
                .where(Notification.council_id == council_id, Notification.kind == "reminder")
                .order_by(Notification.id)
            )
        ]


def test_three_steps_once_each_then_the_deadline(db: Database, database_url: str) -> None:
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=72)
    with db.write() as s:
        cid, _ = make_council(
            s,
            [10, 11, 12],
            start=T0 + timedelta(days=40),
            deadline=deadline,
            answers={10: [A, U, U]},
        )
        s.commit()

    def at(hours: float) -> None:
        run_pass(db, settings, T0 + timedelta(hours=hours), deliver_messages=False)

    at(1)
    assert _reminders(db, cid) == []
    at(24)
    at(24.5)  # a second pass (or a second worker) sends nothing again
    assert _reminders(db, cid) == [(11, "Reminder"), (12, "Reminder")]
    # The reminder's own links work: mentor 12 answers from it and gets no more.
    token = links(db, cid, 12)[0]
    click(db, settings, token, T0 + timedelta(hours=30))
    at(48)
    at(66)
    at(70)
    assert _reminders(db, cid) == [
        (11, "Reminder"),
        (12, "Reminder"),
        (11, "Second reminder"),
        (11, "Last call"),
    ]
    seats = {cm.mentor_id: cm for cm in council(db, cid).mentors}
    assert seats[11].reminder_count == 3
    assert seats[11].last_reminder_sent == T0 + timedelta(hours=66)
    assert seats[12].reminder_count == 1 and seats[10].reminder_count == 0
    with db.read() as s:
        steps = s.execute(
            select(ReminderStep.mentor_id, ReminderStep.step).where(ReminderStep.council_id == cid)
        ).all()
    assert sorted(steps) == [(11, "final"), (11, "first"), (11, "second"), (12, "first")]


def test_a_worker_that_was_down_sends_only_the_latest_step(db: Database, database_url: str) -> None:
    settings = settings_for(database_url)
    with db.write() as s:
        cid, _ = make_council(
            s, [10, 11, 12], start=T0 + timedelta(days=40), deadline=T0 + timedelta(hours=72)
        )
        s.commit()
    run_pass(db, settings, T0 + timedelta(hours=50), deliver_messages=False)
    assert _reminders(db, cid) == [
        (10, "Second reminder"),
        (11, "Second reminder"),
        (12, "Second reminder"),
    ]
    run_pass(db, settings, T0 + timedelta(hours=51), deliver_messages=False)
    assert len(_reminders(db, cid)) == 3
    assert {cm.reminder_count for cm in council(db, cid).mentors} == {1}
