"""Delivering queued notifications on each recipient's channels (e-mail, in-app, webhook).

The worker calls :func:`deliver_pending` once per pass. Contract, for the callers:

* it opens its own sessions from ``session_factory`` and commits them itself: claiming rows
  (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never claim one row) is one
  short transaction, and each message's outcome is another, so a message sent is marked
  sent once and a failure never rolls back someone else's work;
* a claimed row carries a lease (``next_attempt_at`` moves forward) before anything is sent,
  so a worker killed mid-pass leaves the row to be claimed again once the lease runs out;
* a failed attempt is logged and retried later with exponential backoff; after
  ``DELIVERY_MAX_ATTEMPTS`` the row is ``failed`` and an alert is raised: never dropped
  silently;
* ``now`` is the injected clock: nothing here reads the wall clock for decisions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from mentra_platform.core.config import Settings


@dataclass
class DeliveryReport:
    """What one pass did: rows claimed, messages fully delivered, attempts that failed and
    will be retried, rows given up on (``failed``, alert raised)."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_pending(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    limit: int = 500,
) -> DeliveryReport:
    """Deliver up to ``limit`` queued notifications that are due at ``now``.

    Returns what happened; raises only when the database itself fails (the next pass
    picks up where this one stopped). This first version is the published signature only:
    it claims nothing yet.
    """
    del session_factory, settings, now, limit
    return DeliveryReport()


__all__ = ["DeliveryReport", "deliver_pending"]
