"""Mail delivery throughput: 2,000 queued confirmations (each with its RFC 5545 invite and
preparation materials) delivered by one ``deliver_pending`` pass to a local aiosmtpd
server, and the same to ``.eml`` files; SQLite, the demo seed.

The SMTP server runs in this process (a thread), so its parsing shares the CPU with the
sender: the figure is a floor for a real server on another host.
"""

from __future__ import annotations

import socket
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from mentra_desktop.models import (
    CoordinationStatus,
    CouncilSession,
    Notification,
    NotificationKind,
    NotificationStatus,
    utcnow,
)
from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.notifications.delivery import deliver_pending
from mentra_platform.seed import seed_demo

MESSAGES = int(__import__("os").environ.get("BENCH_MAIL_MESSAGES", "2000"))


class _Count:
    def __init__(self) -> None:
        self.n = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.n += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _prepare(settings: Settings) -> None:
    """Every demo notification sent, then MESSAGES confirmations queued over the confirmed
    councils' participants."""
    db = make_database(settings)
    try:
        with db.write() as s:
            s.execute(update(Notification).values(status=NotificationStatus.SENT))
            councils = s.scalars(
                select(CouncilSession).where(
                    CouncilSession.coordination_status == CoordinationStatus.CONFIRMED,
                    CouncilSession.final_slot_id.is_not(None),
                )
            ).all()
            pairs = [
                (c.id, uid)
                for c in councils
                for uid in [c.mentee_id, *(m.mentor_id for m in c.mentors if m.attending)]
            ]
            assert pairs, "the demo seed has no confirmed council"
            s.add_all(
                Notification(
                    kind=NotificationKind.CONFIRMATION,
                    recipient_id=uid,
                    council_id=cid,
                    subject="Council confirmed",
                    body="Your council is confirmed.",
                )
                for cid, uid in (pairs[i % len(pairs)] for i in range(MESSAGES))
            )
            s.commit()
    finally:
        db.dispose()


def _run(settings: Settings) -> tuple[float, int]:
    db = make_database(settings)
    try:
        start = time.perf_counter()
        report = deliver_pending(db.write, settings, utcnow(), limit=MESSAGES)
        elapsed = time.perf_counter() - start
    finally:
        db.dispose()
    assert report.sent == MESSAGES, report
    return elapsed, report.sent


def main() -> None:
    print("\n### Mail delivery (one worker pass, SQLite, invites attached)\n")
    print("| channel | messages | wall | messages/s |")
    print("|---|---|---|---|")
    for channel in ("smtp", "eml"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            upgrade(url)
            settings = Settings(
                database_url=url,
                secret_key="bench",
                argon2_time_cost=1,
                argon2_memory_cost=8,
                argon2_parallelism=1,
                mail_dir=str(Path(tmp) / "mail"),
            )
            db = make_database(settings)
            with db.write() as s:
                seed_demo(s, password_hasher(settings), now=utcnow())
                s.commit()
            db.dispose()
            _prepare(settings)
            if channel == "smtp":
                counter = _Count()
                port = _free_port()
                controller = Controller(counter, hostname="127.0.0.1", port=port)
                controller.start()
                try:
                    settings = replace(
                        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False
                    )
                    elapsed, sent = _run(settings)
                finally:
                    controller.stop()
                assert counter.n == sent, (counter.n, sent)
            else:
                elapsed, sent = _run(settings)
                assert len(list((Path(tmp) / "mail").glob("*.eml"))) == sent
            print(f"| {channel} | {sent} | {elapsed:.2f} s | {sent / elapsed:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
