"""An Idempotency-Key claimed by a process that died (finding: a request cut off by a crash
left its key claimed for 5 minutes, and every retry got 409 "still running").

Each API process keeps a heartbeat row; a retry takes over a claim whose owner's heartbeat
is stale, or whose pid is gone on this host, so a retry after a restart succeeds at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from conftest import PASSWORD, make_settings, slot_payload
from hardening_helpers import ServeProcess, serving
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from mentra_desktop.models import CouncilSession, utcnow
from mentra_platform.core.db import make_database
from mentra_platform.core.processes import HOSTNAME
from mentra_platform.core.tables import ApiProcess, IdempotencyRecord, IdempotencyStatus
from mentra_platform.http.idempotency import fingerprint

COUNCILS = "/api/v1/councils"
_CHANGE_LOCK = 0x4D454E54  # the change log's advisory lock (mentra_platform.core.changes)


def _exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _count(database_url: str, topic: str) -> int:
    db = make_database(make_settings(database_url))
    try:
        with db.read() as s:
            return int(
                s.scalar(select(func.count(CouncilSession.id)).where(CouncilSession.topic == topic))
                or 0
            )
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_retry_after_a_killed_server_restarts_succeeds_at_once(
    database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip(
            "needs a lock the request waits on after claiming its key: PostgreSQL's change-log "
            "advisory lock (SQLite has one lock for everything, the claim included)"
        )
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DB_LOCK_TIMEOUT_SECONDS": "30",
    }
    body = {"topic": "Cut off by a crash", "menteeId": 9, "proposedTimeSlots": slot_payload()}
    first = ServeProcess(env, tmp_path)
    try:
        login = {"email": "coordinator@example.com", "password": PASSWORD}
        token = httpx.post(f"{first.url}/api/v1/auth/login", json=login).json()["accessToken"]
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "crash-1"}
        conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        with psycopg.connect(conninfo, autocommit=True) as blocker:
            # The request claims its key, then waits for the change log's lock: in flight.
            blocker.execute("SELECT pg_advisory_lock(%s)", (_CHANGE_LOCK,))
            outcome: list[object] = []

            def doomed() -> None:
                try:
                    outcome.append(httpx.post(first.url + COUNCILS, json=body, headers=headers))
                except httpx.HTTPError as exc:
                    outcome.append(exc)

            cut_off = threading.Thread(target=doomed)
            cut_off.start()
            deadline = time.monotonic() + 10
            while not blocker.execute(
                "SELECT 1 FROM idempotency_records WHERE key = 'crash-1' AND status = 'in_progress'"
            ).fetchone():
                assert time.monotonic() < deadline, "the request never claimed its key"
                time.sleep(0.02)
            first.kill()
            cut_off.join(10)
            assert isinstance(outcome[0], httpx.HTTPError), outcome  # no answer: cut off
            blocker.execute("SELECT pg_advisory_unlock(%s)", (_CHANGE_LOCK,))
    finally:
        first.kill()

    second = ServeProcess(env, tmp_path)
    try:
        started = time.monotonic()
        retry = httpx.post(second.url + COUNCILS, json=body, headers=headers, timeout=10)
        assert retry.status_code == 201, retry.text
        assert time.monotonic() - started < 3
        again = httpx.post(second.url + COUNCILS, json=body, headers=headers, timeout=10)
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    finally:
        second.kill()
    assert _count(database_url, body["topic"]) == 1


def test_claims_of_dead_owners_are_taken_over_and_a_live_owners_are_not(
    live_server: Any, client: httpx.Client, login: Any
) -> None:
    headers = login(client, "coordinator@example.com")
    stale = timedelta(seconds=live_server.settings.process_stale_seconds + 5)
    owners = {
        "exited-here": ApiProcess(id="a" * 32, hostname=HOSTNAME, pid=_exited_pid()),
        "silent-elsewhere": ApiProcess(
            id="b" * 32, hostname="other-host", pid=1, heartbeat_at=utcnow() - stale
        ),
        "alive-elsewhere": ApiProcess(id="c" * 32, hostname="other-host", pid=1),
    }
    bodies = {
        key: {"topic": f"Claimed by {key}", "menteeId": 9, "proposedTimeSlots": slot_payload()}
        for key in owners
    }
    with live_server.session() as s:
        for key, owner in owners.items():
            s.add(owner)
            raw = httpx.Request("POST", COUNCILS, json=bodies[key]).read()
            s.add(
                IdempotencyRecord(
                    user_id=2,
                    key=key,
                    method="POST",
                    path=COUNCILS,
                    fingerprint=fingerprint("POST", COUNCILS, raw),
                    owner=owner.id,
                    status=IdempotencyStatus.IN_PROGRESS,
                    created_at=utcnow(),
                )
            )
        s.commit()
    codes = {
        key: client.post(
            COUNCILS, json=bodies[key], headers={**headers, "Idempotency-Key": key}
        ).status_code
        for key in owners
    }
    assert codes == {"exited-here": 201, "silent-elsewhere": 201, "alive-elsewhere": 409}


def test_each_api_process_keeps_a_heartbeat(database_url: str) -> None:
    settings = make_settings(database_url, process_heartbeat_seconds=0.1)
    db = make_database(settings)
    try:
        with serving(settings):
            deadline = time.monotonic() + 3
            while True:
                with db.read() as s:
                    rows = s.scalars(select(ApiProcess).where(ApiProcess.pid == os.getpid())).all()
                if rows:
                    break
                assert time.monotonic() < deadline, "no heartbeat row"
                time.sleep(0.05)
            first_beat = rows[0].heartbeat_at
            time.sleep(0.3)
            with db.read() as s:
                assert s.get(ApiProcess, rows[0].id).heartbeat_at > first_beat  # type: ignore[union-attr]
    finally:
        db.dispose()
