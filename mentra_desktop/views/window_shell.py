"""WindowShell: the main window's pages, tabs, dock and menus that later views plug into.

:class:`~mentra_desktop.views.main_window.MainWindow` builds the widgets and menus these
methods fill (``pages``, ``details``, ``view_menu``, ``export_menu``, ``tools_menu``,
``help_menu``); a view installs itself with one call — a page, a detail tab, the alerts
dock, an export or a tool action — and gets a View-menu shortcut that :meth:`reveal`
switches to. :meth:`actions_with_shortcuts` is what Help > Keyboard shortcuts lists.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QTabWidget, QWidget

from mentra_desktop.views.council_grid_view import CouncilGridView


class WindowShell(QMainWindow):
    """The extension points (see the module docstring); no widgets of its own."""

    pages: QTabWidget
    details: QTabWidget
    grid: CouncilGridView
    view_menu: QMenu
    export_menu: QMenu
    tools_menu: QMenu
    help_menu: QMenu
    alerts_dock: QDockWidget | None
    base_title: str
    _state_restored: bool

    def add_view_action(self, text: str, key: str, widget: QWidget) -> QAction:
        """A View menu entry with shortcut ``key`` that reveals ``widget`` (switching
        pages and tabs, showing its dock) and gives it the keyboard focus."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, w=widget: self.reveal(w, focus=True))
        self.view_menu.addAction(action)
        return action

    def add_page(self, widget: QWidget, title: str, key: str | None = None) -> QAction | None:
        """A top-level page after the existing ones; with ``key``, a View menu entry.
        ``title`` may carry a ``&`` mnemonic (the tab shows it without)."""
        self.pages.addTab(widget, title.replace("&", ""))
        return self.add_view_action(title, key, widget) if key else None

    def add_detail_tab(self, widget: QWidget, title: str, key: str | None = None) -> QAction | None:
        """A tab beside “Responses & decision” under the council grid (about the selected
        council); with ``key``, a View menu entry."""
        self.details.addTab(widget, title.replace("&", ""))
        return self.add_view_action(title, key, widget) if key else None

    def add_alerts_panel(self, widget: QWidget, key: str = "Ctrl+7") -> QDockWidget:
        """Put ``widget`` in the right-hand dock (object name ``alertsDock``, so its
        place and visibility are remembered); its toggle goes into the View menu."""
        dock = QDockWidget("Alerts", self)
        dock.setObjectName("alertsDock")
        dock.setWidget(widget)
        dock.setAllowedAreas(
            Qt.DockWidgetArea.RightDockWidgetArea | Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        toggle = dock.toggleViewAction()
        toggle.setText("&Alerts panel")
        toggle.setShortcut(QKeySequence(key))
        self.view_menu.addAction(toggle)
        self.alerts_dock = dock
        if self.isVisible() or self._state_restored:
            self.restoreDockWidget(dock)
        return dock

    def add_export_action(self, action: QAction) -> None:
        """An entry of File > Export (the submenu shows once it has one)."""
        self.export_menu.addAction(action)
        self.export_menu.menuAction().setVisible(True)

    def add_tool_action(self, action: QAction) -> None:
        """An entry of the Tools menu (the menu shows once it has one)."""
        self.tools_menu.addAction(action)
        self.tools_menu.menuAction().setVisible(True)

    def add_help_action(self, action: QAction) -> None:
        self.help_menu.addAction(action)

    def set_unread_alerts(self, count: int) -> None:
        """The window title carries the number of unread alerts: ``(3) Mentra …``."""
        self.setWindowTitle(f"({count}) {self.base_title}" if count > 0 else self.base_title)

    def reveal(self, widget: QWidget, focus: bool = False) -> None:
        """Make ``widget`` visible: the page and detail tab holding it become current and
        a dock holding it is shown and raised."""
        child: QWidget | None = widget
        while child is not None and child is not self:
            for tabs in (self.pages, self.details):
                if tabs.indexOf(child) >= 0:
                    tabs.setCurrentWidget(child)
            if isinstance(child, QDockWidget):
                child.show()
                child.raise_()
            child = child.parentWidget()
        if focus:
            widget.setFocus()

    def show_council(self, council_id: int) -> bool:
        """Jump to ``council_id``: the Councils page, its row selected (False when the
        grid's filter hides it or it is not in the cache)."""
        self.reveal(self.grid.table)
        return self.grid.select_council(council_id)

    def actions_with_shortcuts(self) -> list[tuple[str, QAction]]:
        """Every visible action of the menu bar that has a shortcut, as ``(menu path,
        action)``, in menu order (the Help > Keyboard shortcuts dialog lists these)."""
        found: list[tuple[str, QAction]] = []

        def walk(menu: QMenu, path: str) -> None:
            for action in menu.actions():
                sub = action.menu()
                if not action.isVisible():
                    continue
                if isinstance(sub, QMenu):
                    walk(sub, f"{path} › {sub.title().replace('&', '')}")
                elif not action.isSeparator() and not action.shortcut().isEmpty():
                    found.append((path, action))

        for top in self.menuBar().actions():
            menu = top.menu()
            if isinstance(menu, QMenu):
                walk(menu, menu.title().replace("&", ""))
        return found
