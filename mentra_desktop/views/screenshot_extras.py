"""Screenshot staging for the alerts dock and the planner page (``--view alerts|planner``).

:class:`~mentra_desktop.views.screenshot.Screenshot` lays the window out with
:func:`stage` before the sync and, once synced, hands over to :func:`after_sync`, which
calls ``render`` when the view has something to show:

* ``alerts`` — the grid and the alerts dock, widened (the details below the grid hidden so
  the dock may take the room); the alerts are fetched until the demo's coordination
  worker has raised a few (it does within seconds of a fresh start), the newest one about
  a council is selected and its council shown in the grid.
* ``planner`` — the planner page; once the grid holds the synced councils the week is
  planned over every council in view, then rendered with the plan beside greedy's.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from mentra_desktop.views.desktop import Desktop

VIEWS = ("alerts", "planner")
DOCK_WIDTH = 440
ENOUGH_ALERTS = 6
ALERT_POLL_MS = 1000
ALERT_WAIT_MS = 30_000


def stage(view: str, desktop: Desktop) -> None:
    """Lay ``desktop``'s window out for ``view`` (before the sync)."""
    window = desktop.window
    if view == "alerts":
        window.details.hide()
        dock = window.alerts_dock
        if dock is not None:
            dock.show()
            window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
    elif view == "planner":
        window.reveal(window.planner)
        if window.alerts_dock is not None:
            window.alerts_dock.hide()


def after_sync(view: str, desktop: Desktop, render: Callable[[], None]) -> None:
    """Fill ``view`` with data, then call ``render`` (on the GUI thread)."""
    if view == "alerts":
        _AlertsWait(desktop, render).start()
    elif view == "planner":
        planner = desktop.window.planner
        planner.planned.connect(lambda _outcome: QTimer.singleShot(300, render))
        _when_grid_filled(desktop, planner.plan)


def _when_grid_filled(desktop: Desktop, then: Callable[[], None], waited: int = 0) -> None:
    """Call ``then`` once the grid holds the synced councils (they arrive just after the
    sync, from the cache), the councils in view the planner plans."""
    if desktop.window.grid_model.rowCount() > 0 or waited >= ALERT_WAIT_MS:
        then()
        return
    QTimer.singleShot(100, lambda: _when_grid_filled(desktop, then, waited + 100))


class _AlertsWait(QObject):
    """Fetch the alerts every second until there are enough (or the wait is over)."""

    def __init__(self, desktop: Desktop, render: Callable[[], None]) -> None:
        super().__init__(desktop.window)
        self.desktop = desktop
        self.render = render
        self.panel = desktop.window.alerts_panel
        self.waited = 0
        self.timer = QTimer(self)
        self.timer.setInterval(ALERT_POLL_MS)
        self.timer.timeout.connect(self._poll)

    def start(self) -> None:
        self.panel.feed.refresh()
        self.timer.start()

    def _poll(self) -> None:
        self.waited += ALERT_POLL_MS
        model = self.panel.model
        if model.rowCount() < ENOUGH_ALERTS and self.waited < ALERT_WAIT_MS:
            self.panel.feed.refresh()
            return
        self.timer.stop()
        dock = self.desktop.window.alerts_dock
        if dock is not None:
            self.desktop.window.resizeDocks([dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        for row in range(model.rowCount()):
            alert = model.alert(row)
            if alert.council_id is not None:
                self.panel.select_alert(alert.id)
                self.desktop.window.show_council(alert.council_id)
                break
        QTimer.singleShot(500, self.render)
