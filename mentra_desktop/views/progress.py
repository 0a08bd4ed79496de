"""ProgressIndicator: a busy cursor after ~300 ms, a progress dialog after ~600 ms.

Work that finishes sooner shows nothing at all (Anki ``qt/aqt/progress.py``). Several
operations may run at once: the cursor stays busy while any of them does, and the dialog
follows the newest one with a label. Progress numbers come from the Qt-free core as
``(done, total)`` (a first sync reports councils received of the platform's total).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

BUSY_AFTER_MS = 300
DIALOG_AFTER_MS = 600


@dataclass
class _Running:
    label: str
    started: float = field(default_factory=time.monotonic)
    done: int = 0
    total: int = 0


class ProgressIndicator(QObject):
    """Tracks running operations; see the module docstring."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[int, _Running] = {}
        self._ids = itertools.count(1)
        self._cursor = False
        self._dialog: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_tick)
        self.parent_widget: QWidget | None = None

    def start(self, label: str) -> int:
        ticket = next(self._ids)
        self._running[ticket] = _Running(label)
        if not self._timer.isActive():
            self._timer.start()
        return ticket

    def update(self, ticket: int, done: int, total: int) -> None:
        running = self._running.get(ticket)
        if running is None:
            return
        running.done, running.total = done, total
        self._update_dialog()

    def finish(self, ticket: int) -> None:
        self._running.pop(ticket, None)
        if not self._running:
            self.reset()
        else:
            self._update_dialog()

    def reset(self) -> None:
        """Nothing runs: restore the cursor, close the dialog, stop the timer."""
        self._running.clear()
        self._timer.stop()
        if self._cursor:
            QApplication.restoreOverrideCursor()
            self._cursor = False
        if self._dialog is not None:
            self._dialog.hide()
            self._dialog.deleteLater()
            self._dialog = None

    @property
    def busy_cursor_shown(self) -> bool:
        return self._cursor

    @property
    def dialog(self) -> QProgressDialog | None:
        return self._dialog

    def _on_tick(self) -> None:
        if not self._running:
            self._timer.stop()
            return
        oldest = min(r.started for r in self._running.values())
        elapsed_ms = (time.monotonic() - oldest) * 1000
        if elapsed_ms >= BUSY_AFTER_MS and not self._cursor:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            self._cursor = True
        if elapsed_ms >= DIALOG_AFTER_MS and self._dialog is None:
            dialog = QProgressDialog(self.parent_widget)
            dialog.setWindowTitle("Mentra")
            dialog.setCancelButton(None)
            dialog.setMinimumDuration(0)
            dialog.setAutoClose(False)
            dialog.setAutoReset(False)
            dialog.setWindowModality(Qt.WindowModality.NonModal)
            self._dialog = dialog
            self._update_dialog()
            dialog.show()

    def _update_dialog(self) -> None:
        if self._dialog is None or not self._running:
            return
        newest = self._running[max(self._running)]
        if newest.total > 0:
            self._dialog.setRange(0, newest.total)
            self._dialog.setValue(min(newest.done, newest.total))
            self._dialog.setLabelText(f"{newest.label}… {newest.done:,} of {newest.total:,}")
        else:
            self._dialog.setRange(0, 0)
            self._dialog.setLabelText(f"{newest.label}…")
