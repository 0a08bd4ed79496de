"""The real app against the real platform: grid contents, sort/filter/search through the
UI, a write by another client appearing live, the status bar, settings kept per user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from mentra_desktop.views.council_grid_model import DEADLINE, STATUS, TOPIC, IdRole, SortRole
from mentra_desktop.views.desktop import Desktop


def click_header(desktop: Desktop, column: int) -> None:
    header = desktop.window.grid.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    QTest.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def _column(desktop: Desktop, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list[Any]:
    model = desktop.window.grid_model
    return [model.index(r, column).data(role) for r in range(model.rowCount())]


def test_grid_shows_every_seeded_council_sorted_by_deadline(open_app: Any) -> None:
    desktop = open_app()
    model = desktop.window.grid_model
    assert model.rowCount() == 60
    assert model.sort_column == DEADLINE
    deadlines = _column(desktop, DEADLINE, SortRole)
    assert deadlines == sorted(deadlines)
    assert desktop.window.grid.count_label.text() == "60 councils"


def test_sort_filter_and_search_through_the_ui(qtbot: Any, open_app: Any) -> None:
    desktop = open_app()
    grid = desktop.window.grid
    click_header(desktop, TOPIC)
    assert desktop.window.grid_model.sort_column == TOPIC
    topics = [t.casefold() for t in _column(desktop, TOPIC)]
    assert topics in (sorted(topics), sorted(topics, reverse=True))

    grid.chips["confirmed"].click()
    assert set(_column(desktop, STATUS)) == {"Confirmed"}
    assert grid.count_label.text() == "14 of 60 councils"
    grid.chips["confirmed"].click()

    QTest.keyClicks(grid.search, "pricing")
    assert 0 < desktop.window.grid_model.rowCount() < 60
    assert all("pricing" in t.casefold() for t in _column(desktop, TOPIC))
    QTest.keyClick(grid.search, Qt.Key.Key_Escape)
    assert desktop.window.grid_model.rowCount() == 60


def test_keyboard_only(qtbot: Any, open_app: Any) -> None:
    desktop = open_app()
    window, grid = desktop.window, desktop.window.grid
    window.activateWindow()
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert grid.search.hasFocus()
    QTest.keyClicks(grid.search, "seed")
    QTest.keyClick(grid.search, Qt.Key.Key_Down)
    assert grid.table.hasFocus()
    first = grid.selected_id()
    assert first is not None
    with qtbot.waitSignal(desktop.controller.analysis_ready, timeout=5000) as blocker:
        QTest.keyClick(grid.table, Qt.Key.Key_Down)
    assert blocker.args[0].council_id == grid.selected_id() != first


def test_a_write_by_another_client_updates_its_row_in_place(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    qtbot.waitUntil(lambda: desktop.controller.state == "online", timeout=10_000)
    grid, model = desktop.window.grid, desktop.window.grid_model
    row = 7
    council_id = model.council_id(row)
    grid.select_council(council_id)
    scroll = grid.table.verticalScrollBar().value()
    changes: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, roles=(): changes.append((a.row(), a.column(), b.row(), b.column()))
    )
    with platform.http() as other:
        doc = other.get(f"/api/v1/councils/{council_id}")
        response = other.patch(
            f"/api/v1/councils/{council_id}",
            json={"topic": "Renamed by another coordinator"},
            headers={"If-Match": doc.headers["ETag"]},
        )
        assert response.status_code == 200, response.text
    qtbot.waitUntil(
        lambda: model.index(row, TOPIC).data() == "Renamed by another coordinator", timeout=10_000
    )
    assert (row, 0, row, 7) in changes  # one ranged change for the row
    assert model.index(row, TOPIC).data(IdRole) == council_id  # it stayed where it was
    assert grid.selected_id() == council_id
    assert grid.table.verticalScrollBar().value() == scroll
    status = desktop.window.status
    qtbot.waitUntil(lambda: status.last_change_label.text().startswith("Last change"))


def test_status_bar_says_online_and_nothing_waiting(qtbot: Any, open_app: Any) -> None:
    desktop = open_app()
    status = desktop.window.status
    qtbot.waitUntil(lambda: status.state_label.text() == "● Online", timeout=10_000)
    assert status.waiting_label.text() == "No writes waiting"
    assert status.last_change_label.text().startswith("Last change")


def test_layout_and_selection_are_remembered(qtbot: Any, open_app: Any) -> None:
    first = open_app(stream=False)
    window = first.window
    window.resize(760, 620)  # inside the offscreen screen (800×800): restore clamps to it
    click_header(first, TOPIC)
    window.grid.table.setColumnWidth(TOPIC, 333)
    window.splitter.setSizes([200, 480])
    chosen = window.grid_model.council_id(11)
    window.grid.select_council(chosen)
    size = window.size()
    first.close()

    second = open_app(stream=False)
    window = second.window
    assert window.grid_model.sort_column == TOPIC
    assert window.grid.table.columnWidth(TOPIC) == 333
    assert window.size() == size
    qtbot.waitUntil(lambda: window.grid.selected_id() == chosen, timeout=5000)
    assert window.splitter.sizes()[0] < window.splitter.sizes()[1]
