"""Desktop first start: full sync of 10,000 councils into the local cache.

The platform runs as in ``bench_platform`` (``mentra-platform serve --workers 2`` over a
SQLite database holding 10,000 councils of 5 slots × 5 mentors beside the demo data), and
is restarted before every run so no page comes from its page cache. The desktop side runs
in its own process — ``python -m bench.bench_desktop_sync --child …`` — which imports only
``mentra_desktop``, walks the change cursor with :class:`~mentra_desktop.client.sync.Syncer`
into a fresh :class:`~mentra_desktop.client.cache.CouncilCache`, and reports its wall time,
its CPU time, the progress callbacks it saw and its peak RSS (``VmHWM`` of
``/proc/self/status``: ``ru_maxrss`` would carry over the parent's peak across ``exec``).
The wall time includes the platform's own work on the same 2 cores.

Rows:

* ``cache only``: documents and indexed columns, no grid summaries.
* ``with grid summaries``: the cache's ``summarize`` hook set to the grid's summary
  (:func:`mentra_desktop.models.council_summary.summarize`, which runs the scheduling
  engine for every open council), as the desktop app wires it.
* ``cold start``: reopening the filled cache and reading every summary (the first paint),
  then a catch-up that finds nothing new.

Targets (issue 7): first full sync ≤ 6 s; peak RSS of the syncing process ≤ 350 MB.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

RUNS = 3
PAGE = 1000


def _peak_rss_mb() -> float:
    """This process's peak resident set (Linux ``VmHWM``; ``ru_maxrss`` elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(url: str, token: str, cache_path: str, summaries: bool) -> dict[str, Any]:
    """Runs in the measured process: nothing but the desktop client is imported."""
    from mentra_desktop.client.api import PlatformClient
    from mentra_desktop.client.cache import CouncilCache
    from mentra_desktop.client.sync import Syncer

    summarize = None
    if summaries:
        from mentra_desktop.models.council_summary import summarize as grid_summary

        def summarize(doc: dict[str, Any]) -> dict[str, Any]:
            return grid_summary(doc, datetime.now(UTC))

    calls: list[tuple[int, int]] = []
    cpu = time.process_time()
    started = time.perf_counter()
    client = PlatformClient(url, token, timeout=60)
    cache = CouncilCache(cache_path, summarize=summarize)
    result = Syncer(client, cache, page_size=PAGE).full_sync(lambda d, t: calls.append((d, t)))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    count = cache.count()
    cache.close()
    out: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "received": result.received,
        "cached": count,
        "progress_calls": len(calls),
        "last_progress": calls[-1] if calls else None,
        "rss_mb": _peak_rss_mb(),
    }
    started = time.perf_counter()
    reopened = CouncilCache(cache_path, summarize=summarize)
    rows = reopened.summaries()
    out["cold_start_ms"] = (time.perf_counter() - started) * 1000
    out["summaries"] = sum(1 for _id, s in rows if s is not None)
    started = time.perf_counter()
    out["catch_up_changed"] = len(Syncer(client, reopened).catch_up())
    out["catch_up_ms"] = (time.perf_counter() - started) * 1000
    out["cache_mb"] = Path(cache_path).stat().st_size / 1e6
    return out


def _measure(db_url: str, tmp: Path, summaries: bool, run: int) -> dict[str, Any]:
    from bench.bench_platform import serve, token

    with serve(db_url) as base:
        bearer = token(base)
        cache = tmp / f"cache-{int(summaries)}-{run}.sqlite3"
        args = ["--child", base, bearer, str(cache), "1" if summaries else "0"]
        done = subprocess.run(
            [sys.executable, "-m", "bench.bench_desktop_sync", *args],
            capture_output=True,
            text=True,
            check=True,
        )
    return dict(json.loads(done.stdout))


def add_phase_history(db_url: str) -> int:
    """Give every bulk council (ids from 100,000) three audited phase moves (invitations,
    deadline, confirmation: the longest ordinary history) so the documents carry their
    ``phaseHistory`` as in production; returns the rows added. Called by
    :func:`bench.bench_platform.build`, so every bench over the bulk councils has it."""
    from sqlalchemy import create_engine, insert, select

    from mentra_desktop.models import AuditLog, CouncilSession

    engine = create_engine(db_url)
    with engine.begin() as conn:
        rows = conn.execute(
            select(CouncilSession.id, CouncilSession.created_at).where(CouncilSession.id >= 100_000)
        ).all()
        moves = []
        for cid, created in rows:
            for step, (source, target, cause) in enumerate(
                (
                    ("draft", "collecting", "invitations"),
                    ("collecting", "selecting", "deadline"),
                    ("selecting", "confirmed", "confirm"),
                )
            ):
                moves.append(
                    {
                        "action": "council.phase_changed",
                        "council_id": cid,
                        "reason": "",
                        "before": {"coordinationStatus": source},
                        "after": {"coordinationStatus": target, "trigger": cause},
                        "at": created + timedelta(hours=2 + 36 * step),
                    }
                )
        if moves:
            conn.execute(insert(AuditLog), moves)
    engine.dispose()
    return len(moves)


def _row(name: str, runs: list[dict[str, Any]]) -> list[str]:
    seconds = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    rss = max(r["rss_mb"] for r in runs)
    last = runs[0]
    return [
        f"| {name}: full sync of {last['received']:,} councils into the cache "
        f"(median of {len(runs)}, cold server) | {seconds:.2f} s | ≤ 6 s |",
        f"| {name}: CPU time of the syncing process (median) | {cpu:.2f} s | |",
        f"| {name}: progress callbacks | {last['progress_calls']} "
        f"(last {last['last_progress'][0]:,}/{last['last_progress'][1]:,}) | |",
        f"| {name}: peak RSS of the syncing process (max of {len(runs)}) | {rss:.0f} MB |"
        " ≤ 350 MB |",
    ]


def main() -> None:
    from bench.bench_platform import N_COUNCILS, build

    print(f"\nDesktop sync — {N_COUNCILS:,} councils, pages of {PAGE:,}, SQLite platform")
    print("| measurement | result | target |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db_url = f"sqlite:///{tmp / 'platform.db'}"
        build(db_url)  # the bulk councils with their phase history (add_phase_history)
        for summaries, label in ((False, "cache only"), (True, "with grid summaries")):
            runs = [_measure(db_url, tmp, summaries, n) for n in range(RUNS)]
            for line in _row(label, runs):
                print(line, flush=True)
            if summaries:
                last = runs[-1]
                print(
                    f"| cold start: reopen the cache and read {last['summaries']:,} summaries"
                    f" | {last['cold_start_ms']:.0f} ms | |"
                )
                print(
                    f"| catch-up with nothing new ({last['catch_up_changed']} changed)"
                    f" | {last['catch_up_ms']:.0f} ms | |"
                )
                print(f"| cache file size | {last['cache_mb']:.0f} MB | |", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        url, bearer, cache_path, flag = sys.argv[2:6]
        print(json.dumps(_child(url, bearer, cache_path, flag == "1")))
    else:
        main()
