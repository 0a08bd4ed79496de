"""Coordination worker: one pass over 10,000 councils whose response deadline passed.

Councils decided per second (the engine with the preparation notice, the audited phase
moves, the confirmation notifications and alerts, one transaction per batch), on SQLite
with one worker and on PostgreSQL with one and two worker processes (targets: ≥ 1,000/s
on SQLite; two PostgreSQL workers ≥ 1.6× one). Delivery is not part of the figure.
"""

from __future__ import annotations

import multiprocessing
import random
import tempfile
import time
from collections.abc import Generator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import insert, text

from bench.bench_platform import _postgres_database, _postgres_up
from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    SlotAnswerValue,
)
from mentra_platform.coordination.worker import PassReport, decide_deadlines
from mentra_platform.core.config import Settings
from mentra_platform.core.db import make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.seed import seed_demo

N = 10_000
SECRET = "bench-secret-not-for-production"
MENTOR_IDS = list(range(10, 50))
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
ANSWERS = [SlotAnswerValue.AVAILABLE] * 6 + [
    SlotAnswerValue.TENTATIVE,
    SlotAnswerValue.UNAVAILABLE,
    SlotAnswerValue.PENDING,
]


def _settings(url: str) -> Settings:
    return Settings(database_url=url, secret_key=SECRET, db_lock_timeout_seconds=30.0)


def build(url: str) -> None:
    """The demo data plus ``N`` collecting councils whose deadline passed an hour ago."""
    upgrade(url)
    settings = _settings(url)
    db = make_database(settings)
    rng = random.Random(11)
    with db.write() as session:
        seed_demo(session, password_hasher(settings))
        rows: dict[Any, list[dict[str, Any]]] = {
            CouncilSession: [],
            CouncilSlot: [],
            CouncilMentor: [],
            CouncilSlotAnswer: [],
        }
        for i in range(N):
            cid = 100_000 + i
            start = NOW + timedelta(days=40, hours=3 * i)  # nobody is double-booked
            chosen = rng.sample(MENTOR_IDS, 5)
            rows[CouncilSession].append(
                {
                    "id": cid,
                    "topic": f"Council {i}",
                    "description": "",
                    "mentee_id": 9,
                    "lead_mentor_id": chosen[0],
                    "created_by_id": 2,
                    "mentor_response_deadline": NOW - timedelta(hours=1),
                    "final_time_confirmed": False,
                    "coordinator_notes": "",
                    "mentor_minimum": 3,
                    "mentor_maximum": 5,
                    "coordination_status": CoordinationStatus.COLLECTING,
                    "invitations_sent_at": NOW - timedelta(hours=73),
                    "version": 1,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "change_seq": 0,
                    "invite_sequence": 0,
                    "collection_round": 0,
                }
            )
            slot_ids = [cid * 10 + p for p in range(3)]
            for p, sid in enumerate(slot_ids):
                rows[CouncilSlot].append(
                    {
                        "id": sid,
                        "council_id": cid,
                        "position": p,
                        "starts_at": start + timedelta(hours=p),
                        "ends_at": start + timedelta(hours=p + 1),
                        "priority_score": 0.0,
                    }
                )
            for m, mentor_id in enumerate(chosen):
                cmid = cid * 10 + m
                rows[CouncilMentor].append(
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
                        "created_at": NOW,
                    }
                )
                for p, sid in enumerate(slot_ids):
                    rows[CouncilSlotAnswer].append(
                        {
                            "id": cmid * 10 + p,
                            "council_mentor_id": cmid,
                            "slot_id": sid,
                            "answer": rng.choice(ANSWERS),
                            "partial_ranges": [],
                            "answered_at": NOW,
                        }
                    )
        for model, values in rows.items():
            session.execute(insert(model), values)
        session.commit()
        if db.dialect == "postgresql":
            for table in ("council_sessions", "council_slots", "council_mentors"):
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
            session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence('council_slot_answers', "
                    "'id'), (SELECT MAX(id) FROM council_slot_answers))"
                )
            )
            session.execute(text("ANALYZE"))
            session.commit()
    db.dispose()


def _one_worker(url: str, ready: Any, start: Any, results: Any) -> None:
    """A worker process: connect, say ready, wait for the start, run one deadline pass,
    report (councils decided, wall-clock end)."""
    settings = _settings(url)
    db = make_database(settings)
    try:
        for engine in (db.engine, db.write_engine):  # first connections, before the clock
            with engine.connect():
                pass
        ready.put(True)
        start.wait()
        report = PassReport()
        decide_deadlines(db, settings, NOW, report)
        results.put((report.decided, time.time()))
    finally:
        db.dispose()


def timed(url: str, workers: int) -> tuple[float, int]:
    """Seconds from the start signal to the last worker's end, and councils decided. One
    worker runs in a process of its own too, so both figures pay the same (nothing: the
    processes import and connect before the clock starts)."""
    ctx = multiprocessing.get_context("spawn")
    ready, results, start = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=_one_worker, args=(url, ready, start, results)) for _ in range(workers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    started = time.time()
    start.set()
    done = [results.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    return max(end for _, end in done) - started, sum(n for n, _ in done)


def _row(name: str, workers: int, seconds: float, decided: int, target: str) -> str:
    rate = decided / seconds if seconds else 0.0
    return (
        f"| {name} | {workers} | {decided:,} in {seconds:.1f} s | {rate:,.0f} councils/s "
        f"| {target} |"
    )


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    print(f"\nCoordination worker — one pass over {N:,} councils past their deadline")
    print("| database | workers | decided | rate | target |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        build(url)
        seconds, decided = timed(url, 1)
        rate = decided / seconds if seconds else 0.0
        target = f"≥ 1,000/s: {_verdict(rate >= 1000)}"
        print(_row("SQLite", 1, seconds, decided, target), flush=True)
    if not _postgres_up():
        print("| PostgreSQL | skipped: nothing answers on 127.0.0.1:5432 | | | |")
        return
    rates = []
    for workers in (1, 2):
        gen = cast(Generator[str, None, None], _postgres_database())
        url = next(gen)
        try:
            build(url)
            seconds, decided = timed(url, workers)
            rates.append(decided / seconds if seconds else 0.0)
            print(
                _row(
                    "PostgreSQL",
                    workers,
                    seconds,
                    decided,
                    "baseline" if workers == 1 else "see ratio",
                ),
                flush=True,
            )
        finally:
            gen.close()
    ratio = rates[1] / rates[0] if rates[0] else 0.0
    print(f"| PostgreSQL | 2 vs 1 | | {ratio:.2f}× | ≥ 1.6×: {_verdict(ratio >= 1.6)} |")


if __name__ == "__main__":
    main()
