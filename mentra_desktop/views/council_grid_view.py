"""CouncilGridView: the council table with a search box and status filter chips.

Keyboard: Ctrl+F (Edit > Find) or / focuses the search, Escape clears it, Down moves from the
search into the table; arrows, Page Up/Down, Home/End move through councils; each chip
is a checkable button in the tab order (Space toggles). The selection survives sorting
(the model moves persistent indexes) and filtering (restored by council id around the
model reset); a countdown tick and stream updates never disturb it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.views import palette
from mentra_desktop.views.council_grid_model import (
    ANSWERS,
    BEST,
    DEADLINE,
    LEAD,
    MENTEE,
    STATUS,
    TOPIC,
    CouncilGridModel,
)
from mentra_desktop.views.status_chip_delegate import StatusChipDelegate

TICK_MS = 30_000
"""How often the countdowns repaint."""

CHIPS = ("collecting", "selecting", "needs_alternatives", "rescheduling", "draft", "confirmed")
_WIDTHS = {TOPIC: 255, MENTEE: 95, STATUS: 160, ANSWERS: 70, DEADLINE: 140, LEAD: 125, BEST: 205}


class _SearchBox(QLineEdit):
    """Escape clears; Down hands focus to the table."""

    def __init__(self, table: QTableView) -> None:
        super().__init__()
        self._table = table

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            return
        if event.key() == Qt.Key.Key_Down:
            table = self._table
            table.setFocus()
            if not table.selectionModel().hasSelection() and table.model().rowCount():
                current = table.currentIndex()
                table.selectRow(current.row() if current.isValid() else 0)
            return
        super().keyPressEvent(event)


class CouncilGridView(QWidget):
    """Search + chips + table over a :class:`CouncilGridModel`."""

    council_selected = Signal(object)
    """The selected council id, or ``None`` when nothing is selected."""

    def __init__(self, model: CouncilGridModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("councilGrid")
        self.search = _SearchBox(self.table)
        self.search.setObjectName("councilSearch")
        self.search.setPlaceholderText("Search topic, mentee, lead, status…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.chips: dict[str, QPushButton] = {}
        self.count_label = QLabel()
        self.count_label.setObjectName("gridCount")
        self._resetting = False
        self._selected_before_reset: int | None = None
        self._emitted: int | None = None
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(model.tick)
        self._timer.start()

    def _build(self) -> None:
        table, model = self.table, self.model
        table.setModel(model)
        table.setItemDelegateForColumn(STATUS, StatusChipDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setSortIndicator(model.sort_column, model.sort_order)
        table.setSortingEnabled(True)  # after the indicator: enabling sorts by it
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSectionsMovable(True)
        self.reset_columns()
        table.setTabKeyNavigation(False)
        table.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        model.modelAboutToBeReset.connect(self._on_model_about_to_be_reset)
        model.modelReset.connect(self._on_model_reset)
        model.rowsInserted.connect(self._update_count)
        model.rowsRemoved.connect(self._update_count)
        model.dataChanged.connect(self._on_data_changed)
        self.search.textChanged.connect(self._on_filter_changed)

        chips = QHBoxLayout()
        chips.setSpacing(6)
        for status in CHIPS:
            chips.addWidget(self._chip(status, palette.status_swatch(status).label))
        chips.addWidget(self._chip("risk", "⚠ At risk"))
        chips.addStretch(1)
        chips.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addLayout(chips)
        layout.addWidget(table, 1)

        # Ctrl+F is the main window's Edit > Find; "/" works wherever the grid is.
        slash = QShortcut(QKeySequence("/"), self)
        slash.setContext(Qt.ShortcutContext.WindowShortcut)
        slash.activated.connect(self.focus_search)
        self._update_count()

    def _chip(self, key: str, label: str) -> QPushButton:
        chip = QPushButton(label)
        chip.setObjectName("chip")
        chip.setProperty("status", key)
        chip.setCheckable(True)
        chip.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        chip.setToolTip(
            "Only councils at risk" if key == "risk" else f"Show only {label.lower()} councils"
        )
        chip.toggled.connect(self._on_filter_changed)
        self.chips[key] = chip
        return chip

    # --- public -------------------------------------------------------------------

    def selected_id(self) -> int | None:
        current = self.table.selectionModel().currentIndex()
        if not current.isValid() or not self.table.selectionModel().isRowSelected(
            current.row(), QModelIndex()
        ):
            return None
        return self.model.council_id(current.row())

    def select_council(self, council_id: int | None) -> bool:
        """Select and reveal ``council_id``; False when it is not shown."""
        row = self.model.row_of(council_id) if council_id is not None else None
        if row is None:
            return False
        index = self.model.index(row, TOPIC)
        self.table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.table.scrollTo(index)
        return True

    def reset_columns(self) -> None:
        """Default column order, widths and sort (deadline, soonest first)."""
        header = self.table.horizontalHeader()
        for column in range(header.count()):
            header.moveSection(header.visualIndex(column), column)
            header.showSection(column)
        for column, width in _WIDTHS.items():
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(DEADLINE, Qt.SortOrder.AscendingOrder)

    def header_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    def restore_header_state(self, state: Any) -> None:
        if isinstance(state, QByteArray) and not state.isEmpty():
            header = self.table.horizontalHeader()
            header.restoreState(state)
            self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())

    def stop(self) -> None:
        self._timer.stop()

    # --- slots --------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _on_filter_changed(self, *_: object) -> None:
        statuses = [s for s in CHIPS if self.chips[s].isChecked()]
        self.model.set_filter(self.search.text(), statuses, self.chips["risk"].isChecked())

    def _on_model_about_to_be_reset(self) -> None:
        self._resetting = True
        self._selected_before_reset = self.selected_id()

    def _on_model_reset(self) -> None:
        self._resetting = False
        self._update_count()
        self.select_council(self._selected_before_reset)
        if self.selected_id() is None:
            self._emit(None)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._resetting:
            return
        self._emit(self.model.council_id(current.row()) if current.isValid() else None)

    def _emit(self, council_id: int | None) -> None:
        if council_id != self._emitted:
            self._emitted = council_id
            self.council_selected.emit(council_id)

    def _on_data_changed(self, first: QModelIndex, _last: QModelIndex, *_: object) -> None:
        if first.column() <= STATUS:  # a council changed (not just the clock)
            self._update_count()

    def _update_count(self, *_: object) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        self.count_label.setText(
            f"{total:,} councils" if shown == total else f"{shown:,} of {total:,} councils"
        )
        counts = self.model.counts_by_status()
        for status in CHIPS:
            label = palette.status_swatch(status).label
            self.chips[status].setText(f"{label} {counts.get(status, 0)}")
