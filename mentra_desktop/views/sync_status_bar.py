"""SyncStatusBar: online or offline, when the last change arrived, writes waiting to go."""

from __future__ import annotations

from datetime import datetime, tzinfo

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from mentra_desktop.client.sync import AUTH_EXPIRED, CONNECTING, OFFLINE, ONLINE, STOPPED
from mentra_desktop.views import timefmt
from mentra_desktop.views.controller import SyncStatus

_STATE = {
    ONLINE: ("● Online", "#1e7d3c", "Live: changes from the platform appear as they happen"),
    CONNECTING: ("◌ Connecting…", "#6b5200", "Connecting to the platform"),
    OFFLINE: ("○ Offline", "#c0392b", "Working from the local copy; changes wait in the outbox"),
    AUTH_EXPIRED: ("○ Signed out", "#c0392b", "Your sign-in expired: sign in again to resume"),
    STOPPED: ("○ Stopped", "#6b7785", "Not syncing"),
}


class SyncStatusBar(QStatusBar):
    """Three permanent labels on the right; transient messages on the left."""

    def __init__(self, zone: tzinfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self.state_label = QLabel()
        self.state_label.setObjectName("syncState")
        self.last_change_label = QLabel()
        self.last_change_label.setObjectName("lastChange")
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("writesWaiting")
        for label in (self.last_change_label, self.waiting_label, self.state_label):
            self.addPermanentWidget(label)
        self.status: SyncStatus | None = None
        self.set_status(SyncStatus(CONNECTING, None, 0))

    def set_status(self, status: SyncStatus) -> None:
        self.status = status
        text, colour, tip = _STATE.get(status.state, (status.state, "#3c4650", ""))
        self.state_label.setText(text)
        self.state_label.setStyleSheet(f"color: {colour}; font-weight: 600; padding: 0 6px;")
        self.state_label.setToolTip(tip)
        self.last_change_label.setText(self._last_change(status.last_change_at))
        waiting = status.waiting
        self.waiting_label.setText(
            "No writes waiting"
            if waiting == 0
            else f"{waiting} write{'s' * (waiting != 1)} waiting"
        )
        self.waiting_label.setStyleSheet(
            "padding: 0 6px;" + (" color: #8a3d00; font-weight: 600;" if waiting else "")
        )
        self.waiting_label.setToolTip(
            "Changes stored locally, not yet accepted by the platform" if waiting else ""
        )

    def _last_change(self, moment: datetime | None) -> str:
        if moment is None:
            return "No changes received yet"
        return f"Last change {moment.astimezone(self._zone):%a %d %b %H:%M:%S}"
