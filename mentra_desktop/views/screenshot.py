"""Screenshot: render one view of a running desktop to a PNG, then report.

Sequence: sync (the same controller start as the app), pick the council that shows the
view best (:func:`showcase`), wait for its analysis, lay the window out at the requested
size and ``grab()`` it. ``grid`` renders the whole window; ``matrix`` and ``decision``
give that pane the window (the others hidden), so each is readable at 1280×800;
``alerts`` and ``planner`` are staged by :mod:`~mentra_desktop.views.screenshot_extras`;
``overlay`` gives the time-zone tab the window and ``dashboard`` shows its page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSize, QTimer, Signal

from mentra_desktop.models.tz_overlay import LEAD_DAYS
from mentra_desktop.views import screenshot_extras
from mentra_desktop.views.controller import utcnow
from mentra_desktop.views.council_analysis import CELL_KIND, CouncilAnalysis, analyse
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.taskman import Op

VIEWS = ("grid", "matrix", "decision", "overlay", "dashboard", *screenshot_extras.VIEWS)
TIMEOUT_MS = 120_000


def parse_size(text: str) -> QSize:
    """``1280x800`` → QSize; raises ValueError for anything else."""
    width, _, height = text.lower().partition("x")
    size = QSize(int(width), int(height))
    if size.width() < 320 or size.height() < 240:
        raise ValueError(f"size {text!r} is too small (at least 320x240)")
    return size


def showcase(analyses: Iterable[CouncilAnalysis], view: str) -> int | None:
    """The council that shows ``view`` best: the most answer kinds in the matrix; for the
    decision, a waiting council with decisive answers (then any waiting one)."""
    best: tuple[Any, ...] | None = None
    chosen: int | None = None
    for a in analyses:
        if a.decision is None or a.evaluation is None or not a.is_open:
            continue
        kinds = {CELL_KIND[cell.status] for se in a.evaluation.slots for cell in se.cells}
        partial_answers = any(
            answer.get("partialRanges") for m in a.doc["mentors"] for answer in m["slotAnswers"]
        )
        kinds.add("ranges" if partial_answers else "")
        waiting = a.decision.status.value == "waiting"
        chosen_slot = a.chosen_slot() is not None
        key: tuple[Any, ...]
        if view == "decision":
            key = (bool(a.decisive), waiting, len(kinds), -a.council_id)
        elif view == "overlay":
            key = overlay_key(a)
        else:
            key = (chosen_slot, len(kinds), bool(a.decisive), -a.council_id)
        if best is None or key > best:
            best, chosen = key, a.council_id
    return chosen


def overlay_key(a: CouncilAnalysis) -> tuple[Any, ...]:
    """For the overlay: a chosen slot, proposals, a first slot within the week (so the
    "now" line shows), then the most distinct zones and busy time."""
    request = a.request
    if request is None:
        return (False,)
    zones = {m.timezone for m in request.mentors}
    proposals = any(m.alternatives for m in request.mentors)
    busy = any(m.busy for m in request.mentors)
    first = min(s.start for s in request.council.slots)
    soon = a.now < first <= a.now + timedelta(days=LEAD_DAYS)
    return (a.chosen_slot() is not None, proposals, soon, len(zones), busy, -a.council_id)


class Screenshot(QObject):
    done = Signal(bool, str)

    def __init__(self, desktop: Desktop, path: str, view: str, size: str) -> None:
        super().__init__(desktop.window)
        self.desktop = desktop
        self.path = Path(path)
        self.view = view
        self.size = parse_size(size)
        self._target: int | None = None
        self._rendered = False
        self._synced = False
        self._timeout = QTimer(self)
        self._timeout.setSingleShot(True)
        self._timeout.timeout.connect(lambda: self._finish(False, "timed out waiting for data"))

    def start(self) -> None:
        window = self.desktop.window
        window.resize(self.size)
        window.reset_layout()
        whole_window = self.view in ("matrix", "decision", "overlay", "dashboard")
        if whole_window and window.alerts_dock is not None:
            window.alerts_dock.hide()  # the view gets the whole window
        if self.view == "matrix":
            window.grid.hide()
            window.decision.hide()
        elif self.view == "decision":
            window.grid.hide()
            window.matrix.hide()
        elif self.view == "overlay":
            window.grid.hide()
            window.reveal(window.overlay)
        elif self.view == "dashboard":
            window.reveal(window.dashboard)
            window.dashboard.figures_ready.connect(self._on_figures)
        elif self.view in screenshot_extras.VIEWS:
            screenshot_extras.stage(self.view, self.desktop)
        else:
            window.splitter.setSizes([430, 370])
        window.show()
        controller = self.desktop.controller
        controller.sync_finished.connect(self._on_synced)
        controller.analysis_ready.connect(self._on_analysis)
        self._timeout.start(TIMEOUT_MS)
        controller.start(stream=False, sync=True)

    def _on_figures(self, _figures: object) -> None:
        if self._synced:
            QTimer.singleShot(300, self._render)

    def _on_synced(self, _result: object) -> None:
        if self.view in screenshot_extras.VIEWS:
            screenshot_extras.after_sync(self.view, self.desktop, self._render)
            return
        self._synced = True
        if self.view == "dashboard":
            self.desktop.window.dashboard.cache_changed()
            return
        cache = self.desktop.cache

        def work() -> int | None:
            now = utcnow()
            return showcase((analyse(doc, now) for doc in cache.documents()), self.view)

        Op(self.desktop.tasks, work, self._select, "pick a council").failure(
            lambda exc: self._finish(False, f"could not pick a council: {exc}")
        ).run("db")

    def _select(self, council_id: int | None) -> None:
        self._target = council_id
        # Let the reload of the summaries land first, then select in the grid.
        QTimer.singleShot(300, self._select_now)

    def _select_now(self) -> None:
        if self._target is None or not self.desktop.window.grid.select_council(self._target):
            self._render()
            return
        self.desktop.controller.select(self._target)  # even if it was selected already

    def _on_analysis(self, analysis: CouncilAnalysis | None) -> None:
        if analysis is not None and analysis.council_id == self._target:
            QTimer.singleShot(300, self._render)

    def _render(self) -> None:
        if self._rendered:
            return
        self._rendered = True
        window = self.desktop.window
        overlay = window.overlay.overlay
        if self.view == "overlay" and overlay is not None and overlay.slots:
            chosen = next((s for s in overlay.slots if s.chosen), overlay.slots[0])
            window.overlay.hover_at(chosen.start + timedelta(minutes=30))  # show the read-out
        window.resize(self.size)
        pixmap = window.grab()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not pixmap.save(str(self.path), "PNG"):
            self._finish(False, f"could not write {self.path}")
            return
        self._finish(True, f"{self.path} ({pixmap.width()}x{pixmap.height()}, {self.view})")

    def _finish(self, ok: bool, message: str) -> None:
        self._timeout.stop()
        self.done.emit(ok, message)
