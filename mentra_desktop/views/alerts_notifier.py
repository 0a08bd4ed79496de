"""AlertNotifier: a desktop notification when new alerts arrive.

With a system tray (``QSystemTrayIcon.isSystemTrayAvailable()``) it shows the app's tray
icon and a balloon message; clicking it asks for the alerts panel (``activated``). Without
one (many Linux sessions, the offscreen platform of tests and screenshots) it falls back
to ``QApplication.alert`` on the window (the taskbar entry asks for attention) and a
status-bar line through ``fallback`` — never a warning. A burst (the first sync, a
reconnect after a night offline) is one message that counts them, never one per alert.
"""

from __future__ import annotations

from datetime import tzinfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from mentra_desktop.client.alert_times import readable
from mentra_desktop.client.alerts import Alert
from mentra_desktop.views.app import icon
from mentra_desktop.views.timefmt import display_zone

SHOW_MS = 8000


def announcement(alerts: list[Alert], zone: tzinfo | None = None) -> tuple[str, str]:
    """``(title, body)`` for ``alerts`` (newest first; at least one); instants in the
    message are written in ``zone`` (the coordinator's by default)."""
    newest = alerts[0]
    if len(alerts) == 1:
        message = readable(newest.message, zone or display_zone(), newest.created_at)
        return f"Alert: {newest.label}", f"{newest.council_text}: {message}"
    more = len(alerts) - 1
    body = f"Newest: {newest.label} ({newest.council_text}) and {more} more"
    return f"{len(alerts)} new alerts", body


class AlertNotifier(QObject):
    """See the module docstring. ``window`` is the one asked for attention."""

    fallback = Signal(str)
    """The message, when there is no tray to show it in."""
    activated = Signal()
    """The user clicked the tray icon or its message."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self.last: tuple[str, str] | None = None
        """The last ``(title, body)`` announced (either way)."""

    def announce(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        title, body = announcement(alerts)
        self.last = (title, body)
        tray = self._tray()
        if tray is not None and QSystemTrayIcon.supportsMessages():
            tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Warning, SHOW_MS)
            return
        QApplication.alert(self.window)
        self.fallback.emit(f"{title} — {body}")

    def _tray(self) -> QSystemTrayIcon | None:
        if self.tray is None and QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(icon("mentra"), self)
            self.tray.setToolTip("Mentra Council Coordinator")
            self.tray.activated.connect(lambda _reason: self.activated.emit())
            self.tray.messageClicked.connect(self.activated.emit)
            self.tray.show()
        return self.tray

    def hide(self) -> None:
        """Remove the tray icon (the window is closing)."""
        if self.tray is not None:
            self.tray.hide()
