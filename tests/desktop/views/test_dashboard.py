"""The dashboard against the real platform: the charts show what the platform holds
(phases today, upcoming sessions per mentor), and a change by another coordinator
redraws them live."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from statistics import median
from typing import Any

import numpy as np

from mentra_desktop.models.dashboard_figures import DashboardFigures


def _today(dashboard: Any, phase: str) -> int:
    _x, y = dashboard.phase_lines[phase].getData()
    return int(y[-1]) if y is not None and len(y) else 0


def test_charts_follow_the_platform_live(qtbot: Any, open_app: Any, platform: Any) -> None:
    desktop = open_app()
    window = desktop.window
    dashboard = window.dashboard
    with qtbot.waitSignal(dashboard.figures_ready, timeout=10_000):
        window.reveal(dashboard)
    with platform.http() as http:
        items = http.get("/api/v1/councils", params={"since": 0, "limit": 1000}).json()["items"]
    phases = Counter(doc["coordinationStatus"] for doc in items)
    for phase, count in phases.items():
        assert _today(dashboard, phase) == count, phase
    # Every chart is titled with its question.
    assert [card.title.text() for card in dashboard.cards] == [
        "<b>How many councils are in each phase, day by day?</b>",
        "<b>Are mentors answering their invitations?</b>",
        "<b>How long from invitation to confirmation?</b>",
        "<b>Who is busiest in the coming weeks?</b>",
    ]
    # Upcoming sessions per mentor: the bars add up to the attending seats of confirmed
    # councils whose final slot is ahead (within the four weeks shown).
    figures = dashboard.figures
    assert isinstance(figures, DashboardFigures)
    drawn = sum(float(np.sum(bars.opts["width"])) for bars in dashboard.load_bars)
    assert drawn == sum(m.total for m in figures.load) > 0
    horizon = datetime.combine(
        figures.load_weeks[-1] + timedelta(days=7), time(0, 0), tzinfo=dashboard.zone
    )
    top = figures.load[0]
    seats = 0
    for doc in items:
        if doc["coordinationStatus"] != "confirmed":
            continue
        start = next(s["start"] for s in doc["proposedTimeSlots"] if s["id"] == doc["finalSlotId"])
        if figures.now <= datetime.fromisoformat(start.replace("Z", "+00:00")) < horizon:
            seats += sum(
                1 for m in doc["mentors"] if m["attending"] and m["mentorId"] == top.mentor_id
            )
    assert seats == top.total
    # The median line names its value even when it was hidden before this drawing (as on
    # the first one): pyqtgraph's label skips a new format while its line is hidden.
    days = [h / 24 for h in figures.confirmation_hours]
    dashboard.delay_median.hide()
    dashboard.delay_median.label.setText("stale")
    dashboard._update_delay(figures)
    assert days and dashboard.delay_median.isVisible()
    assert dashboard.delay_median.label.toPlainText() == f"median {median(days):.1f} d"

    # Another coordinator cancels a collecting council: the dashboard redraws by itself.
    council = next(doc for doc in items if doc["coordinationStatus"] == "collecting")
    threads: list[str] = []
    dashboard.figures_ready.connect(lambda _f: threads.append(threading.current_thread().name))
    with qtbot.waitSignal(dashboard.figures_ready, timeout=15_000), platform.http() as http:
        response = http.post(
            f"/api/v1/councils/{council['id']}/cancel",
            json={"reason": "mentee withdrew"},
            headers={"If-Match": f'"{council["version"]}"'},
        )
        assert response.status_code == 200, response.text
    qtbot.waitUntil(lambda: _today(dashboard, "cancelled") == phases["cancelled"] + 1)
    assert _today(dashboard, "collecting") == phases["collecting"] - 1
    assert threads and threads[0] == threading.main_thread().name  # drawn on the GUI thread
    assert dashboard.summary.text().startswith(f"{len(items)} councils in the cache")
    assert datetime.now(UTC) >= figures.now
