"""The automation worker: one pass decides every council whose deadline passed, sends the
due reminders, then hands the queued notifications to delivery.

A pass claims councils in batches, ordered by id, with ``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL (on SQLite the write transaction's ``BEGIN IMMEDIATE`` lock serialises
workers), so several workers never act on one council at once, and one that finds a
council already decided skips it (its phase no longer matches). Deadlines are decided
set-based per batch (:mod:`mentra_platform.coordination.deadline_batch`: the confirmations
in one transaction with bulk statements, the councils needing alternatives one by one in
a second); reminders a council at a time, each in a savepoint. A council that fails is
rolled back alone and logged; a worker killed mid-batch leaves every council of the
unfinished transaction undone, and the next pass does it. Every step reads ``now`` from
the caller (a :class:`Clock`), never the system.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mentra_desktop.models import CoordinationStatus, CouncilSession
from mentra_platform.coordination.clock import Clock
from mentra_platform.coordination.deadline_batch import decide_batch
from mentra_platform.coordination.reminders import earliest_step_offset, send_due
from mentra_platform.coordination.service import OPEN
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database, is_unavailable

log = logging.getLogger(__name__)
BATCH = 250
LOCK_RETRIES = 5


@dataclass
class PassReport:
    """What one pass did."""

    decided: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    reminders: int = 0
    errors: int = 0
    delivered: int | None = None
    """Messages delivered (``None`` when delivery is not available)."""


def _claim(session: Session, stmt: Select[int], after: int, size: int) -> list[int]:
    stmt = stmt.where(CouncilSession.id > after).order_by(CouncilSession.id).limit(size)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return list(session.scalars(stmt).all())


def _due_deadlines(now: datetime) -> Select[int]:
    return select(CouncilSession.id).where(
        CouncilSession.coordination_status.in_(OPEN),
        CouncilSession.mentor_response_deadline <= now,
    )


def _due_reminders(settings: Settings, now: datetime) -> Select[int]:
    final = timedelta(hours=settings.reminder_final_hours_before_deadline)
    return select(CouncilSession.id).where(
        CouncilSession.coordination_status.in_(
            (CoordinationStatus.COLLECTING, CoordinationStatus.RESCHEDULING)
        ),
        CouncilSession.mentor_response_deadline > now,
        or_(
            CouncilSession.invitations_sent_at <= now - earliest_step_offset(settings),
            CouncilSession.mentor_response_deadline <= now + final,
        ),
    )


def _batches(
    db: Database,
    stmt: Select[int],
    batch: int,
    each: Callable[[Session, list[int]], None],
) -> None:
    """Claim and handle ``stmt``'s councils batch by batch, one transaction each, in id
    order. A batch that times out waiting for the database (another worker holding the
    SQLite write lock, a PostgreSQL lock wait) is retried, then left to the next pass."""
    after = 0
    while True:
        for attempt in range(LOCK_RETRIES + 1):
            try:
                with db.write() as session:
                    ids = _claim(session, stmt, after, batch)
                    if not ids:
                        return
                    each(session, ids)
                    session.commit()
                break
            except OperationalError as exc:
                if attempt == LOCK_RETRIES or not is_unavailable(exc):
                    raise
                log.info("Worker batch waited too long for the database; retrying")
        after = ids[-1]


def decide_deadlines(
    db: Database, settings: Settings, now: datetime, report: PassReport, batch: int = BATCH
) -> None:
    """Decide every council whose deadline passed, a claimed batch at a time, set-based
    (:mod:`mentra_platform.coordination.deadline_batch`)."""

    def each(session: Session, ids: list[int]) -> None:
        done = decide_batch(session, settings, ids, now)
        report.errors += done.errors
        report.decided += len(done.decided)
        for phase in done.decided.values():
            report.outcomes[phase] = report.outcomes.get(phase, 0) + 1

    _batches(db, _due_deadlines(now), batch, each)


def send_reminders(
    db: Database, settings: Settings, now: datetime, report: PassReport, batch: int = BATCH
) -> None:
    def each(session: Session, ids: list[int]) -> None:
        for council in session.scalars(select(CouncilSession).where(CouncilSession.id.in_(ids))):
            try:
                with session.begin_nested():
                    report.reminders += send_due(session, settings, council, now)
            except Exception:
                log.exception("Reminders of council %s failed", council.id)
                report.errors += 1

    _batches(db, _due_reminders(settings, now), batch, each)


def deliver(db: Database, settings: Settings, now: datetime) -> int | None:
    """Hand queued notifications to delivery (:mod:`mentra_platform.notifications.delivery`)."""
    try:
        from mentra_platform.notifications.delivery import deliver_pending
    except ImportError:  # delivery not installed in this build: rows stay queued
        return None
    return deliver_pending(db.write, settings, now).sent


def refresh_due_calendars(
    db: Database, settings: Settings, now: datetime, report: PassReport
) -> None:
    """Read the mentors' calendars that are due (:mod:`mentra_platform.calendars.refresh`);
    a failure there is logged and counted, never stops the pass."""
    from mentra_platform.calendars.refresh import refresh_calendars

    try:
        refresh_calendars(db, settings, now)
    except Exception:
        log.exception("Calendar refresh failed; retrying next pass")
        report.errors += 1


def run_pass(
    db: Database, settings: Settings, now: datetime, *, deliver_messages: bool = True
) -> PassReport:
    """One pass at ``now``: deadlines, reminders, delivery."""
    report = PassReport()
    decide_deadlines(db, settings, now, report)
    send_reminders(db, settings, now, report)
    refresh_due_calendars(db, settings, now, report)
    if deliver_messages:
        report.delivered = deliver(db, settings, now)
    return report


def run_forever(
    db: Database,
    settings: Settings,
    clock: Clock,
    stop: threading.Event,
    interval: float | None = None,
) -> None:
    """Run a pass every ``interval`` seconds (``WORKER_INTERVAL_SECONDS``) until ``stop``."""
    wait = settings.worker_interval_seconds if interval is None else interval
    while not stop.is_set():
        started = time.monotonic()
        try:
            report = run_pass(db, settings, clock.now())
            if report.decided or report.reminders or report.errors:
                log.info("Worker pass: %s", report)
        except Exception:
            log.exception("Worker pass failed; retrying after the interval")
        stop.wait(max(0.0, wait - (time.monotonic() - started)))


__all__ = ["PassReport", "decide_deadlines", "run_forever", "run_pass", "send_reminders"]
