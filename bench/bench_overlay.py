"""Time-zone overlay and dashboard redraws: ``python -m bench.bench_overlay``.

Target (issue 9): the overlay of a 5-mentor council redrawn in ≤ 50 ms. A council of 5
mentors in 5 zones (Berlin, New York, Tokyo, Sydney, Kolkata) with 5 slots spread over 12
days across the European and US DST changes, busy ranges and alternative proposals. One
redraw = :func:`build_overlay` (the DST arithmetic) + ``set_overlay`` (every item's
``setData``) + a paint of the plot (``QWidget.grab``) at 1280×420, Qt offscreen, in this
process. Median and max of 30 redraws, alternating the chosen slot so every one changes.

Also shown: the dashboard's figures over 10,000 councils (the Qt-free computation the
DB worker runs when the cache changes) and their drawing on the GUI thread.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.models.dashboard_figures import compute_figures
from mentra_desktop.models.tz_overlay import build_overlay
from mentra_desktop.scheduling.model import (
    Answer,
    Council,
    Mentor,
    SelectionRequest,
    Slot,
    TimeRange,
)

NOW = datetime(2026, 10, 20, 9, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata")
REDRAWS = 30


def council() -> tuple[dict[str, Any], SelectionRequest]:
    slots = tuple(
        Slot(str(i + 1), datetime(2026, 10, 22, 14, tzinfo=UTC) + timedelta(days=3 * i))
        for i in range(5)
    )
    mentors = tuple(
        Mentor(
            str(i + 1),
            timezone=zone,
            answers={"1": Answer.AVAILABLE},
            busy=tuple(
                TimeRange(s.start + timedelta(hours=i + 2), s.start + timedelta(hours=i + 3))
                for s in slots
            ),
            alternatives=(
                TimeRange(
                    slots[i].start + timedelta(days=1), slots[i].start + timedelta(days=1, hours=2)
                ),
            ),
        )
        for i, zone in enumerate(ZONES)
    )  # fmt: skip
    request = SelectionRequest(
        now=NOW,
        deadline=NOW + timedelta(days=1),
        council=Council("1", slots, mentor_minimum=3, mentor_maximum=5, lead_mentor="1"),
        mentors=mentors,
    )
    doc = {
        "id": 1,
        "topic": "Five zones across the DST weeks",
        "menteeName": "Ada",
        "mentors": [{"mentorId": i + 1, "name": f"Mentor in {z}"} for i, z in enumerate(ZONES)],
    }
    return doc, request


def dashboard_docs(count: int) -> list[dict[str, Any]]:
    rnd = random.Random(9)
    docs = []
    for cid in range(count):
        created = NOW - timedelta(days=rnd.randint(0, 100), hours=rnd.randint(0, 23))
        invited = created + timedelta(hours=rnd.randint(1, 48))
        status = rnd.choice(["collecting", "selecting", "confirmed", "confirmed", "cancelled"])
        start = NOW + timedelta(days=rnd.randint(-10, 40), hours=rnd.randint(0, 23))
        docs.append(
            {
                "id": cid, "coordinationStatus": status, "createdAt": created.isoformat(),
                "invitationsSentAt": invited.isoformat(),
                "updatedAt": (invited + timedelta(hours=rnd.randint(1, 400))).isoformat(),
                "finalSlotId": cid * 10,
                "proposedTimeSlots": [{"id": cid * 10, "start": start.isoformat()}],
                "mentors": [
                    {"mentorId": rnd.randint(1, 400), "name": "M", "attending": j < 3,
                     "responseDate": (invited + timedelta(hours=rnd.randint(1, 90))).isoformat()
                     if rnd.random() < 0.8 else None}
                    for j in range(5)
                ],
            }
        )  # fmt: skip
    return docs


def measure() -> list[tuple[str, str, str]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from mentra_desktop.views.app import get_qapp
    from mentra_desktop.views.dashboard import Dashboard
    from mentra_desktop.views.taskman import TaskManager
    from mentra_desktop.views.tz_overlay import TimeZoneOverlay

    app = get_qapp()
    doc, request = council()
    view = TimeZoneOverlay(zone=BERLIN)
    view.resize(1280, 420)
    view.show()
    app.processEvents()
    build_times: list[float] = []
    times: list[float] = []
    for i in range(REDRAWS + 1):
        started = time.perf_counter()
        overlay = build_overlay(doc, request, str(i % 5 + 1), NOW, BERLIN)
        built = time.perf_counter()
        view.set_overlay(overlay)
        view.plot.grab()
        if i:  # the first run warms pyqtgraph's caches
            build_times.append(built - started)
            times.append(time.perf_counter() - started)
    view.close()

    docs = dashboard_docs(10_000)
    started = time.perf_counter()
    figures = compute_figures(docs, NOW, BERLIN)
    compute_s = time.perf_counter() - started
    tasks = TaskManager()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cache = CouncilCache(Path(tmp) / "cache.sqlite3")
            board = Dashboard(tasks, cache, zone=BERLIN)  # never shown: it draws, not reads
            board.resize(1280, 760)
            board.grab()
            started = time.perf_counter()
            board.set_figures(figures)
            board.grab()
            draw_s = time.perf_counter() - started
            cache.close()
    finally:
        tasks.shutdown()
    ms = 1000
    median = statistics.median(times) * ms
    return [
        (
            "overlay redraw, 5 mentors × 5 zones, 12 days across both DST changes, median / max",
            f"{median:.1f} / {max(times) * ms:.1f} ms",
            "≤ 50 ms" + ("" if median <= 50 else " — not met"),
        ),
        ("  of which the DST arithmetic (build_overlay), median",
         f"{statistics.median(build_times) * ms:.1f} ms", ""),
        ("dashboard figures over 10,000 councils (DB worker)", f"{compute_s * ms:.0f} ms", ""),
        ("dashboard drawn from those figures (GUI thread)", f"{draw_s * ms:.0f} ms", ""),
    ]  # fmt: skip


def main() -> None:
    rows = [("benchmark", "measured", "target"), *measure()]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print("Desktop: time-zone overlay and dashboard")
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


if __name__ == "__main__":
    main()
