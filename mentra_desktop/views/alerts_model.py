"""AlertListModel: the coordination alerts, newest first, one row each.

Holds the :class:`~mentra_desktop.client.alerts.Alert` list the
:class:`~mentra_desktop.views.alerts_feed.AlertsFeed` read from the cache (a few hundred at
most: alerts are rare, each one a failure a person must look at) and computes cells in
``data()``. A reload is one ``beginResetModel``/``endResetModel``; "Unread only" filters in
the model. Unread rows are bold with a dot; the kind is in words; the council is its id and
topic; the message and details are in the tooltip.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from html import escape
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from mentra_desktop.client.alert_times import readable
from mentra_desktop.client.alerts import Alert
from mentra_desktop.views import timefmt

AnyIndex = QModelIndex | QPersistentModelIndex
HEADERS = ("", "What happened", "Council", "Raised")
UNREAD, KIND, COUNCIL, RAISED = range(4)
ALERT_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's :class:`Alert`."""
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_MUTED = QColor("#6b7785")


class AlertListModel(QAbstractTableModel):
    """See the module docstring."""

    def __init__(self, zone: tzinfo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self._all: list[Alert] = []
        self._rows: list[Alert] = []
        self._unread_only = False
        self._bold = QFont()
        self._bold.setBold(True)

    # --- Qt ------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(HEADERS):
            if role == Qt.ItemDataRole.DisplayRole:
                return HEADERS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == UNREAD:
                return "● unread (not acknowledged by anyone)"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        alert = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(alert, column)
        if role == ALERT_ROLE:
            return alert
        if role == SORT_ROLE:
            return alert.created_at.timestamp()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(alert)
        if role == Qt.ItemDataRole.FontRole and not alert.acknowledged:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == UNREAD and not alert.acknowledged:
                return QBrush(QColor("#c0392b"))
            if alert.acknowledged:
                return QBrush(_MUTED)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "acknowledged" if alert.acknowledged else "unread"
            return f"{state}: {alert.label}, council {alert.council_text}, {self.message(alert)}"
        return None

    # --- content ---------------------------------------------------------------------------

    def set_alerts(self, alerts: list[Alert]) -> None:
        """Show ``alerts`` (already newest first)."""
        self.beginResetModel()
        try:
            self._all = list(alerts)
            self._refilter()
        finally:
            self.endResetModel()

    def set_unread_only(self, on: bool) -> None:
        self.beginResetModel()
        try:
            self._unread_only = on
            self._refilter()
        finally:
            self.endResetModel()

    def _refilter(self) -> None:
        self._rows = [a for a in self._all if not (self._unread_only and a.acknowledged)]

    def alert(self, row: int) -> Alert:
        return self._rows[row]

    def row_of(self, alert_id: int) -> int | None:
        for row, alert in enumerate(self._rows):
            if alert.id == alert_id:
                return row
        return None

    def message(self, alert: Alert) -> str:
        """The alert's message with its UTC instants in the coordinator's zone."""
        return readable(alert.message, self._zone, alert.created_at)

    @property
    def unread(self) -> int:
        return sum(1 for a in self._all if not a.acknowledged)

    # --- cells -------------------------------------------------------------------------------

    def _display(self, alert: Alert, column: int) -> str:
        if column == UNREAD:
            return "" if alert.acknowledged else "●"
        if column == RAISED:
            return compact_time(alert.created_at, self._zone, datetime.now(UTC))
        if column == KIND:
            return alert.label
        return "—" if alert.council_id is None else f"#{alert.council_id}"

    def _tooltip(self, alert: Alert) -> str:
        label, council = escape(alert.label, quote=False), escape(alert.council_text, quote=False)
        lines = [
            f"<b>{label}</b> — {council}",
            escape(self.message(alert), quote=False),
            f"Raised {timefmt.local_long(alert.created_at, self._zone)}",
        ]
        if alert.acknowledged_at is not None:
            lines.append(f"Acknowledged {timefmt.local_long(alert.acknowledged_at, self._zone)}")
        elif alert.acknowledged_here:
            lines.append("Acknowledged here; waiting to reach the platform")
        return "<br>".join(lines)


def compact_time(moment: datetime, zone: tzinfo, now: datetime) -> str:
    """``21:38`` today, ``Thu 21:38`` within the last week, else ``26 Nov`` (a narrow
    column; the tooltip has the full time)."""
    local, today = moment.astimezone(zone), now.astimezone(zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if today - local < timedelta(days=6):
        return local.strftime("%a %H:%M")
    return local.strftime("%d %b")
