"""Acceptance: two worker processes (``mentra-platform worker --once --now …``) at a time on
PostgreSQL, over 500 councils whose deadlines pass and 50 councils going through the whole
reminder schedule, delivering to a real SMTP server (aiosmtpd) where the mail is counted:
every council is decided exactly once (one confirmation per participant and council), and
each reminder step reaches each silent mentor exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from coordination_helpers import MENTEE, T0, make_council, settings_for
from delivery_helpers import smtp_server
from sqlalchemy import String, cast, func, literal, select, update

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilSession,
    Notification,
    NotificationStatus,
    User,
)
from mentra_platform.core.db import Database

A, U = "available", "unavailable"
N, R = 500, 50
DUE_MENTORS, SILENT_MENTORS = (10, 11, 12), (13, 14, 15)
STEPS = ("Reminder", "Second reminder", "Last call")


def _two_workers(env: dict[str, str], now: datetime) -> None:
    """Start two worker processes for one pass at ``now``, at once, and wait for both."""
    cmd = [
        sys.executable,
        "-m",
        "mentra_platform.cli",
        "worker",
        "--once",
        "--now",
        now.isoformat(),
    ]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    for p in procs:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0, out


def test_two_worker_processes_decide_once_and_mail_each_reminder_step_once(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the acceptance run is two worker processes on PostgreSQL")
    settings = settings_for(database_url)
    deadline = T0 + timedelta(hours=48)
    base = T0 + timedelta(days=40)
    with db.write() as s:
        due = [
            make_council(
                s,
                list(DUE_MENTORS),
                start=base + timedelta(hours=4 * i),
                deadline=deadline,
                answers={10: [A, U, U], 11: [A, U, U], 12: [A, A, U]},
            )[0]
            for i in range(N)
        ]
        reminded = [
            make_council(
                s,
                list(SILENT_MENTORS),
                start=base - timedelta(days=10) + timedelta(hours=4 * i),
                deadline=T0 + timedelta(hours=96),
            )[0]
            for i in range(R)
        ]
        s.execute(
            update(CouncilSession)
            .where(CouncilSession.id.in_(due + reminded))
            .values(topic=literal("Council ") + cast(CouncilSession.id, String))
        )
        emails = {uid: email for uid, email in s.execute(select(User.id, User.email))}
        s.commit()
    with smtp_server() as (inbox, port):
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": settings.secret_key,
            "MENTRA_DATA_DIR": str(tmp_path),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(port),
            "SMTP_STARTTLS": "false",
            "MAIL_FROM": "Mentra Councils <councils@mentra.example>",
            "CONFIRMATION_NOTICE_HOURS": "24",
            "ARGON2_TIME_COST": "1",
            "ARGON2_MEMORY_COST": "8",
        }
        # The first reminder step; the second with the deadlines; the last call; then passes
        # until the delivery queue is empty (a pass delivers up to 500 messages).
        for hours in (25, 49, 91):
            _two_workers(env, T0 + timedelta(hours=hours))
        for _ in range(6):
            with db.read() as s:
                queued = s.scalar(
                    select(func.count()).where(Notification.status == NotificationStatus.QUEUED)
                )
            if not queued:
                break
            _two_workers(env, T0 + timedelta(hours=91))
        assert not queued
        with inbox.lock:
            received = [
                (rcpt, str(msg["X-Mentra-Kind"]), str(msg["Subject"]))
                for _f, rcpts, msg in inbox.messages
                for rcpt in rcpts
            ]
    ours = {f"Council {cid}" for cid in due + reminded}  # not the demo seed's councils
    received = [(r, kind, subj) for r, kind, subj in received if subj.split(": ", 1)[-1] in ours]
    reminders = Counter((r, subj) for r, kind, subj in received if kind == "reminder")
    assert reminders == Counter(
        {
            (emails[m], f"{step}: Council {cid}"): 1
            for cid in reminded
            for m in SILENT_MENTORS
            for step in STEPS
        }
    )
    confirmations = Counter((r, subj) for r, kind, subj in received if kind == "confirmation")
    assert confirmations == Counter(
        {
            (emails[m], f"Council confirmed: Council {cid}"): 1
            for cid in due
            for m in (*DUE_MENTORS, MENTEE)
        }
    )
    with db.read() as s:
        statuses = Counter(
            s.scalars(select(CouncilSession.coordination_status).where(CouncilSession.id.in_(due)))
        )
        decided = Counter(
            s.scalars(
                select(AuditLog.council_id).where(
                    AuditLog.council_id.in_(due),
                    AuditLog.action == "council.phase_changed",
                    AuditLog.reason == "the response deadline",
                )
            )
        )
    assert statuses == {CoordinationStatus.CONFIRMED: N}
    assert decided == dict.fromkeys(due, 1)
