"""Delivering queued notifications on each recipient's channels (e-mail, in-app, webhook).

The worker calls :func:`deliver_pending` once per pass. Contract, for the callers:

* it opens its own sessions from ``session_factory`` and commits them itself. Claiming a
  batch of due rows is one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL;
  SQLite's write transactions queue), which counts the attempt and moves
  ``next_attempt_at`` forward by a lease, so no other worker claims the row meanwhile and a
  worker killed mid-pass leaves it to be claimed again once the lease runs out. Nothing is
  sent while a database lock is held. Each message's outcome is then its own short
  transaction, which marks it ``sent`` only if it is still ``queued``: sent once.
* channels per recipient: e-mail (``notify_email``), in-app (``notify_in_app``: the row is
  listed by ``GET /me/notifications``), webhook (a ``webhook_url`` is set). A recipient
  with every channel off still gets the in-app copy: nothing is dropped. A channel that
  worked is not tried again on a retry.
* each attempt on each channel is logged (``notification_attempts``); a failure is
  retried with exponential backoff (``DELIVERY_RETRY_SECONDS`` doubling, at most an hour);
  after ``DELIVERY_MAX_ATTEMPTS`` the row is ``failed`` and an ``undeliverable_notification``
  alert is raised (once; not for a failed alert message itself, which would loop).
* at the start of a pass the day-before preparation reminders that are due are queued
  (:func:`mentra_platform.notifications.preparation.queue_due_preparation`).
* ``now`` is the injected clock: nothing here reads the wall clock for decisions.

Delivery is at least once: a worker killed between handing a message to SMTP and
recording it sends it again after the lease; the Message-ID stays the same, so clients
and webhook receivers can drop the duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from mentra_desktop.models import Notification, NotificationKind, NotificationStatus, User
from mentra_platform.alerts.service import raise_alert
from mentra_platform.core.config import Settings
from mentra_platform.core.tables import AlertKind, NotificationAttempt
from mentra_platform.notifications.mail import MailTransport, build_mail, make_transport
from mentra_platform.notifications.preparation import queue_due_preparation
from mentra_platform.notifications.rendering import Rendered, SharedParts, render
from mentra_platform.notifications.webhooks import WebhookSender

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
CLAIM_BATCH = 50
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliveryReport:
    """What one pass did: rows claimed, messages fully delivered, attempts that failed and
    will be retried, rows given up on (``failed``, alert raised)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class _Job:
    id: int
    kind: NotificationKind
    council_id: int | None
    attempt: int
    channels: list[str]
    webhook: tuple[str, str] | None = None
    rendered: Rendered | None = None
    error: str = ""
    results: list[tuple[str, str]] = field(default_factory=list)  # (channel, error or "")


def backoff(settings: Settings, attempt: int) -> timedelta:
    """Wait before attempt ``attempt + 1``: the base, doubling, at most an hour."""
    seconds = settings.delivery_retry_seconds * 2 ** max(0, attempt - 1)
    return min(timedelta(seconds=seconds), MAX_BACKOFF)


def channels_for(user: User) -> list[str]:
    chosen = []
    if user.notify_email and user.email:
        chosen.append("email")
    if user.notify_in_app:
        chosen.append("in_app")
    if user.webhook_url and user.webhook_secret:
        chosen.append("webhook")
    return chosen or ["in_app"]


def _claim(
    session_factory: sessionmaker[Session], settings: Settings, now: datetime, size: int
) -> list[_Job]:
    """Claim up to ``size`` due rows and render them, in one transaction."""
    with session_factory() as session:
        stmt = (
            select(Notification)
            .where(
                Notification.status == NotificationStatus.QUEUED,
                or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            )
            .order_by(Notification.id)
            .limit(size)
        )
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True, of=Notification)
        notes = list(session.scalars(stmt).all())
        if not notes:
            session.rollback()
            return []
        ids = [n.id for n in notes]
        done = {
            (nid, channel)
            for nid, channel in session.execute(
                select(NotificationAttempt.notification_id, NotificationAttempt.channel).where(
                    NotificationAttempt.notification_id.in_(ids), NotificationAttempt.ok
                )
            )
        }
        jobs = []
        shared = SharedParts()
        # One flush at the commit: the renders below would otherwise flush the claimed rows
        # before each of their queries.
        with session.no_autoflush:
            for note in notes:
                jobs.append(_prepare(session, settings, note, done, now, shared))
        session.commit()
        return jobs


