"""MainWindow: pages of views over one controller, laid out for 1280×800.

Layout: a tab bar of top-level pages (``pages``). The first, **Councils**, is the council
grid above a tab widget of the selected council's details (``details``: the response
matrix beside the decision panel, then the time-zone overlay). Further pages (the
dashboard, the batch planner) are added with :meth:`MainWindow.add_page`; the alerts
panel is a dock on the right (:meth:`MainWindow.add_alerts_panel`); export actions go
into File > Export (:meth:`MainWindow.add_export_action`) and other tools into the Tools
menu (:meth:`MainWindow.add_tool_action`) — those extension points live in
:class:`~mentra_desktop.views.window_shell.WindowShell`. Each of the later views is
installed by one line in :meth:`MainWindow._install_views`.

The window only wires views to the :class:`DesktopController` and remembers its layout
(geometry, splitter states, dock state, current page and detail tab, grid column
layout, last selected council) in QSettings.
Writes go through the controller into the outbox; each becomes an Edit > Undo step
while it has not been sent. Refusals, conflicts and an expired sign-in open
window-modal dialogs (``open()``, never a nested event loop).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDockWidget,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QWidget,
)

from mentra_desktop.client import writes
from mentra_desktop.client.credentials import CredentialStore
from mentra_desktop.client.outbox_rows import OutboxRow
from mentra_desktop.client.writes import Write
from mentra_desktop.views.alerts_panel import install_alerts
from mentra_desktop.views.app import icon, stylesheet
from mentra_desktop.views.conflict_dialog import ConflictDialog
from mentra_desktop.views.controller import DesktopController, SyncStatus
from mentra_desktop.views.council_analysis import CouncilAnalysis
from mentra_desktop.views.council_grid_model import CouncilGridModel
from mentra_desktop.views.council_grid_view import CouncilGridView
from mentra_desktop.views.dashboard import Dashboard
from mentra_desktop.views.decision_panel import DecisionPanel
from mentra_desktop.views.export_actions import install_export
from mentra_desktop.views.login_dialog import LoginDialog
from mentra_desktop.views.outbox_command import OutboxCommand
from mentra_desktop.views.override_dialog import OverrideDialog
from mentra_desktop.views.palette import follow_system_scheme
from mentra_desktop.views.planner_panel import install_planner
from mentra_desktop.views.response_matrix_view import ResponseMatrixView
from mentra_desktop.views.shortcuts import ShortcutsDialog
from mentra_desktop.views.sync_status_bar import SyncStatusBar
from mentra_desktop.views.tz_overlay import TimeZoneOverlay
from mentra_desktop.views.window_shell import WindowShell

ACCEPTED = QDialog.DialogCode.Accepted.value
DOCK_SHARE = 0.27
DOCK_WIDTHS = (260, 360)
"""The alerts dock's first width: this share of the window, within these pixels."""
"""``QDialog.finished`` carries the result code as a plain int."""


