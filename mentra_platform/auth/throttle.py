"""Login throttle: failed logins within a sliding window answer 429 until the oldest of them
leaves the window. Three limits count the same rows:

* ``max_failures`` per (email, client): one guesser at one account;
* ``max_per_client`` per client across e-mails: one address trying many accounts (a flood
  of logins with a new e-mail each time);
* ``max_per_email`` per e-mail across clients: many addresses guessing one account.

The failures live in the database (``login_failures``), so every API process — and every
machine behind a load balancer — counts the same attempts; an in-process counter would
let ``workers × max_failures`` guesses through. A success clears that pair's failures;
rows older than the window are pruned whenever a failure is recorded.

An attempt is counted *before* its password is checked (:meth:`LoginThrottle.attempt`
writes a provisional failure row in the transaction that counts), so a burst of parallel
guesses sees each other and gets no more checks than the limits; a success clears the row.
"""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, func, select, text

from mentra_desktop.models import utcnow
from mentra_platform.core.db import Database
from mentra_platform.core.tables import LoginFailure

F = LoginFailure
# The two-key advisory space, apart from the change log's lock. Every attempt takes the
# client's lock and then the e-mail's, always in that order, so attempts never deadlock.
_PG_LOGIN_CLIENT_CLASS = 0x4C4F4743  # "LOGC"
_PG_LOGIN_EMAIL_CLASS = 0x4C4F4745  # "LOGE"


def _key(value: str) -> int:
    """A signed 32-bit advisory-lock key for an e-mail or a client."""
    digest = hashlib.sha256(value.encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class LoginThrottle:
    def __init__(
        self,
        db: Database,
        max_failures: int,
        window_seconds: float,
        *,
        max_per_client: int | None = None,
        max_per_email: int | None = None,
    ) -> None:
        self.db = db
        self.max_failures = max_failures
        self.max_per_client = max_per_client or max_failures * 4
        self.max_per_email = max_per_email or max_failures * 4
        self.window = timedelta(seconds=window_seconds)

    def attempt(self, email: str, client: str, now: datetime | None = None) -> int:
        """Count one login attempt as a failure until :meth:`succeeded` clears it.

        Returns 0 when the attempt may check its password, else the seconds to wait (and
        nothing is recorded). Counting and recording are one transaction, serialised per
        client and per e-mail (SQLite's write lock; PostgreSQL advisory locks), so parallel
        attempts can not all pass the count before any of them is recorded.
        """
        now = now or utcnow()
        email, client = email[:320], client[:64]
        since = now - self.window
        with self.db.write() as session:
            if session.get_bind().dialect.name == "postgresql":
                for cls, value in (
                    (_PG_LOGIN_CLIENT_CLASS, client),
                    (_PG_LOGIN_EMAIL_CLASS, email),
                ):
                    session.execute(
                        text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": cls, "k": _key(value)}
                    )
            by_email, by_client = F.email == email, F.client == client
            pair = and_(by_email, by_client)
            row = session.execute(
                select(
                    func.count(case((pair, 1))),
                    func.min(case((pair, F.at))),
                    func.count(case((by_email, 1))),
                    func.min(case((by_email, F.at))),
                    func.count(case((by_client, 1))),
                    func.min(case((by_client, F.at))),
                ).where(F.at > since, by_email | by_client)
            ).one()
            limits = (self.max_failures, self.max_per_email, self.max_per_client)
            waits = [
                math.ceil((oldest + self.window - now).total_seconds())
                for (count, oldest), limit in zip(
                    ((row[0], row[1]), (row[2], row[3]), (row[4], row[5])), limits, strict=True
                )
                if count >= limit and oldest is not None
            ]
            if waits:
                return int(max(1, *waits))
            session.execute(delete(F).where(F.at <= since))
            session.add(F(email=email, client=client, at=now))
            session.commit()
        return 0

    def succeeded(self, email: str, client: str) -> None:
        """Clear the pair's failures, the provisional one of this attempt included."""
        mine = (F.email == email[:320], F.client == client[:64])
        with self.db.write() as session:
            session.execute(delete(F).where(*mine))
            session.commit()