def _prepare(
    session: Session,
    settings: Settings,
    note: Notification,
    done: set[tuple[int, str]],
    now: datetime,
    shared: SharedParts,
) -> _Job:
    """Count the attempt, take the lease, choose the channels still to do, render."""
    note.attempts += 1
    note.next_attempt_at = now + LEASE
    user = session.get(User, note.recipient_id)
    job = _Job(note.id, note.kind, note.council_id, note.attempts, [])
    if user is None:
        job.error = "the recipient no longer exists"
    else:
        job.channels = [c for c in channels_for(user) if (note.id, c) not in done]
        if "webhook" in job.channels and user.webhook_url and user.webhook_secret:
            job.webhook = (user.webhook_url, user.webhook_secret)
        try:
            job.rendered = render(session, settings, note, now, shared)
        except Exception as exc:  # a message that cannot be rendered is logged as such
            log.exception("notification %s could not be rendered", note.id)
            job.error = f"rendering failed: {type(exc).__name__}"
    return job


def _send(
    job: _Job, settings: Settings, mail: MailTransport, hooks: WebhookSender, now: datetime
) -> None:
    rendered = job.rendered
    if rendered is None:
        job.results.append(("render", job.error))
        return
    for channel in job.channels:
        try:
            if channel == "email":
                mail.send(build_mail(rendered, settings, now))
            elif channel == "webhook" and job.webhook is not None:
                hooks.post(job.webhook[0], job.webhook[1], rendered)
            job.results.append((channel, ""))
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"[:500]
            log.warning("notification %s on %s failed: %s", job.id, channel, reason)
            job.results.append((channel, reason or type(exc).__name__))


def _record(
    session_factory: sessionmaker[Session],
    settings: Settings,
    job: _Job,
    now: datetime,
    report: DeliveryReport,
) -> None:
    """Log the attempts and settle the row, in one transaction."""
    with session_factory() as session:
        session.add_all(
            NotificationAttempt(notification_id=job.id, channel=ch, ok=not err, error=err, at=now)
            for ch, err in job.results
        )
        still_queued = (Notification.id == job.id) & (
            Notification.status == NotificationStatus.QUEUED
        )
        errors = [f"{ch}: {err}" for ch, err in job.results if err]
        if not errors:
            session.execute(
                update(Notification)
                .where(still_queued)
                .values(status=NotificationStatus.SENT, sent_at=now, next_attempt_at=None)
            )
            report.sent += 1
        elif job.attempt >= settings.delivery_max_attempts:
            session.execute(
                update(Notification)
                .where(still_queued)
                .values(status=NotificationStatus.FAILED, next_attempt_at=None)
            )
            report.failed += 1
            if job.kind != NotificationKind.ALERT:
                raise_alert(
                    session,
                    AlertKind.UNDELIVERABLE_NOTIFICATION,
                    council_id=job.council_id,
                    message=(
                        f"Notification {job.id} ({job.kind.value}) could not be delivered "
                        f"after {job.attempt} attempts: {'; '.join(errors)}"
                    )[:1000],
                    now=now,
                    details={"notificationId": job.id, "errors": errors},
                    dedupe_key=f"undeliverable:{job.id}",
                )
        else:
            session.execute(
                update(Notification)
                .where(still_queued)
                .values(next_attempt_at=now + backoff(settings, job.attempt))
            )
            report.retried += 1
        session.commit()


def deliver_pending(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    limit: int = 500,
) -> DeliveryReport:
    """Deliver up to ``limit`` queued notifications that are due at ``now``.

    Returns what happened; raises only when the database itself fails (the next pass
    picks up where this one stopped).
    """
    report = DeliveryReport()
    with session_factory() as session:
        queue_due_preparation(session, now)
        session.commit()
    mail = make_transport(settings)
    hooks = WebhookSender(settings)
    try:
        while report.claimed < limit:
            jobs = _claim(session_factory, settings, now, min(CLAIM_BATCH, limit - report.claimed))
            if not jobs:
                break
            report.claimed += len(jobs)
            for job in jobs:
                _send(job, settings, mail, hooks, now)
                _record(session_factory, settings, job, now, report)
    finally:
        mail.close()
        hooks.close()
    return report


__all__ = ["DeliveryReport", "backoff", "channels_for", "deliver_pending"]
