"""Platform API throughput: list 100 councils and sync 10,000, 50 concurrent clients.

The server runs as it does in production — ``mentra-platform serve --workers 2`` in its
own processes on 127.0.0.1 — over a database holding 10,000 councils (5 slots, 5 mentors
and 25 per-slot answers each) beside the demo data, on SQLite and, when 127.0.0.1:5432
answers, on PostgreSQL. The load comes from ``wrk`` (a C load generator, so the client
costs the 2 cores little): 50 connections for 10 s, the p99 from its latency histogram.

* ``list 100``: ``GET /api/v1/councils?limit=100`` as the admin (full council documents).
* ``sync page``: ``GET /api/v1/councils?since=0&limit=1000``, a full-sync page.
* ``full sync``: one client walking the change cursor from 0 until ``hasMore`` is false
  (10 pages of 1,000) against a freshly started server, so no page comes from the API's
  page cache: the wall time a new desktop needs to fetch everything (target ≤ 3 s;
  median of three cold starts).
* ``decision``: ``GET /api/v1/councils/{id}/decision`` (render the document, bridge, run
  the engine) by one client over :data:`DECISIONS` different councils of 5 slots × 5
  mentors: median and p99 latency.

The list runs hit the page cache (``mentra_platform/page_cache.py``) after the first
request, as they would in production while nothing changes; a write invalidates it.

Targets (issue 3): ≥ 1,000 req/s for the list on 2 cores; full sync of 10,000 ≤ 3 s.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, insert, text

from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    SlotAnswerValue,
)
from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.seed import seed_demo

N_COUNCILS = 10_000
DECISIONS = 500
CONNECTIONS = 50
DURATION_S = 10
WORKERS = 2
SECRET = "bench-secret-not-for-production"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MENTOR_IDS = list(range(10, 50))
MENTEE_IDS = [6, 7, 8, 9]
STATUSES = list(CoordinationStatus)
ANSWERS = [SlotAnswerValue.AVAILABLE] * 5 + [
    SlotAnswerValue.TENTATIVE,
    SlotAnswerValue.UNAVAILABLE,
    SlotAnswerValue.UNAVAILABLE,
    SlotAnswerValue.PENDING,
    SlotAnswerValue.PENDING,
]


def _bulk_councils(url: str, n: int) -> None:
    """Add ``n`` realistic councils with explicit ids (fast executemany inserts)."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    settings = Settings(database_url=url, secret_key=SECRET)
    db = make_database(settings)
    councils: list[dict[str, Any]] = []
    slots: list[dict[str, Any]] = []
    mentors: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    base_id = 100_000
    with db.write() as session:
        seq = int(session.scalar(text("SELECT COALESCE(MAX(seq), 0) FROM change_events")) or 0)
        for i in range(n):
            cid = base_id + i
            start = now + timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 10))
            chosen = rng.sample(MENTOR_IDS, 5)
            seq += 1
            councils.append(
                {
                    "id": cid,
                    "topic": f"Council {i}: scaling a {rng.choice(['B2B', 'B2C', 'ML'])} team",
                    "description": "Generated for the platform benchmark.",
                    "mentee_id": rng.choice(MENTEE_IDS),
                    "lead_mentor_id": chosen[0],
                    "created_by_id": 2,
                    "mentor_response_deadline": start - timedelta(days=1),
                    "final_time_confirmed": False,
                    "coordinator_notes": "",
                    "mentor_minimum": 3,
                    "mentor_maximum": 5,
                    "coordination_status": rng.choice(STATUSES),
                    "invitations_sent_at": now - timedelta(hours=rng.randint(1, 48)),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                    "change_seq": seq,
                }
            )
            slot_ids = []
            for p in range(5):
                sid = base_id * 10 + i * 5 + p
                slot_ids.append(sid)
                slot_start = start + timedelta(days=p)
                slots.append(
                    {
                        "id": sid,
                        "council_id": cid,
                        "position": p + 1,
                        "starts_at": slot_start,
                        "ends_at": slot_start + timedelta(hours=1),
                        "priority_score": rng.random(),
                    }
                )
            for m, mentor_id in enumerate(chosen):
                cmid = base_id * 10 + i * 5 + m
                mentors.append(
                    {
                        "id": cmid,
                        "council_id": cid,
                        "mentor_id": mentor_id,
                        "is_lead": m == 0,
                        "availability_response": AvailabilityResponse.AVAILABLE,
                        "conflict_notes": "",
                        "alternative_proposals": [],
                        "available_time_slots": {},
                        "notification_sent": True,
                        "reminder_count": 0,
                        "created_at": now,
                    }
                )
                for s, sid in enumerate(slot_ids):
                    answers.append(
                        {
                            "id": base_id * 100 + i * 25 + m * 5 + s,
                            "council_mentor_id": cmid,
                            "slot_id": sid,
                            "answer": rng.choice(ANSWERS),
                            "partial_ranges": [],
                            "answered_at": now,
                        }
                    )
        for model, rows in (
            (CouncilSession, councils),
            (CouncilSlot, slots),
            (CouncilMentor, mentors),
            (CouncilSlotAnswer, answers),
        ):
            session.execute(insert(model), rows)
        session.commit()
        if db.dialect == "postgresql":
            for table in (
                "council_sessions",
                "council_slots",
                "council_mentors",
                "council_slot_answers",
            ):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
            # Fresh statistics, as autovacuum would have them after a bulk load in production.
            session.execute(text("ANALYZE"))
            session.commit()
    db.dispose()


