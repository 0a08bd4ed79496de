"""The planner's three tables: planned councils, unscheduled ones and contested mentors.

Each model holds the plain records of :mod:`mentra_desktop.client.batch_plan` (a few
hundred rows at most for a week) and formats cells in ``data()``; a new plan is one
``beginResetModel``/``endResetModel``. The planned table also carries each council's
Apply state (queued, confirmed, refused with the platform's words), updated with one
``dataChanged`` per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import tzinfo
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from mentra_desktop.client.batch_plan import Contested, PlannedCouncil, Unscheduled
from mentra_desktop.views import timefmt

AnyIndex = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
COUNCIL_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's council id (the planned and unscheduled tables)."""


class _RecordsModel(QAbstractTableModel, Generic[T]):
    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.records: list[T] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def set_records(self, records: Sequence[T]) -> None:
        self.beginResetModel()
        try:
            self.records = list(records)
            self._after_reset()
        finally:
            self.endResetModel()

    def _after_reset(self) -> None:
        """Hook for subclasses (runs inside the reset)."""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.records):
            return None
        return self._data(self.records[index.row()], index.row(), index.column(), role)

    def _data(self, record: T, row: int, column: int, role: int) -> Any:
        raise NotImplementedError


class PlannedModel(_RecordsModel[PlannedCouncil]):
    """Council, topic, the planned slot in the coordinator's zone, mentors, greedy's
    choice for the same council, and the Apply state."""

    headers = ("Council", "Topic", "Slot", "Mentors", "Greedy", "Apply")

    def __init__(self, zone: tzinfo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self.names: Mapping[str, str] = {}
        self.greedy: dict[int, PlannedCouncil] = {}
        self.states: dict[int, str] = {}

    def set_plan(
        self,
        planned: Sequence[PlannedCouncil],
        greedy: Sequence[PlannedCouncil],
        names: Mapping[str, str],
    ) -> None:
        self.names = names
        self.greedy = {g.council_id: g for g in greedy}
        self.states = {}
        self.set_records(planned)

    def set_state(self, council_id: int, state: str) -> None:
        """The Apply column of ``council_id``: ``queued``, ``confirmed``, ``refused: …``."""
        self.states[council_id] = state
        for row, record in enumerate(self.records):
            if record.council_id == council_id:
                self.dataChanged.emit(self.index(row, 5), self.index(row, 5))

    def _mentors(self, ids: Sequence[int]) -> str:
        return ", ".join(self.names.get(str(m), f"#{m}") for m in ids)

    def _greedy_text(self, record: PlannedCouncil) -> str:
        other = self.greedy.get(record.council_id)
        if other is None:
            return "not scheduled"
        if other.slot_id == record.slot_id and other.mentor_ids == record.mentor_ids:
            return "same"
        if other.slot_id == record.slot_id:
            return f"same slot, {len(other.mentor_ids)} mentors"
        return timefmt.local(other.start, self._zone)

    def _data(self, record: PlannedCouncil, row: int, column: int, role: int) -> Any:
        if role == COUNCIL_ROLE:
            return record.council_id
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return f"#{record.council_id}"
            if column == 1:
                return record.topic
            if column == 2:
                return timefmt.local(record.start, self._zone)
            if column == 3:
                return f"{len(record.mentor_ids)}: {self._mentors(record.mentor_ids)}"
            if column == 4:
                return self._greedy_text(record)
            return self.states.get(record.council_id, "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                return record.topic
            if column == 2:
                return timefmt.local_long(record.start, self._zone)
            if column == 3:
                return self._mentors(record.mentor_ids)
            if column == 5:
                return self.states.get(record.council_id) or None
        if role == Qt.ItemDataRole.ForegroundRole and column == 5:
            state = self.states.get(record.council_id, "")
            if state.startswith(("refused", "changed")):
                return QBrush(QColor("#c0392b"))
            if state == "confirmed":
                return QBrush(QColor("#1e7d3c"))
        late = column == 4 and self._greedy_text(record) == "not scheduled"
        if role == Qt.ItemDataRole.ForegroundRole and late:
            return QBrush(QColor("#8a3d00"))
        return None


class UnscheduledModel(_RecordsModel[Unscheduled]):
    headers = ("Council", "Topic", "Why it stays unscheduled")

    def _data(self, record: Unscheduled, row: int, column: int, role: int) -> Any:
        if role == COUNCIL_ROLE:
            return record.council_id
        if role == Qt.ItemDataRole.DisplayRole:
            return (f"#{record.council_id}", record.topic, record.reason)[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2):
            if column == 1:
                return record.topic
            return (
                f"{record.reason}.<br>Counted: mentors who said yes to a slot and are free "
                "then (pending answers count as no; confirmed councils make mentors busy)."
            )
        return None


class ContestedModel(_RecordsModel[Contested]):
    headers = ("Mentor", "Wanted at the same time by")

    def _data(self, record: Contested, row: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return record.name
            n = len(record.council_ids)
            return f"{n} councils: " + ", ".join(f"#{c}" for c in record.council_ids)
        return None
