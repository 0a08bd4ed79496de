"""Two workers over 500 councils whose deadlines passed (and 50 with a reminder due), at
once: every council is decided exactly once and no reminder step is sent twice. On
PostgreSQL the workers claim councils with FOR UPDATE SKIP LOCKED; on SQLite the write lock
serialises them. A worker killed mid-batch leaves that batch undone for the next pass."""

from __future__ import annotations

import threading
from datetime import timedelta

from coordination_helpers import T0, make_council, settings_for
from sqlalchemy import func, select

from mentra_desktop.models import AuditLog, CoordinationStatus, CouncilSession, Notification
from mentra_platform.coordination.worker import PassReport, run_pass
from mentra_platform.core.db import Database, make_database
from mentra_platform.core.tables import ReminderStep

A, U = "available", "unavailable"
N = 500


def test_two_workers_decide_each_council_once(db: Database, database_url: str) -> None:
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    base = T0 + timedelta(days=40)
    with db.write() as s:
        due = [
            make_council(
                s,
                [10, 11, 12, 13],
                start=base + timedelta(hours=4 * i),
                deadline=deadline,
                answers={10: [A, U, U], 11: [A, U, U], 12: [A, A, U]},
            )[0]
            for i in range(N)
        ]
        reminded = [
            make_council(
                s,
                [10, 11, 12],
                start=base - timedelta(days=10) + timedelta(hours=4 * i),
                deadline=deadline + timedelta(hours=24),
            )[0]
            for i in range(50)
        ]
        s.commit()
    now = deadline + timedelta(minutes=1)
    reports: list[PassReport] = []
    barrier = threading.Barrier(2)

    def work() -> None:
        own = make_database(settings)
        try:
            barrier.wait()
            reports.append(run_pass(own, settings, now, deliver_messages=False))
        finally:
            own.dispose()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert len(reports) == 2 and all(r.errors == 0 for r in reports)
    with db.read() as s:
        statuses = dict(
            s.execute(
                select(CouncilSession.id, CouncilSession.coordination_status).where(
                    CouncilSession.id.in_(due)
                )
            ).all()
        )
        confirms = dict(
            s.execute(
                select(AuditLog.council_id, func.count())
                .where(
                    AuditLog.council_id.in_(due),
                    AuditLog.action == "council.phase_changed",
                    AuditLog.reason == "the response deadline",
                )
                .group_by(AuditLog.council_id)
            ).all()
        )
        confirmations = s.scalar(
            select(func.count()).where(
                Notification.council_id.in_(due), Notification.kind == "confirmation"
            )
        )
        steps = s.scalar(select(func.count()).where(ReminderStep.council_id.in_(reminded)))
        reminders = s.scalar(
            select(func.count()).where(
                Notification.council_id.in_(reminded), Notification.kind == "reminder"
            )
        )
    assert set(statuses.values()) == {CoordinationStatus.CONFIRMED}
    assert confirms == dict.fromkeys(due, 1)
    assert confirmations == N * 4  # three attendees and the mentee, once each
    # 72 h after the invitation, 24 h before the deadline: the "second" step for 3 mentors
    # (the "first" recorded as skipped), once each across both workers.
    assert reminders == 50 * 3 and steps == 50 * 3 * 2
    assert sum(r.decided for r in reports) >= N