def build(url: str) -> None:
    upgrade(url)
    settings = Settings(database_url=url, secret_key=SECRET)
    db = make_database(settings)
    with db.write() as session:
        seed_demo(session, password_hasher(settings))
    db.dispose()
    _bulk_councils(url, N_COUNCILS)
    from bench.bench_desktop_sync import add_phase_history  # documents carry phaseHistory

    add_phase_history(url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mentra_platform.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the platform server did not start")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def token(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"email": "admin@example.com", "password": "password123"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["accessToken"])


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, bearer: str) -> tuple[float, float]:
    """Requests/s and p99 latency (ms) for 50 connections over ``DURATION_S`` seconds."""
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(CONNECTIONS),
            "-d",
            f"{DURATION_S}s",
            "--latency",
            "--timeout",
            "30s",
            "-H",
            f"Authorization: Bearer {bearer}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed responses:\n{out}")
    return rps, float(p99.group(1)) * _UNITS[p99.group(2)]  # type: ignore[union-attr]


def full_sync(base: str, bearer: str) -> tuple[float, int]:
    """Seconds to walk the change cursor from 0 to the end, and the councils received."""
    headers = {"Authorization": f"Bearer {bearer}"}
    got = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
        cursor = 0
        while True:
            page = client.get("/api/v1/councils", params={"since": cursor, "limit": 1000})
            page.raise_for_status()
            body = page.json()
            got += len(body["items"])
            cursor = body["nextCursor"]
            if not body["hasMore"]:
                break
    return time.perf_counter() - started, got


_FULL_SYNC_CHILD = (
    "import json, sys; from bench.bench_platform import full_sync; "
    "print(json.dumps(full_sync(sys.argv[1], sys.argv[2])))"
)


def full_sync_in_fresh_process(base: str, bearer: str) -> tuple[float, int]:
    """:func:`full_sync` run by a fresh interpreter, as a desktop client is: the bench
    process holds the ~120,000 objects of building the database, and its garbage
    collector walking them at every page would be charged to the sync (about 0.5 s).
    Only the walk itself is timed (inside the child), not the interpreter's start."""
    done = subprocess.run(
        [sys.executable, "-c", _FULL_SYNC_CHILD, base, bearer],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    seconds, got = json.loads(done.stdout)
    return float(seconds), int(got)


def cold_full_sync(url: str) -> tuple[float, int]:
    """Median of three full syncs, each the first request a freshly started server sees."""
    runs = []
    for _ in range(3):
        with serve(url) as base:
            bearer = token(base)
            runs.append(full_sync_in_fresh_process(base, bearer))
    runs.sort()
    return runs[1]


def decision_latency(base: str, bearer: str) -> tuple[float, float]:
    """Median and p99 (ms) of one client asking for the engine's decision, council by council."""
    ids = random.Random(11).sample(range(100_000, 100_000 + N_COUNCILS), DECISIONS)
    took = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {bearer}"}) as client:
        client.get(f"/api/v1/councils/{ids[0]}/decision").raise_for_status()  # warm up
        for cid in ids:
            started = time.perf_counter()
            client.get(f"/api/v1/councils/{cid}/decision").raise_for_status()
            took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return took[len(took) // 2], took[int(len(took) * 0.99) - 1]


def run_backend(name: str, url: str) -> list[str]:
    started = time.perf_counter()
    build(url)
    built = time.perf_counter() - started
    sync_s, got = cold_full_sync(url)
    with serve(url) as base:
        bearer = token(base)
        list_rps, list_p99 = wrk(f"{base}/api/v1/councils?limit=100", bearer)
        page_rps, page_p99 = wrk(f"{base}/api/v1/councils?since=0&limit=1000", bearer)
        decision_median, decision_p99 = decision_latency(base, bearer)
    return [
        f"| {name} | list 100, 50 clients | {list_rps:,.0f} req/s | p99 {list_p99:.1f} ms |"
        " ≥ 1,000 req/s |",
        f"| {name} | sync page of 1,000, 50 clients | {page_rps:,.0f} req/s | p99 {page_p99:.1f}"
        " ms | |",
        f"| {name} | full sync of {got:,} councils, 1 client, cold server | {sync_s:.2f} s | |"
        " ≤ 3 s |",
        f"| {name} | decision of one council (5 × 5), 1 client | median {decision_median:.1f} ms"
        f" | p99 {decision_p99:.1f} ms | |",
        f"| {name} | (building the {N_COUNCILS:,}-council database took {built:.1f} s) | | | |",
    ]


def _postgres_database() -> Iterator[str]:
    name = f"mentra_bench_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _postgres_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


def main() -> None:
    if shutil.which("wrk") is None:
        print("platform bench skipped: wrk is not installed (apt-get install wrk)")
        return
    print(
        f"\nPlatform API — {WORKERS} uvicorn workers, wrk {CONNECTIONS} connections, "
        f"{DURATION_S} s per run, {N_COUNCILS:,} councils"
    )
    print("| database | request | throughput | latency | target |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for line in run_backend("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}"):
            print(line, flush=True)
    if _postgres_up():
        gen = _postgres_database()
        url = next(gen)
        try:
            for line in run_backend("PostgreSQL", url):
                print(line, flush=True)
        finally:
            gen.close()
    else:
        print("| PostgreSQL | skipped: nothing answers on 127.0.0.1:5432 | | | |")


if __name__ == "__main__":
    main()
