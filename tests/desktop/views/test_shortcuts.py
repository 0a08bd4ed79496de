"""The finish of the window, against the real platform: a shortcut for every menu action,
listed in Help from the actions themselves; page shortcuts; the palette following the
system's light/dark scheme; accessible names on every control; pages and tabs remembered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenu,
    QWidget,
)

from mentra_desktop.views.app import stylesheet
from mentra_desktop.views.council_analysis import analyse
from mentra_desktop.views.decision_panel import CONFIRMABLE
from mentra_desktop.views.palette import DARK_QSS, apply_color_scheme
from mentra_desktop.views.shortcuts import ShortcutsDialog, shortcut_rows


def _menu_actions(window: Any) -> list[QAction]:
    found: list[QAction] = []

    def walk(menu: QMenu) -> None:
        for action in menu.actions():
            sub = action.menu()
            if isinstance(sub, QMenu):
                walk(sub)
            elif not action.isSeparator() and action.isVisible():
                found.append(action)

    for top in window.menuBar().actions():
        if isinstance(top.menu(), QMenu):
            walk(top.menu())
    return found


def test_every_menu_action_has_a_distinct_shortcut_listed_in_help(
    qtbot: Any, open_app: Any
) -> None:
    desktop = open_app(stream=False)
    window = desktop.window
    actions = _menu_actions(window)
    assert len(actions) >= 15
    missing = [a.text() for a in actions if a.shortcut().isEmpty()]
    assert not missing, f"menu actions without a shortcut: {missing}"
    keys = [k.toString() for a in actions for k in a.shortcuts()]
    assert len(keys) == len(set(keys)), sorted(keys)

    # A tool added later appears too: the list is generated, not typed.
    late = QAction("Frobnicate", window)
    late.setShortcut(QKeySequence("Ctrl+Alt+F"))
    window.add_tool_action(late)
    _press(qtbot, window, Qt.Key.Key_F1)
    dialog = qtbot.waitUntil(lambda: _open_dialog(window) is not None) or _open_dialog(window)
    assert isinstance(dialog, ShortcutsDialog)
    model = dialog.model
    rows = {
        model.index(r, 0).data(): (model.index(r, 1).data(), model.index(r, 2).data())
        for r in range(model.rowCount())
    }
    assert model.rowCount() == len(actions) + 1
    assert rows["Frobnicate"] == ("Ctrl+Alt+F", "Tools")
    assert rows["Keyboard shortcuts"] == ("F1, Ctrl+/", "Help")
    assert rows["Time zones"] == ("Ctrl+4", "View")
    assert rows["Sync now"][0] == QKeySequence(QKeySequence.StandardKey.Refresh).toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert [r.action for r in shortcut_rows(window.actions_with_shortcuts())] == [
        r.action for r in model.rows
    ]
    dialog.reject()


def _open_dialog(window: Any) -> ShortcutsDialog | None:
    found = window.findChild(ShortcutsDialog)
    return found if isinstance(found, ShortcutsDialog) and found.isVisible() else None


def test_page_shortcuts_reveal_their_views(qtbot: Any, open_app: Any) -> None:
    window = open_app(stream=False).window
    _press(qtbot, window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 0
    assert window.details.currentWidget() is window.overlay
    _press(qtbot, window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.dashboard
    _press(qtbot, window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 0
    assert window.details.currentIndex() == 0 and window.matrix.table.hasFocus()


def test_palette_follows_the_system_scheme(qtbot: Any, open_app: Any) -> None:
    window = open_app(stream=False).window
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light_base = window.overlay.palette().color(QPalette.ColorRole.Base)
    try:
        # The platform reports a dark scheme (offscreen cannot switch it: emit its signal).
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
        qtbot.waitUntil(lambda: app.property("mentraDark") is True)
        base = window.overlay.palette().color(QPalette.ColorRole.Base)
        assert base.lightness() < 60 < light_base.lightness()
        assert window.overlay.plot.backgroundBrush().color() == base
        assert window.dashboard.phase_card.plot.backgroundBrush().color() == base
        assert "#ffffff" not in app.styleSheet().lower()
        assert DARK_QSS["#ffffff"] in app.styleSheet()
        window.grab()  # paints without a warning
    finally:
        app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
        apply_color_scheme(app, stylesheet(), False)
    assert app.property("mentraDark") is False
    assert window.overlay.plot.backgroundBrush().color() == light_base


def test_every_control_has_an_accessible_name(qtbot: Any, open_app: Any) -> None:
    window = open_app(stream=False).window
    for page in range(window.pages.count()):
        window.pages.setCurrentIndex(page)
        for tab in range(window.details.count()):
            window.details.setCurrentIndex(tab)
            unnamed = [
                f"{type(w).__name__}:{w.objectName()}"
                for w in window.findChildren(QWidget)
                if _is_control(w) and w.isVisible() and not _name(w)
            ]
            assert not unnamed, f"page {page}, tab {tab}: {unnamed}"


def _is_control(widget: QWidget) -> bool:
    if widget.objectName().startswith("qt_"):
        return False  # Qt's own parts (a spin box's line edit): their owner carries the name
    return (
        isinstance(
            widget, QAbstractButton | QLineEdit | QAbstractItemView | QComboBox | QAbstractSpinBox
        )
        and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
    )


def _name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return widget.accessibleName() or text.replace("&", "").strip()


def test_confirm_shortcut_presses_confirm_only_when_it_could(qtbot: Any, open_app: Any) -> None:
    desktop = open_app(stream=False)
    window = desktop.window
    panel = window.decision
    now = datetime.now(UTC)
    ready = blocked = None
    for doc in desktop.cache.documents():
        a = analyse(doc, now)
        if a.decision is None or not a.is_open:
            continue
        if a.decision.status.value == "confirmed" and a.status in CONFIRMABLE and ready is None:
            ready = a.council_id
        elif a.decision.slot is None and blocked is None:
            blocked = a.council_id
    assert ready is not None and blocked is not None
    for council_id in (blocked, ready):
        window.grid.select_council(council_id)
        qtbot.waitUntil(
            lambda c=council_id: panel.analysis is not None and panel.analysis.council_id == c
        )
        assert panel.confirm_button.isEnabled() == (council_id == ready)
        _press(qtbot, window, Qt.Key.Key_Return, _CTRL_SHIFT)
        if council_id == blocked:
            qtbot.wait(50)
            assert window.undo_stack.count() == 0  # nothing was queued
    qtbot.waitUntil(lambda: window.undo_stack.count() == 1)
    assert window.undo_stack.text(0) == "Confirm the council"


def test_pages_and_tabs_are_remembered(qtbot: Any, open_app: Any) -> None:
    first = open_app(stream=False)
    first.window.reveal(first.window.overlay)
    first.window.reveal(first.window.dashboard)
    first.close()
    window = open_app(stream=False).window
    assert window.pages.currentWidget() is window.dashboard
    assert window.details.currentWidget() is window.overlay


_CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def _press(
    qtbot: Any,
    window: Any,
    key: Qt.Key,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    """A shortcut typed at the window. QTest leaves the application's modifier state held
    when a shortcut eats the key, which would turn the next test's clicks into Ctrl+clicks;
    releasing the modifier keys afterwards clears it."""
    qtbot.keyClick(window, key, modifiers)
    for held in (Qt.Key.Key_Control, Qt.Key.Key_Shift):
        qtbot.keyRelease(window, held)
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
