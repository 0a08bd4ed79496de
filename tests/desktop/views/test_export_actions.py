"""File > Export in the real app against the real platform: the grid as shown (filtered,
sorted) to CSV and XLSX, the selected council and a date range to .ics, through the file
dialogs, off the GUI thread; the council action only for a confirmed council."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import icalendar
import openpyxl
import pandas as pd
from PySide6.QtWidgets import QFileDialog

from mentra_desktop.views.export_range_dialog import ExportRangeDialog


def _save_as(qtbot: Any, exports: Any, path: Path, written: Path | None = None) -> None:
    """Answer the export's file dialog with ``path`` (as a user typing it would); wait for
    ``written`` (default: ``path``) to appear."""
    qtbot.waitUntil(lambda: isinstance(exports.dialog, QFileDialog), timeout=5000)
    dialog = exports.dialog
    assert dialog.isVisible() and dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    dialog.selectFile(str(path))
    dialog.accept()
    qtbot.waitUntil((written or path).exists, timeout=15_000)


def test_export_menu_grid_council_and_range(qtbot: Any, open_app: Any, tmp_path: Path) -> None:
    desktop = open_app(stream=False)
    window = desktop.window
    exports = window.exports
    menu = {a.objectName(): a for a in window.export_menu.actions()}
    assert set(menu) == {"export_council", "export_range", "export_csv", "export_xlsx"}
    assert all(not a.shortcut().isEmpty() for a in menu.values())
    assert window.export_menu.menuAction().isVisible()

    # The grid as shown: searched for "cohort 3", sorted by topic.
    window.grid.search.setText("cohort 3")
    qtbot.waitUntil(lambda: 0 < window.grid_model.rowCount() < 60, timeout=5000)
    window.grid.table.sortByColumn(0, window.grid_model.sort_order)
    model = window.grid_model
    shown = [model.council_id(r) for r in range(model.rowCount())]
    exports.csv_action.trigger()
    _save_as(qtbot, exports, tmp_path / "grid.csv")
    frame = pd.read_csv(tmp_path / "grid.csv", encoding="utf-8-sig")
    assert frame["Council"].tolist() == shown
    assert "Deadline (Europe/Berlin)" in frame.columns
    qtbot.waitUntil(lambda: "written to" in window.status.currentMessage(), timeout=5000)

    exports.xlsx_action.trigger()
    _save_as(qtbot, exports, tmp_path / "grid", tmp_path / "grid.xlsx")  # suffix added
    sheet = openpyxl.load_workbook(tmp_path / "grid.xlsx").active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == shown

    # The council action follows the selection: only a confirmed council has a session.
    window.grid.search.setText("")
    qtbot.waitUntil(lambda: model.rowCount() == 60, timeout=5000)
    summaries = [model.summary(model.council_id(r)) for r in range(60)]
    collecting = next(s["id"] for s in summaries if s["status"] == "collecting")
    confirmed = sorted(s["id"] for s in summaries if s["status"] == "confirmed")
    window.grid.select_council(collecting)
    qtbot.waitUntil(lambda: not exports.council_action.isEnabled(), timeout=5000)
    window.grid.select_council(confirmed[0])
    qtbot.waitUntil(exports.council_action.isEnabled, timeout=5000)
    exports.council_action.trigger()
    _save_as(qtbot, exports, tmp_path / "council.ics")
    (event,) = icalendar.Calendar.from_ical((tmp_path / "council.ics").read_bytes()).walk("VEVENT")
    assert str(event["uid"]) == f"council-{confirmed[0]}@127.0.0.1"

    # A range wide enough for every confirmed council, through the range dialog.
    exports.range_action.trigger()
    qtbot.waitUntil(lambda: isinstance(exports.dialog, ExportRangeDialog), timeout=5000)
    ranged = exports.dialog
    ranged.set_range(date(2027, 1, 2), date(2026, 1, 1))
    assert not ranged.ok.isEnabled() and "after the last" in ranged.error.text()
    ranged.set_range(date(2020, 1, 1), date(2035, 12, 31))
    assert ranged.ok.isEnabled()
    ranged.ok.click()
    _save_as(qtbot, exports, tmp_path / "range.ics")
    events = icalendar.Calendar.from_ical((tmp_path / "range.ics").read_bytes()).walk("VEVENT")
    assert sorted(int(str(e["uid"]).split("-")[1].split("@")[0]) for e in events) == confirmed
