"""ExportActions: File > Export — the selected council or a date range as ``.ics``, the grid
as CSV or XLSX — over the Qt-free :mod:`mentra_desktop.export`.

Each action asks for a file (a window-modal :class:`QFileDialog` opened with ``open()``,
never a nested event loop), then runs the export on the task manager's ``db`` worker with
progress (busy cursor, then a dialog for anything long), and says in the status bar what
was written or why not. The grid export takes the rows the grid shows — its filter and
order — as they are at the moment of the click. Calendar events carry the platform's
invite UIDs for this platform's host (:func:`~mentra_desktop.models.calendar_invite.council_uid`).
The last folder used is remembered (QSettings ``export/dir``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, QObject, QStandardPaths
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from mentra_desktop.export.ical import IcsOptions, NotExportable, build_calendar, select_confirmed
from mentra_desktop.export.tabular import Format, export_grid, write_bytes
from mentra_desktop.export.zones import coordinator_zone
from mentra_desktop.views.export_range_dialog import ExportRangeDialog
from mentra_desktop.views.taskman import Op, Report

if TYPE_CHECKING:
    from mentra_desktop.views.main_window import MainWindow

FILTERS = {
    "ics": "Calendar (*.ics)",
    "csv": "CSV, UTF-8 (*.csv)",
    "xlsx": "Excel workbook (*.xlsx)",
}
SHORTCUTS = {
    "council": "Ctrl+E",
    "range": "Ctrl+Shift+E",
    "csv": "Ctrl+Shift+C",
    "xlsx": "Ctrl+Shift+X",
}


class ExportActions(QObject):
    """Adds the export actions to ``window`` (its File > Export menu)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = window.controller
        self.zone = coordinator_zone()
        self.dialog: QDialog | None = None
        self.council_action = self._action(
            "&Council as calendar (.ics)…",
            "council",
            self._on_export_council,
            "The selected confirmed council as a calendar event",
        )
        self.range_action = self._action(
            "Confirmed councils in a &date range (.ics)…",
            "range",
            self._on_export_range,
            "Every confirmed council meeting between two days, in one calendar file",
        )
        self.csv_action = self._action(
            "Council &grid as CSV…",
            "csv",
            lambda: self._on_export_grid("csv"),
            "The councils the grid shows, filtered and sorted as shown",
        )
        self.xlsx_action = self._action(
            "Council grid as &Excel (.xlsx)…",
            "xlsx",
            lambda: self._on_export_grid("xlsx"),
            "The councils the grid shows, filtered and sorted as shown",
        )
        window.grid.council_selected.connect(self._update_council_action)
        # Bound slots (not lambdas): Qt drops the connections when this object goes.
        self.controller.summaries_changed.connect(self._update_council_action)
        self.controller.summaries_loaded.connect(self._update_council_action)
        self._update_council_action()

    def _action(self, text: str, key: str, slot: Callable[[], None], tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(f"export_{key}")
        action.setShortcut(QKeySequence(SHORTCUTS[key]))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.window.add_export_action(action)
        return action

    # --- state ------------------------------------------------------------------------

    def _selected_confirmed(self) -> int | None:
        council_id = self.window.grid.selected_id()
        if council_id is None:
            return None
        summary = self.window.grid_model.summary(council_id)
        return council_id if summary is not None and summary["status"] == "confirmed" else None

    def _update_council_action(self, *_: object) -> None:
        ok = self._selected_confirmed() is not None
        self.council_action.setEnabled(ok)
        self.council_action.setStatusTip(
            "The selected confirmed council as a calendar event"
            if ok
            else "Select a confirmed council to export it as a calendar event"
        )

    def _say(self, text: str) -> None:
        self.window.status.showMessage(text, 10000)

    def _options(self) -> IcsOptions:
        return IcsOptions(public_url=self.controller.client.base_url)

    def grid_rows(self) -> list[Mapping[str, Any]]:
        """The grid's rows as shown: its filter and order, at this moment."""
        model = self.window.grid_model
        rows = []
        for row in range(model.rowCount()):
            summary = model.summary(model.council_id(row))
            if summary is not None:
                rows.append(summary)
        return rows

    # --- file choice ------------------------------------------------------------------

    def _folder(self) -> str:
        stored = self.window.settings.value("export/dir")
        if isinstance(stored, str) and stored and QDir(stored).exists():
            return stored
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        return documents or QDir.homePath()

    def _choose_file(self, fmt: str, name: str, then: Callable[[Path], None]) -> QFileDialog:
        dialog = QFileDialog(self.window, "Export to", str(Path(self._folder()) / name))
        dialog.setObjectName("exportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter(FILTERS[fmt])
        dialog.setDefaultSuffix(fmt)
        self.dialog = dialog

        def chosen(path: str) -> None:
            self.dialog = None
            target = Path(path)
            self.window.settings.setValue("export/dir", str(target.parent))
            then(target)

        dialog.fileSelected.connect(chosen)
        dialog.rejected.connect(lambda: setattr(self, "dialog", None))
        dialog.open()
        return dialog

    # --- the exports ------------------------------------------------------------------

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Export failed",
                f"{what} could not be written: {exc}",
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setObjectName("exportFailedBox")
            self.dialog = None
            box.open()
            self._say(f"Export failed: {exc}")

        return failed

    def _on_export_council(self) -> None:
        council_id = self._selected_confirmed()
        if council_id is None:
            self._say("Select a confirmed council to export it as a calendar event")
            return
        self._choose_file(
            "ics", f"council-{council_id}.ics", lambda p: self.export_council(council_id, p)
        )

    def export_council(self, council_id: int, path: Path) -> None:
        """Write council ``council_id`` (from the cache) to ``path`` as ``.ics``."""
        cache, options = self.controller.cache, self._options()

        def work(report: Report) -> int:
            doc = cache.document(council_id)
            if doc is None:
                raise NotExportable(f"council {council_id} is not in the local cache")
            write_bytes(path, build_calendar([doc], options, datetime.now(UTC), report))
            return 1

        Op(
            self.controller.tasks,
            work,
            lambda _n: self._say(f"Council {council_id} written to {path}"),
            "export a council",
        ).with_progress("Exporting the council").failure(self._failed(path.name)).run("db")

    def _on_export_range(self) -> None:
        today = datetime.now(self.zone).date()
        dialog = ExportRangeDialog(today, self.zone.key, self.window)
        self.dialog = dialog

        def finished(result: int) -> None:
            self.dialog = None
            if result == QDialog.DialogCode.Accepted.value:
                first, last = dialog.first, dialog.last
                name = f"councils-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.ics"
                self._choose_file("ics", name, lambda p: self.export_range(first, last, p))

        dialog.finished.connect(finished)
        dialog.open()

    def export_range(self, first: date, last: date, path: Path) -> None:
        """Confirmed councils starting on ``first``..``last`` (the coordinator's days) to
        ``path`` as one ``.ics``."""
        cache, options, zone = self.controller.cache, self._options(), self.zone
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(last + timedelta(days=1), time(), zone)

        def work(report: Report) -> int:
            docs = select_confirmed(cache.documents(cache.ids(statuses=["confirmed"])), start, end)
            write_bytes(path, build_calendar(docs, options, datetime.now(UTC), report))
            return len(docs)

        def done(count: int) -> None:
            self._say(
                f"{count} confirmed council(s) from {first:%d %b} to {last:%d %b %Y} "
                f"written to {path}"
            )

        Op(self.controller.tasks, work, done, "export councils").with_progress(
            "Exporting confirmed councils"
        ).failure(self._failed(path.name)).run("db")

    def _on_export_grid(self, fmt: Format) -> None:
        self._choose_file(fmt, f"councils.{fmt}", lambda p: self.export_grid(fmt, p))

    def export_grid(self, fmt: Format, path: Path) -> None:
        """The grid's rows as shown (:meth:`grid_rows`) to ``path`` as ``fmt``."""
        rows, zone = self.grid_rows(), self.zone

        def work(report: Report) -> int:
            return export_grid(rows, path, fmt, zone, datetime.now(UTC), report)

        Op(
            self.controller.tasks,
            work,
            lambda n: self._say(f"{n} council(s) written to {path}"),
            "export the grid",
        ).with_progress(f"Exporting {len(rows):,} councils").failure(self._failed(path.name)).run(
            "db"
        )


def install_export(window: MainWindow) -> ExportActions:
    """File > Export of ``window``: the council and date-range calendars, the grid as CSV
    and XLSX (shortcuts in :data:`SHORTCUTS`)."""
    return ExportActions(window)
