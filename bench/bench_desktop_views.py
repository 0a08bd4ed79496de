"""Desktop views with 10,000 councils: cold start to a painted grid, filter keystrokes,
and a write by another client until its row is repainted.

The platform runs as in ``bench_platform`` (``mentra-platform serve --workers 2`` over a
SQLite database holding 10,000 councils beside the demo data). The parent fills a desktop
cache from it once (the client's ``Syncer`` with the grid summaries, as the app does), then
a fresh child process — ``python -m bench.bench_desktop_views --child …``, Qt offscreen —
measures what a coordinator waits for:

* ``cold start``: from opening the cache to the first paint of the grid holding every
  council (the app's own start path: ``open_desktop``, ``controller.start``, the summaries
  read on the DB worker, ``CouncilGridModel.set_summaries``, the table's paint event). The
  time from the child's first line (interpreter up, before Qt is imported) is shown too.
* ``filter keystroke``: one key typed into the search box until the table has repainted
  (typing ``pricing`` and deleting it again, then toggling a status chip).
* ``write → row repainted``: another client (the admin, over HTTP from a thread) renames
  a council shown on screen; the time from sending the ``PATCH`` until the grid's
  viewport has painted the new topic. The path: platform commit → change feed poll →
  SSE event → the desktop's catch-up page → cache → summary → ``dataChanged`` → paint.
  The platform's ``SSE_POLL_SECONDS`` (default 0.1 s) bounds this from below; it runs at
  the default and, for comparison, at the former default of 0.5 s.
* ``peak RSS`` of the desktop process after all of the above (Linux ``VmHWM``).

Targets (issue 7): cold start ≤ 1.5 s; filter keystroke ≤ 30 ms; write → repaint p95
≤ 250 ms; peak RSS ≤ 350 MB.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COORDINATOR = "coordinator@example.com"
WRITES = 30
TYPED = "pricing"


def _align_change_log(db_url: str) -> None:
    """``bench_platform.build`` gives its bulk councils ``change_seq`` values without change
    events, so the change log's next seq would fall behind a synced desktop's cursor and
    the first live change would be skipped. One marker event at the councils' highest
    seq (no council: streams ignore it) puts the log where a real history would be."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.begin() as conn:
        top = conn.execute(text("SELECT MAX(change_seq) FROM council_sessions")).scalar_one()
        last = conn.execute(text("SELECT COALESCE(MAX(seq), 0) FROM change_events")).scalar_one()
        if top > last:
            conn.execute(
                text(
                    "INSERT INTO change_events (seq, entity_type, kind, at, payload) "
                    "VALUES (:seq, 'council', 'bench.bulk-load', CURRENT_TIMESTAMP, '{}')"
                ),
                {"seq": top},
            )
    engine.dispose()


def _fill_cache(base: str, home: Path) -> int:
    """The desktop's cache as a first start leaves it (same origin and summary version)."""
    from mentra_desktop.client.api import PlatformClient
    from mentra_desktop.client.cache import CouncilCache
    from mentra_desktop.client.errors import RetryableStatus
    from mentra_desktop.client.paths import HOME_ENV, load_settings
    from mentra_desktop.client.sync import Syncer
    from mentra_desktop.views.controller import SUMMARY_VERSION, cache_summarize
    from mentra_desktop.views.desktop import origin_of

    paths = load_settings({HOME_ENV: str(home)})
    paths.ensure_dirs()
    client = PlatformClient(base, timeout=60)
    for attempt in range(10):  # the previous run's server may still be letting go of the file
        try:
            client.login(COORDINATOR, "password123")
            break
        except RetryableStatus:
            time.sleep(1 + attempt)
    cache = CouncilCache(
        paths.cache_path, summarize=cache_summarize, summary_version=SUMMARY_VERSION
    )
    cache.ensure_origin(origin_of(base, COORDINATOR, False))
    Syncer(client, cache).full_sync()
    count = cache.count()
    cache.close()
    return count


