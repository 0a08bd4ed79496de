"""AlertsPanel: the coordination failures from the platform's alerts feed, newest first.

A table (unread dot, when it was raised in the coordinator's zone, what happened in words,
the council) over the selected alert's full message. Enter or a double click jumps to the
alert's council (``council_requested``); Acknowledge (the selected rows) writes back
through the outbox, so it works offline and survives a crash. The panel is thin: the
:class:`~mentra_desktop.views.alerts_feed.AlertsFeed` reads and writes, the
:class:`~mentra_desktop.views.alerts_model.AlertListModel` formats.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.client.alerts import Alert
from mentra_desktop.views.alerts_feed import AlertsFeed
from mentra_desktop.views.alerts_model import COUNCIL, KIND, RAISED, UNREAD, AlertListModel
from mentra_desktop.views.alerts_notifier import AlertNotifier

if TYPE_CHECKING:
    from mentra_desktop.views.main_window import MainWindow


NARROW = 250
"""Below this table width (px) the Raised column gives way (the tooltip still says when)."""


class _AlertTable(QTableView):
    """Enter opens the current alert's council (a table would move down a row); in a
    narrow dock the Raised column hides, so what happened keeps its room."""

    open_requested = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW
        if self.isColumnHidden(RAISED) != narrow:
            self.setColumnHidden(RAISED, narrow)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class AlertsPanel(QWidget):
    """See the module docstring."""

    council_requested = Signal(int)

    def __init__(self, feed: AlertsFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertsPanel")
        # A dock beside the grid, whose page needs ~990 px: on a 1024 px screen the dock
        # gives way (its layout's own minimum would push the window off the screen).
        self.setMinimumWidth(30)
        self.feed = feed
        self.model = AlertListModel(parent=self)
        self.notifier: AlertNotifier | None = None
        self._build()
        feed.alerts_loaded.connect(self._on_alerts_loaded)
        feed.unread_changed.connect(self._update_unread)

    def _build(self) -> None:
        self.unread_label = QLabel("No alerts yet")
        self.unread_label.setObjectName("alertsUnread")
        self.unread_label.setWordWrap(True)  # a narrow dock wraps it rather than clip it
        self.unread_label.setMinimumWidth(1)
        self.unread_only = QCheckBox("Unread only")
        self.unread_only.setAccessibleName("Show unread alerts only")
        self.unread_only.toggled.connect(self.model.set_unread_only)
        top = QHBoxLayout()
        top.addWidget(self.unread_label, 1)
        top.addWidget(self.unread_only)

        self.table = _AlertTable()
        self.table.setObjectName("alertsTable")
        self.table.setAccessibleName("Coordination alerts, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)  # a narrow dock: "Possible calendar conflict" wraps
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(18)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # "What happ…", not "hap"
        header.setSectionResizeMode(UNREAD, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(UNREAD, 20)
        header.setSectionResizeMode(KIND, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COUNCIL, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(RAISED, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.doubleClicked.connect(lambda _index: self._on_open())
        self.table.open_requested.connect(self._on_open)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.detail = QLabel()
        self.detail.setObjectName("alertDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(64)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.open_action = QAction("&Go to council", self)
        self.open_action.setToolTip("Show the selected alert's council in the grid (Enter)")
        self.open_action.triggered.connect(self._on_open)
        self.acknowledge_action = QAction("&Acknowledge", self)
        self.acknowledge_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.acknowledge_action.setToolTip(
            "Mark the selected alerts as seen (Ctrl+Shift+A); sent through the outbox"
        )
        self.acknowledge_action.triggered.connect(self._on_acknowledge)
        buttons = QHBoxLayout()
        for action, name in (
            (self.open_action, "goToCouncil"),
            (self.acknowledge_action, "acknowledgeAlert"),
        ):
            button = QToolButton()
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self._on_selection_changed()

    # --- content -------------------------------------------------------------------------

    def selected_alerts(self) -> list[Alert]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.alert(r) for r in rows]

    def select_alert(self, alert_id: int) -> bool:
        row = self.model.row_of(alert_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _on_alerts_loaded(self, alerts: list[Alert]) -> None:
        kept = [a.id for a in self.selected_alerts()]
        self.model.set_alerts(alerts)
        for alert_id in kept:
            row = self.model.row_of(alert_id)
            if row is not None:
                self.table.selectionModel().select(
                    self.model.index(row, 0),
                    self.table.selectionModel().SelectionFlag.Select
                    | self.table.selectionModel().SelectionFlag.Rows,
                )
        if not alerts:
            self.unread_label.setText("No alerts: every council is on track")
        self._on_selection_changed()

    def _update_unread(self, count: int) -> None:
        if self.model.rowCount() == 0 and count == 0 and not self.unread_only.isChecked():
            return
        self.unread_label.setText(
            "Every alert acknowledged" if count == 0 else f"<b>{count} unread</b>"
        )

    def _on_selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        chosen = self.selected_alerts()
        self.acknowledge_action.setEnabled(any(not a.acknowledged for a in chosen))
        self.open_action.setEnabled(len(chosen) == 1 and chosen[0].council_id is not None)
        if len(chosen) == 1:
            alert = chosen[0]
            state = (
                "acknowledged"
                if alert.acknowledged_at is not None
                else "acknowledged here, waiting to be sent"
                if alert.acknowledged_here
                else "unread"
            )
            message = escape(self.model.message(alert), quote=False)
            self.detail.setText(
                f"<b>{escape(alert.label, quote=False)}</b> · "
                f"{escape(alert.council_text, quote=False)} · {state}<br>{message}"
            )
        elif chosen:
            self.detail.setText(f"{len(chosen)} alerts selected")
        else:
            self.detail.setText("Select an alert to read it; Enter shows its council.")

    def _on_open(self, _index: QModelIndex | None = None) -> None:
        chosen = self.selected_alerts()
        if len(chosen) == 1 and chosen[0].council_id is not None:
            self.council_requested.emit(chosen[0].council_id)

    def _on_acknowledge(self) -> None:
        wanted = [a.id for a in self.selected_alerts() if not a.acknowledged]
        if wanted:
            self.feed.acknowledge(wanted)


def install_alerts(window: MainWindow) -> AlertsPanel:
    """Build the alerts feed, panel and notifier for ``window`` and wire them: the right
    dock, the unread count in the title, a notification for new alerts, Enter → the
    council in the grid. Call before the controller starts its stream."""
    feed = AlertsFeed(window.controller)
    panel = AlertsPanel(feed)
    notifier = AlertNotifier(window)
    panel.notifier = notifier
    window.add_alerts_panel(panel)
    window.add_tool_action(panel.acknowledge_action)
    feed.unread_changed.connect(window.set_unread_alerts)
    feed.arrived.connect(notifier.announce)
    notifier.fallback.connect(lambda text: window.statusBar().showMessage(text, 10_000))
    notifier.activated.connect(lambda: window.reveal(panel.table, focus=True))

    def show(council_id: int) -> None:
        if not window.show_council(council_id):
            window.statusBar().showMessage(
                f"Council #{council_id} is not in the grid (cleared or filtered out)", 8000
            )

    panel.council_requested.connect(show)
    window.closed.connect(notifier.hide)
    feed.reload()
    return panel
