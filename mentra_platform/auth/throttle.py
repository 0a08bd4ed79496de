"""Login throttle: ``max_failures`` failed logins per (email, client) within a sliding
window answer 429 until the oldest of them leaves the window.

The failures live in the database (``login_failures``), so every API process — and every
machine behind a load balancer — counts the same attempts; an in-process counter would
let ``workers × max_failures`` guesses through. A success clears that pair's failures;
rows older than the window are pruned whenever a failure is recorded.

An attempt is counted *before* its password is checked (:meth:`LoginThrottle.attempt`
writes a provisional failure row in the transaction that counts), so a burst of parallel
guesses sees each other and gets no more checks than the limit; a success clears the row.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text

from mentra_desktop.models import utcnow
from mentra_platform.core.db import Database
from mentra_platform.core.tables import LoginFailure

F = LoginFailure
_PG_LOGIN_LOCK_CLASS = 0x4C4F474E  # "LOGN"; the two-key advisory space, apart from changes


def _pair_key(email: str, client: str) -> int:
    """A signed 32-bit key for the (email, client) pair's advisory lock."""
    digest = hashlib.sha256(f"{email}\n{client}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class LoginThrottle:
    def __init__(self, db: Database, max_failures: int, window_seconds: float) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def attempt(self, email: str, client: str, now: datetime | None = None) -> int:
        """Count one login attempt as a failure until :meth:`succeeded` clears it.

        Returns 0 when the attempt may check its password, else the seconds to wait (and
        nothing is recorded). Counting and recording are one transaction, serialised per
        pair (SQLite's write lock; a PostgreSQL advisory lock), so parallel attempts can
        not all pass the count before any of them is recorded.
        """
        now = now or utcnow()
        email, client = email[:320], client[:64]
        with self.db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:c, :k)"),
                    {"c": _PG_LOGIN_LOCK_CLASS, "k": _pair_key(email, client)},
                )
            count, oldest = session.execute(
                select(func.count(F.id), func.min(F.at)).where(
                    F.email == email, F.client == client, F.at > now - self.window
                )
            ).one()
            if count >= self.max_failures and oldest is not None:
                return max(1, math.ceil((oldest + self.window - now).total_seconds()))
            session.execute(delete(F).where(F.at <= now - self.window))
            session.add(F(email=email, client=client, at=now))
            session.commit()
        return 0

    def succeeded(self, email: str, client: str) -> None:
        """Clear the pair's failures, the provisional one of this attempt included."""
        mine = (F.email == email[:320], F.client == client[:64])
        with self.db.write() as session:
            session.execute(delete(F).where(*mine))
            session.commit()
