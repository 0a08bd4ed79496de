"""AlertsFeed: the Qt-free alert store and sync (:mod:`mentra_desktop.client.alerts`,
:mod:`mentra_desktop.client.alert_sync`) adapted into signals for the alerts panel.

It hangs its :class:`~mentra_desktop.client.alert_sync.AlertSync` on the controller's
syncer, so the live stream keeps the cached alerts current (catch-up on every reconnect,
``alert.*`` events as they come). Every cache read and write runs on the task manager's
``db`` worker and every platform call on ``net``; results come back as signals. Create it
before the controller starts its stream.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal

from mentra_desktop.client.alert_sync import AlertSync
from mentra_desktop.client.alerts import Alert, AlertStore
from mentra_desktop.client.outbox_rows import OutboxRow
from mentra_desktop.views.controller import DesktopController
from mentra_desktop.views.taskman import Op

Snapshot = tuple[list[Alert], int, list[Alert]]


class AlertsFeed(QObject):
    """See the module docstring."""

    alerts_loaded = Signal(list)
    """Every cached alert, newest first (a full reload)."""
    unread_changed = Signal(int)
    """Alerts nobody has acknowledged yet."""
    arrived = Signal(list)
    """Unread alerts not announced before, newest first (each is announced once)."""

    def __init__(self, controller: DesktopController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.store = AlertStore(controller.cache)
        self.sync = AlertSync(controller.client, self.store)
        controller.syncer.alerts = self.sync
        tasks = controller.tasks
        self.sync.subscribe(lambda _ids: tasks.run_on_main(self.reload))
        controller.write_failed.connect(self._on_write_failed)
        self.unread = 0

    def reload(self) -> None:
        """Read the cached alerts (``db`` worker) and emit them."""
        store = self.store

        def work() -> Snapshot:
            return store.alerts(), store.unread_count(), store.take_unannounced()

        Op(self.controller.tasks, work, self._on_loaded, "read the alerts").run("db")

    def refresh(self) -> None:
        """Catch up with the platform now (``net`` worker); the store's listeners reload.
        Offline, the cached alerts stay as they are and the controller says so."""
        sync = self.sync
        Op(
            self.controller.tasks, sync.catch_up, lambda _ids: self.reload(), "fetch alerts"
        ).failure(
            lambda exc: self.controller.message.emit(f"Alerts not refreshed, offline: {exc}")
        ).run("net")

    def acknowledge(self, alert_ids: Iterable[int]) -> None:
        """Show ``alert_ids`` acknowledged and queue each write in the outbox (one
        transaction per alert); the stream thread sends them, now or when back online."""
        wanted = list(alert_ids)
        store, outbox = self.store, self.controller.outbox

        def work() -> list[int]:
            rows = [store.acknowledge(outbox, alert_id) for alert_id in wanted]
            return [r for r in rows if r is not None]

        def done(rows: list[int]) -> None:
            if rows:
                n = len(rows)
                self.controller.message.emit(
                    f"{n} alert{'s' * (n != 1)} acknowledged; sent when the platform answers"
                )
            self.reload()
            self.controller.refresh_status()

        Op(self.controller.tasks, work, done, "acknowledge alerts").failure(
            lambda exc: self.controller.message.emit(f"Could not acknowledge: {exc}")
        ).run("db")

    def _on_loaded(self, snapshot: Snapshot) -> None:
        alerts, unread, fresh = snapshot
        self.unread = unread
        self.alerts_loaded.emit(alerts)
        self.unread_changed.emit(unread)
        if fresh:
            self.arrived.emit(fresh)

    def _on_write_failed(self, row: OutboxRow) -> None:
        if row.kind == "acknowledge":
            self.reload()  # the platform refused: the alert is unread again