def _child(base: str, admin_token: str, expected: int) -> dict[str, Any]:
    """Runs in the measured process (Qt offscreen); returns the timings."""
    first_line = time.perf_counter()
    import threading

    import httpx
    from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
    from PySide6.QtTest import QTest

    from mentra_desktop.client.api import PlatformClient
    from mentra_desktop.views.app import get_qapp
    from mentra_desktop.views.council_grid_model import TOPIC
    from mentra_desktop.views.desktop import open_desktop

    app = get_qapp(["bench"])

    class Paints(QObject):
        """Times of the grid viewport's paint events."""

        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.times.append(time.perf_counter())
            return False

    ticker = QTimer()  # wakes the blocking wait below at least every 2 ms
    ticker.setInterval(2)
    ticker.start()

    def wait(predicate: Any, timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("the benchmark waited too long")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    client = PlatformClient(base, timeout=30)
    client.login(COORDINATOR, "password123")
    user = client.me()
    opened = time.perf_counter()
    desktop = open_desktop(client, user)
    window, model = desktop.window, desktop.window.grid_model
    paints = Paints()
    window.grid.table.viewport().installEventFilter(paints)
    window.resize(1280, 800)
    window.show()
    desktop.controller.start(stream=False)
    wait(lambda: model.rowCount() == expected and any(t > opened for t in paints.times))
    filled = next(t for t in paints.times if t > opened and model.rowCount() == expected)
    out: dict[str, Any] = {
        "councils": model.rowCount(),
        "cold_start_ms": (filled - opened) * 1000,
        "from_first_line_ms": (filled - first_line) * 1000,
    }

    def keystroke(key: Any, text: str = "") -> float:
        mark = len(paints.times)
        started = time.perf_counter()
        if text:
            QTest.keyClicks(window.grid.search, text)
        else:
            QTest.keyClick(window.grid.search, key)
        wait(lambda: len(paints.times) > mark)
        return (paints.times[-1] - started) * 1000

    window.activateWindow()
    window.grid.search.setFocus()
    keys = [keystroke(None, ch) for ch in TYPED]
    keys += [keystroke(Qt.Key.Key_Backspace) for _ in TYPED]
    chip = window.grid.chips["collecting"]
    for _ in range(3):
        mark, started = len(paints.times), time.perf_counter()
        chip.click()
        wait(lambda m=mark: len(paints.times) > m)
        keys.append((paints.times[-1] - started) * 1000)
    if chip.isChecked():
        chip.click()
    out["filter_ms"] = keys
    out["shown_after_filter"] = model.rowCount()

    desktop.controller.start_stream()
    wait(lambda: desktop.controller.state == "online")
    other = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
    )
    latencies: list[float] = []
    table = window.grid.table
    last_visible = table.rowAt(table.viewport().height() - 1)
    on_screen = [
        r
        for r in range(table.rowAt(0), (last_visible if last_visible >= 0 else 8) + 1)
        if (model.summary(model.council_id(r)) or {}).get("status") in ("collecting", "selecting")
    ]
    phase = random.Random(7)
    poll = float(os.environ.get("SSE_POLL_SECONDS", "0.1"))
    for n in range(WRITES):
        # Writes land at a random point of the platform's poll interval, as real ones do.
        until = time.perf_counter() + phase.uniform(0, poll)
        wait(lambda u=until: time.perf_counter() >= u)
        row = on_screen[n % len(on_screen)]
        council_id = model.council_id(row)
        current = other.get(f"/api/v1/councils/{council_id}")
        topic = f"Renamed by another client #{n}"
        sent: list[float] = []

        failed: list[str] = []

        def write(
            cid: int = council_id,
            etag: str = current.headers["ETag"],
            new_topic: str = topic,
            sent: list[float] = sent,
            failed: list[str] = failed,
        ) -> None:
            sent.append(time.perf_counter())
            response = other.patch(
                f"/api/v1/councils/{cid}", json={"topic": new_topic}, headers={"If-Match": etag}
            )
            if response.status_code != 200:
                failed.append(f"PATCH council {cid}: {response.status_code} {response.text}")

        thread = threading.Thread(target=write)
        mark = len(paints.times)
        thread.start()
        wait(lambda r=row, t=topic, f=failed: bool(f) or model.index(r, TOPIC).data() == t)
        if failed:
            raise RuntimeError(failed[0])
        changed = time.perf_counter()
        wait(lambda m=mark, c=changed: len(paints.times) > m and paints.times[-1] >= c)
        thread.join()
        latencies.append((paints.times[-1] - sent[0]) * 1000)
    other.close()
    out["write_ms"] = latencies
    ticker.stop()
    desktop.close()
    return out


def _run_child(base: str, admin: str, home: Path, expected: int, poll: str) -> dict[str, Any]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MENTRA_DESKTOP_HOME": str(home),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_desktop_views", "--child", base, admin, str(expected)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"bench child failed (poll {poll} s, exit {done.returncode}): {done.stderr[:3000]}"
        )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _note(text: str) -> None:
    print(f"  ({text})", file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    from bench.bench_platform import N_COUNCILS, build, serve, token

    print(f"\nDesktop views — {N_COUNCILS:,} councils in the cache, Qt offscreen")
    print("| measurement | result | target |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db_url = f"sqlite:///{tmp / 'platform.db'}"
        started = time.perf_counter()
        build(db_url)
        _align_change_log(db_url)
        _note(f"built the platform database in {time.perf_counter() - started:.0f} s")
        for poll in ("0.1", "0.5"):
            os.environ["SSE_POLL_SECONDS"] = poll
            home = tmp / f"home-{poll}"
            with serve(db_url) as base:
                started = time.perf_counter()
                expected = _fill_cache(base, home)
                _note(f"filled the desktop cache in {time.perf_counter() - started:.0f} s")
                started = time.perf_counter()
                result = _run_child(base, token(base), home, expected, poll)
                _note(f"measured in a child process in {time.perf_counter() - started:.0f} s")
            if poll == "0.1":
                keys = result["filter_ms"]
                print(
                    f"| cold start: cache → grid painted, {result['councils']:,} councils"
                    f" | {result['cold_start_ms']:.0f} ms | ≤ 1.5 s |"
                )
                print(
                    "| … from the child's first line (imports, QApplication, sign-in over HTTP)"
                    f" | {result['from_first_line_ms']:.0f} ms | |"
                )
                print(
                    f"| filter keystroke → repaint, median / max of {len(keys)}"
                    f" | {statistics.median(keys):.1f} / {max(keys):.1f} ms | ≤ 30 ms |"
                )
                print(
                    "| peak RSS of the desktop process (10,060 councils, all of the above)"
                    f" | {result['peak_rss_mb']:.0f} MB | ≤ 350 MB |"
                )
            writes = result["write_ms"]
            print(
                f"| write by another client → row repainted, SSE poll {poll} s"
                + (" (default)" if poll == "0.1" else "")
                + ":"
                f" p50 / p95 / max of {len(writes)}"
                f" | {statistics.median(writes):.0f} / {_p95(writes):.0f} / {max(writes):.0f} ms"
                " | p95 ≤ 250 ms |",
                flush=True,
            )
        os.environ.pop("SSE_POLL_SECONDS", None)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        base, admin, expected = sys.argv[2], sys.argv[3], int(sys.argv[4])
        from bench.bench_desktop_sync import _peak_rss_mb

        result = _child(base, admin, expected)
        result["peak_rss_mb"] = _peak_rss_mb()
        print(json.dumps(result))
    else:
        main()
