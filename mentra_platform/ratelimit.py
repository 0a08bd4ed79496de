"""Login throttle: ``max_failures`` failed logins per (email, client) within a sliding
window answer 429 until the oldest of them leaves the window.

The failures live in the database (``login_failures``), so every API process — and every
machine behind a load balancer — counts the same attempts; an in-process counter would
let ``workers × max_failures`` guesses through. A success clears that pair's failures;
rows older than the window are pruned whenever a failure is recorded.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from mentra_desktop.models import LoginFailure, utcnow
from mentra_platform.db import Database

F = LoginFailure


class LoginThrottle:
    def __init__(self, db: Database, max_failures: int, window_seconds: float) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def retry_after(self, email: str, client: str, now: datetime | None = None) -> int:
        """Seconds until another attempt is allowed (0 when allowed now)."""
        now = now or utcnow()
        with self.db.read() as session:
            count, oldest = session.execute(
                select(func.count(F.id), func.min(F.at)).where(
                    F.email == email, F.client == client, F.at > now - self.window
                )
            ).one()
        if count < self.max_failures or oldest is None:
            return 0
        return max(1, math.ceil((oldest + self.window - now).total_seconds()))

    def failed(self, email: str, client: str, now: datetime | None = None) -> None:
        now = now or utcnow()
        with self.db.write() as session:
            session.execute(delete(F).where(F.at <= now - self.window))
            session.add(F(email=email[:320], client=client[:64], at=now))
            session.commit()

    def succeeded(self, email: str, client: str) -> None:
        mine = (F.email == email, F.client == client)
        with self.db.read() as session:
            if session.scalar(select(F.id).where(*mine).limit(1)) is None:
                return  # the usual case: no write, so no write lock taken on SQLite
        with self.db.write() as session:
            session.execute(delete(F).where(*mine))
            session.commit()