class MainWindow(WindowShell):
    """See the module docstring."""

    closed = Signal()

    def __init__(
        self,
        controller: DesktopController,
        settings: QSettings,
        user: dict[str, Any],
        credentials: CredentialStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.user = user
        self.credentials = credentials
        self.is_admin = user.get("role") == "admin"
        self.setObjectName("mainWindow")
        self.base_title = (
            f"Mentra Council Coordinator — {user.get('fullName') or user.get('email', '')}"
        )
        self.setWindowTitle(self.base_title)
        self.setWindowIcon(icon("mentra"))
        app = QApplication.instance()
        if isinstance(app, QApplication):
            follow_system_scheme(app, stylesheet())
        self.undo_stack = QUndoStack(self)
        self.grid_model = CouncilGridModel(parent=self)
        self.grid = CouncilGridView(self.grid_model)
        self.matrix = ResponseMatrixView()
        self.decision = DecisionPanel()
        self.decision.set_admin(self.is_admin)
        self.status = SyncStatusBar()
        self.setStatusBar(self.status)
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        self.bottom.setObjectName("bottomSplitter")
        self.bottom.addWidget(self.matrix)
        self.bottom.addWidget(self.decision)
        self.bottom.setStretchFactor(0, 3)
        self.bottom.setStretchFactor(1, 2)
        self.details = QTabWidget()
        self.details.setObjectName("detailTabs")
        self.details.setDocumentMode(True)
        self.details.setAccessibleName("Selected council")
        self.details.addTab(self.bottom, "Responses && decision")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.grid)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.pages = QTabWidget()
        self.pages.setObjectName("pages")
        self.pages.setDocumentMode(True)
        self.pages.setAccessibleName("Pages")
        self.pages.addTab(self.splitter, "Councils")
        self.setCentralWidget(self.pages)
        self.alerts_dock: QDockWidget | None = None
        self.active_dialog: QDialog | QMessageBox | None = None
        self._restore_selection: int | None = None
        self._state_restored = False
        self._loaded = False
        self._split_pending = False
        self._dock_pending = False
        self.closing = False
        self._build_menus()
        self._connect()
        self._install_views()
        self._name_controls()
        self._restore_settings()

    # --- construction -------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.sync_action = QAction(icon("sync"), "&Sync now", self)
        self.sync_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.sync_action.triggered.connect(lambda: self.controller.full_sync(then_stream=False))
        file_menu.addAction(self.sync_action)
        self.export_menu = file_menu.addMenu("&Export")
        self.export_menu.setObjectName("exportMenu")
        self.export_menu.menuAction().setVisible(False)  # until an export is added
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
        quit_action.setShortcuts(quit_keys or [QKeySequence("Ctrl+Q")])  # none on some desktops
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setIcon(icon("undo"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(QKeySequence.StandardKey.Redo)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        find = QAction("&Find council…", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.grid.focus_search)
        edit_menu.addAction(find)
        edit_menu.addSeparator()
        self.confirm_action = QAction("&Confirm the selected council", self)
        self.confirm_action.setShortcut(QKeySequence("Ctrl+Shift+Return"))
        self.confirm_action.triggered.connect(lambda: _click(self.decision.confirm_button))
        edit_menu.addAction(self.confirm_action)
        self.override_action = QAction("&Override the engine…", self)
        self.override_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.override_action.triggered.connect(lambda: _click(self.decision.override_button))
        self.override_action.setVisible(self.is_admin)
        edit_menu.addAction(self.override_action)

        self.view_menu = self.menuBar().addMenu("&View")
        for text, key, widget in (
            ("&Councils", "Ctrl+1", self.grid.table),
            ("&Responses", "Ctrl+2", self.matrix.table),
            ("&Decision", "Ctrl+3", self.decision.table),
        ):
            self.add_view_action(text, key, widget)
        self.view_menu.addSeparator()
        self.reset_layout_action = QAction("Reset &layout", self)
        self.reset_layout_action.setShortcut(QKeySequence("Ctrl+0"))
        self.reset_layout_action.triggered.connect(self.reset_layout)
        self.view_menu.addAction(self.reset_layout_action)

        self.tools_menu = self.menuBar().addMenu("&Tools")
        self.tools_menu.menuAction().setVisible(False)  # until a tool is added
        self.help_menu = self.menuBar().addMenu("&Help")
        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.help_menu.addAction(self.shortcuts_action)

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts, generated from the menus as they are now."""
        dialog = ShortcutsDialog(self.actions_with_shortcuts(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _install_views(self) -> None:
        """Issue 9's views, one line each (they build on the controller and this shell).

        Order matters only for the View menu and the page tabs. Each view reaches the
        cache through ``self.controller`` and its task manager, never on the GUI thread.
        """
        self.overlay = TimeZoneOverlay()
        self.add_detail_tab(self.overlay, "&Time zones", "Ctrl+4")
        self.dashboard = Dashboard(self.controller.tasks, self.controller.cache)
        self.add_page(self.dashboard, "Dash&board", "Ctrl+5")
        self.controller.summaries_loaded.connect(self.dashboard.cache_changed)
        self.controller.summaries_changed.connect(self.dashboard.cache_changed)
        self.alerts_panel = install_alerts(self)  # the right dock; Tools > Acknowledge
        self.planner = install_planner(self, "Ctrl+6")  # a page; Tools > Plan the week
        self.exports = install_export(self)  # File > Export: .ics, grid as CSV/XLSX

    def _name_controls(self) -> None:
        """Accessible names for the controls that carry no text of their own."""
        for widget, name in (
            (self.grid.table, "Councils"),
            (self.grid.search, "Search councils"),
            (self.matrix.table, "Responses: mentors by proposed slot"),
            (self.decision.table, "Decision: the slots ranked by the engine"),
            (self.bottom, "Responses and decision"),
        ):
            if not widget.accessibleName():
                widget.setAccessibleName(name)

    def _connect(self) -> None:
        c = self.controller
        c.summaries_loaded.connect(self._on_summaries_loaded)
        c.summaries_changed.connect(self._on_summaries_changed)
        c.analysis_ready.connect(self._on_analysis_ready)
        c.status_changed.connect(self._on_status_changed)
        c.write_failed.connect(self._on_write_failed)
        c.write_conflict.connect(self._on_write_conflict)
        c.auth_expired.connect(self._on_auth_expired)
        c.message.connect(lambda text: self.status.showMessage(text, 8000))
        c.tasks.failed.connect(lambda what, exc: self.status.showMessage(f"{what}: {exc}", 8000))
        c.tasks.progress.parent_widget = self
        self.grid.council_selected.connect(self._on_council_selected)
        self.matrix.nudge_requested.connect(self._on_nudge)
        self.decision.nudge_requested.connect(self._on_nudge)
        self.decision.confirm_requested.connect(self._on_confirm)
        self.decision.override_requested.connect(self._on_override)

    # --- settings -----------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        for key, splitter in (("window/splitter", self.splitter), ("window/bottom", self.bottom)):
            state = s.value(key)
            if isinstance(state, QByteArray) and not state.isEmpty():
                splitter.restoreState(state)
            else:
                self._split_pending = True
        state = s.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        else:
            self._dock_pending = True
        self._state_restored = True
        for key, tabs in (("window/page", self.pages), ("window/details", self.details)):
            index = _int_or_none(s.value(key))
            if index is not None and 0 <= index < tabs.count():
                tabs.setCurrentIndex(index)
        self.grid.restore_header_state(s.value("grid/header"))
        self._restore_selection = _int_or_none(s.value("grid/selected"))

    def _default_split(self, splitter: QSplitter) -> None:
        """42 % grid / 58 % panes; 60 % matrix / 40 % decision (of the current size)."""
        if splitter is self.splitter:
            total = max(self.height(), 400)
            splitter.setSizes([int(total * 0.42), int(total * 0.58)])
        else:
            total = max(self.width(), 600)
            splitter.setSizes([int(total * 0.6), int(total * 0.4)])
        self._split_pending = False

    def _default_dock_width(self) -> None:
        """The alerts dock at :data:`DOCK_SHARE` of the window (within
        :data:`DOCK_WIDTHS`); the councils page keeps its minimum, so on a narrow screen
        the dock gets what is left. Applied once the window is shown (before, the dock
        area has no size to give)."""
        dock = self.alerts_dock
        if dock is None or not self.isVisible():
            self._dock_pending = True
            return
        self._dock_pending = False
        if dock.isFloating() or dock.isHidden():
            return
        low, high = DOCK_WIDTHS
        width = max(low, min(high, int(self.width() * DOCK_SHARE)))
        self.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._split_pending:  # no saved layout: split the real window size
            self._default_split(self.splitter)
            self._default_split(self.bottom)
        if self._dock_pending:  # no saved layout: give the alerts dock a readable width
            self._default_dock_width()

    def reset_layout(self) -> None:
        """The layout of a first start (window size kept): splitters, columns, sort, the
        Councils page with its first detail tab, the alerts dock on the right."""
        self._default_split(self.splitter)
        self._default_split(self.bottom)
        self.grid.reset_columns()
        self.pages.setCurrentIndex(0)
        self.details.setCurrentIndex(0)
        if self.alerts_dock is not None:
            self.alerts_dock.setFloating(False)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.alerts_dock)
            self.alerts_dock.show()
            self._default_dock_width()

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/bottom", self.bottom.saveState())
        s.setValue("window/state", self.saveState())
        s.setValue("window/page", self.pages.currentIndex())
        s.setValue("window/details", self.details.currentIndex())
        s.setValue("grid/header", self.grid.header_state())
        selected = self.grid.selected_id()
        s.setValue("grid/selected", "" if selected is None else selected)
        s.sync()

    # --- slots --------------------------------------------------------------------

    def _on_summaries_loaded(self, summaries: list[dict[str, Any]]) -> None:
        selected = self.grid.selected_id()
        self.grid_model.set_summaries(summaries)
        target = selected if self._loaded else self._restore_selection
        first_load = not self._loaded
        self._loaded = self._loaded or bool(summaries)
        if target is not None and self.grid.selected_id() != target:
            self.grid.select_council(target)
        if first_load and self.grid.selected_id() is None and self.grid_model.rowCount():
            # A first start opens on the most urgent council rather than empty panes.
            self.grid.select_council(self.grid_model.council_id(0))

    def _on_summaries_changed(self, summaries: list[dict[str, Any]]) -> None:
        for summary in summaries:
            self.grid_model.upsert(summary)

    def _on_council_selected(self, council_id: int | None) -> None:
        self.controller.select(council_id)

    def _on_analysis_ready(self, analysis: CouncilAnalysis | None) -> None:
        self.matrix.set_analysis(analysis)
        self.decision.set_analysis(analysis)
        self.overlay.set_analysis(analysis)

    def _on_status_changed(self, status: SyncStatus) -> None:
        self.status.set_status(status)

    def _queue(self, write: Write, label: str) -> None:
        def queued(row_id: int) -> None:
            self.undo_stack.push(
                OutboxCommand(self.controller, self.undo_stack, write, row_id, label, self._say)
            )
            self._say(f"{label}: queued (Edit > Undo takes it back until it is sent)")

        self.controller.queue(write, queued)

    def _say(self, text: str) -> None:
        self.status.showMessage(text, 8000)

    def _on_nudge(self, council_id: int, mentor_id: int) -> None:
        name = f"mentor {mentor_id}"
        analysis = self.decision.analysis
        if analysis is not None and analysis.council_id == council_id:
            name = analysis.name(str(mentor_id))
        self._queue(writes.remind(council_id, mentor_ids=[mentor_id]), f"Remind {name}")

    def _on_confirm(self, council_id: int, slot_id: int, mentor_ids: list[int]) -> None:
        self._queue(writes.confirm(council_id, slot_id, mentor_ids), "Confirm the council")

    def _on_override(self, council_id: int) -> None:
        analysis = self.decision.analysis
        if analysis is None or analysis.council_id != council_id or not self.is_admin:
            return
        dialog = OverrideDialog(analysis, self)
        self.active_dialog = dialog

        def finished(result: int) -> None:
            self.active_dialog = None
            if result != ACCEPTED:
                return
            write: Write = writes.override(
                council_id,
                dialog.reason_text,
                status="confirmed",
                slot_id=dialog.slot_id,
                mentor_ids=dialog.mentor_ids,
            )
            self._queue(write, "Override the engine")

        dialog.finished.connect(finished)
        dialog.open()

    def _on_write_failed(self, row: OutboxRow) -> None:
        detail = row.detail or "refused"
        fields = "".join(f"\n• {e.field}: {e.message}" for e in row.errors)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The platform refused a change",
            f"“{row.label}” was refused ({row.status}): {detail}{fields}\n\n"
            "Your change has been taken back; the council shows the platform's version.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("refusalBox")
        self.active_dialog = box
        box.finished.connect(lambda _r: self._dismissed(row))
        box.open()

    def _dismissed(self, row: OutboxRow) -> None:
        self.active_dialog = None
        self.controller.dismiss_failure(row)

    def _on_write_conflict(self, row: OutboxRow) -> None:
        dialog = ConflictDialog(row, self)
        self.active_dialog = dialog

        def finished(_result: int) -> None:
            self.active_dialog = None
            if dialog.choice is not None:
                self.controller.resolve_conflict(row, dialog.choice)

        dialog.finished.connect(finished)
        dialog.open()

    def _on_auth_expired(self) -> None:
        email = str(self.user.get("email", ""))
        dialog = LoginDialog(
            self.controller.tasks,
            self.controller.client,
            email,
            "Your sign-in has expired. Sign in again — your unsent changes are kept.",
            self,
        )
        self.active_dialog = dialog

        def finished(result: int) -> None:
            self.active_dialog = None
            if result == ACCEPTED and dialog.token:
                if self.credentials is not None:
                    self.credentials.save(dialog.email.text().strip(), dialog.token)
                self.controller.signed_in_again(dialog.token)
            else:
                self._say("Signed out: changes wait in the outbox until you sign in")

        dialog.finished.connect(finished)
        dialog.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing = True
        self.save_settings()
        self.closed.emit()
        super().closeEvent(event)


def _click(button: QAbstractButton) -> None:
    """A menu shortcut presses the panel's button only when the button itself could."""
    if button.isEnabled() and button.isVisible():
        button.click()


def _int_or_none(value: object) -> int | None:
    """A QSettings value (an INI file gives strings) as an int, or None."""
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None
