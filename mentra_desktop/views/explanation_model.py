"""ExplanationModel: the engine's per-slot table for one council, ranked, with names.

One row per slot in rank order: when, whether it is feasible, who attends, every
other answer group, and the score with its parts (``score = answers + priority −
penalty``). Mentor ids are shown as names; the chosen slot's row is bold.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from mentra_desktop.scheduling.explanation import SlotRow
from mentra_desktop.views import palette, timefmt
from mentra_desktop.views.council_analysis import CouncilAnalysis

AnyIndex = QModelIndex | QPersistentModelIndex
COLUMNS = (
    "#",
    "Slot",
    "Feasible",
    "Score",
    "Attending",
    "Pending",
    "Tentative",
    "Partial",
    "Busy",
    "Unavailable",
    "Answers",
    "Priority",
    "Penalty",
)
(RANK, SLOT, FEASIBLE, SCORE, ATTENDING, PENDING, TENTATIVE, PARTIAL, BUSY, UNAVAILABLE,
 ANSWERS, PRIORITY, PENALTY) = range(len(COLUMNS))  # fmt: skip
_NUMERIC = frozenset({RANK, SCORE, ANSWERS, PRIORITY, PENALTY})


class ExplanationModel(QAbstractTableModel):
    """See the module docstring; :meth:`set_analysis` replaces the council shown."""

    def __init__(self, zone: tzinfo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self._analysis: CouncilAnalysis | None = None
        self._rows: tuple[SlotRow, ...] = ()

    def set_analysis(self, analysis: CouncilAnalysis | None) -> None:
        self.beginResetModel()
        try:
            self._analysis = analysis
            decision = analysis.decision if analysis is not None else None
            self._rows = decision.explanation.rows if decision is not None else ()
        finally:
            self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._text(row, column, full=role == Qt.ItemDataRole.ToolTipRole)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self._is_chosen(row):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == FEASIBLE:
            return QBrush(palette.ANSWER["available" if row.feasible else "unavailable"].background)
        if role == Qt.ItemDataRole.UserRole:
            return row.slot_id
        return None

    def _is_chosen(self, row: SlotRow) -> bool:
        return self._analysis is not None and self._analysis.chosen_slot() == row.slot_id

    def _names(self, ids: tuple[str, ...], full: bool) -> str:
        assert self._analysis is not None
        names = [self._analysis.name(i) for i in ids]
        if not names:
            return "—"
        if full or len(names) == 1:
            return ", ".join(names)
        return f"{names[0]} +{len(names) - 1}"

    def _text(self, row: SlotRow, column: int, full: bool) -> str:
        if column == RANK:
            return str(row.rank)
        if column == SLOT:
            if full:
                return timefmt.local_long(row.start, self._zone)
            return timefmt.local(row.start, self._zone)
        if column == FEASIBLE:
            return "yes" if row.feasible else "no"
        groups = {
            ATTENDING: row.attendees,
            PENDING: row.pending,
            TENTATIVE: row.tentative,
            BUSY: row.busy,
            UNAVAILABLE: row.unavailable,
        }
        if column in groups:
            return self._names(groups[column], full)
        if column == PARTIAL:
            if not row.partial:
                return "—"
            assert self._analysis is not None
            return ", ".join(f"{self._analysis.name(m)} {round(f * 100)}%" for m, f in row.partial)
        value = {
            SCORE: row.score,
            ANSWERS: row.answers,
            PRIORITY: row.priority,
            PENALTY: row.penalty,
        }[column]
        return f"{value:.2f}"
