"""CouncilGridModel: every council's summary row, cells computed lazily in ``data()``.

The model holds the summary dicts (see :mod:`mentra_desktop.models.council_summary`) by
council id and a list of the ids currently shown, in display order. Display strings,
tooltips and colours are computed per visible cell when the view asks, never up front,
so 10,000 councils cost 10,000 small dicts and a list.

Sorting and filtering happen here, in Python over precomputed keys, not in a
``QSortFilterProxyModel``: a proxy sorting 10,000 rows calls back into Python twice per
comparison (measured 0.43 s per sort, and as long again to un-filter), while sorting the
id list takes a few milliseconds. That is Anki's large-table approach (sort in the
store, then re-lay the model). A re-sort is a ``layoutChanged`` with persistent indexes
moved, so selection and current row survive; a filter change is a model reset, and
:class:`~mentra_desktop.views.council_grid_view.CouncilGridView` restores the selection
by id. A change from the stream (:meth:`upsert`) updates its row in place with one
ranged ``dataChanged`` and does not move it: rows never jump under the cursor, and the
next sort or filter places it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QFont

from mentra_desktop.export.grid_rows import haystack
from mentra_desktop.models.council_summary import RISK_TEXT, parse_instant, risks
from mentra_desktop.views import palette, timefmt

Summary = Mapping[str, Any]
AnyIndex = QModelIndex | QPersistentModelIndex

COLUMNS = ("Topic", "Mentee", "Status", "Answers", "Deadline", "Lead", "Best slot", "Risk")
(TOPIC, MENTEE, STATUS, ANSWERS, DEADLINE, LEAD, BEST, RISK) = range(len(COLUMNS))

SortRole = Qt.ItemDataRole.UserRole + 1
"""Raw sort value of a cell (a number, an epoch, a lower-cased string)."""
IdRole = Qt.ItemDataRole.UserRole + 2
"""The council id of the row."""
StatusRole = Qt.ItemDataRole.UserRole + 3
"""The row's coordination status code, for the status chip delegate."""

_STATUS_ORDER = {
    s: i
    for i, s in enumerate(
        (
            "needs_alternatives",
            "rescheduling",
            "collecting",
            "selecting",
            "draft",
            "confirmed",
            "cancelled",
        )
    )
}
_FAR = float("inf")
_CONFIRMABLE = frozenset({"collecting", "selecting"})


def _epoch(value: str | None) -> float:
    moment = parse_instant(value)
    return moment.timestamp() if moment is not None else _FAR


class CouncilGridModel(QAbstractTableModel):
    """Councils as rows, :data:`COLUMNS` as columns; see the module docstring."""

    def __init__(
        self,
        zone: tzinfo | None = None,
        clock: Callable[[], datetime] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._now = self._clock()
        self._rows: dict[int, Summary] = {}
        self._haystacks: dict[int, str] = {}
        self._ids: list[int] = []
        self._row_of: dict[int, int] = {}
        self._search: tuple[str, ...] = ()
        self._statuses: frozenset[str] = frozenset()
        self._at_risk_only = False
        self._sort_column = DEADLINE
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._keys: dict[int, Any] = {}
        """Sort key by council id for ``_keys_column`` (built once per column)."""
        self._keys_column: int | None = None
        self._risk_memo: dict[int, tuple[str, ...]] = {}
        """Risk codes by council id at ``_now`` (cleared by the clock and by changes)."""
        self._counts: dict[str, int] = {}

    # --- Qt model interface -------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == DEADLINE:
                zone = timefmt.zone_name(self._zone, self._now)
                return f"Answer deadline, counting down ({zone})"
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        council_id = self._ids[index.row()]
        s = self._rows[council_id]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(s, column)
        if role == SortRole:
            return self._sort_value(s, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(s, column)
        if role == IdRole:
            return council_id
        if role == StatusRole:
            return s["status"]
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(s, column)
        if role == Qt.ItemDataRole.FontRole and column == TOPIC and self._risks(s):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (ANSWERS, DEADLINE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{COLUMNS[column]}: {self._display(s, column)}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-order the shown rows by ``column``; selection and current row follow."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._ids[i.row()] for i in old]
        self._ids = self._ordered(self._ids)
        self._reindex()
        moved = [
            self.index(self._row_of[cid], i.column()) for cid, i in zip(old_ids, old, strict=True)
        ]
        self.changePersistentIndexList(old, moved)
        self.layoutChanged.emit()

    # --- contents -----------------------------------------------------------------

    def set_summaries(self, summaries: Iterable[Summary]) -> None:
        """Replace every row (first load, full sync): one reset."""
        self.beginResetModel()
        try:
            self._rows = {int(s["id"]): s for s in summaries}
            self._haystacks = {cid: haystack(s) for cid, s in self._rows.items()}
            self._keys_column = None
            self._risk_memo.clear()
            self._count_statuses()
            self._ids = self._ordered(self._matching())
            self._reindex()
        finally:
            self.endResetModel()

    def upsert(self, summary: Summary) -> None:
        """One council changed or arrived: update its row in place, or append it."""
        council_id = int(summary["id"])
        old = self._rows.get(council_id)
        if old is not None:
            self._counts[old["status"]] -= 1
        self._counts[summary["status"]] = self._counts.get(summary["status"], 0) + 1
        self._rows[council_id] = summary
        self._haystacks[council_id] = haystack(summary)
        self._risk_memo.pop(council_id, None)
        if self._keys_column is not None:
            self._keys[council_id] = (self._sort_value(summary, self._keys_column), council_id)
        row = self._row_of.get(council_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        elif self._accepts(council_id):
            end = len(self._ids)
            self.beginInsertRows(QModelIndex(), end, end)
            self._ids.append(council_id)
            self._row_of[council_id] = end
            self.endInsertRows()

    def remove(self, council_id: int) -> None:
        old = self._rows.pop(council_id, None)
        if old is not None:
            self._counts[old["status"]] -= 1
        self._haystacks.pop(council_id, None)
        self._keys.pop(council_id, None)
        self._risk_memo.pop(council_id, None)
        row = self._row_of.get(council_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._ids[row]
        self._reindex()
        self.endRemoveRows()

    def set_filter(
        self, text: str = "", statuses: Iterable[str] = (), at_risk_only: bool = False
    ) -> None:
        """Show councils matching every word of ``text`` and, if given, one of ``statuses``."""
        search = tuple(text.casefold().split())
        wanted = frozenset(statuses)
        if (search, wanted, at_risk_only) == (self._search, self._statuses, self._at_risk_only):
            return
        self._search, self._statuses, self._at_risk_only = search, wanted, at_risk_only
        self.beginResetModel()
        try:
            self._ids = self._ordered(self._matching())
            self._reindex()
        finally:
            self.endResetModel()

    def tick(self) -> None:
        """The clock moved: repaint the countdowns and risk flags (one ranged change)."""
        self._now = self._clock()
        self._risk_memo.clear()
        if self._keys_column == RISK:
            self._keys_column = None
        if self._ids:
            self.dataChanged.emit(
                self.index(0, DEADLINE),
                self.index(len(self._ids) - 1, RISK),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole],
            )

    # --- lookups ------------------------------------------------------------------

    def council_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, council_id: int) -> int | None:
        return self._row_of.get(council_id)

    def summary(self, council_id: int) -> Summary | None:
        return self._rows.get(council_id)

    def total(self) -> int:
        """Councils held, shown or not."""
        return len(self._rows)

    def counts_by_status(self) -> dict[str, int]:
        return {status: n for status, n in self._counts.items() if n}

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    # --- internals ----------------------------------------------------------------

    def _risks(self, s: Summary) -> tuple[str, ...]:
        council_id = int(s["id"])
        found = self._risk_memo.get(council_id)
        if found is None:
            found = self._risk_memo[council_id] = risks(s, self._now)
        return found

    def _count_statuses(self) -> None:
        counts: dict[str, int] = {}
        for s in self._rows.values():
            counts[s["status"]] = counts.get(s["status"], 0) + 1
        self._counts = counts

    def _accepts(self, council_id: int) -> bool:
        s = self._rows[council_id]
        if self._statuses and s["status"] not in self._statuses:
            return False
        if self._at_risk_only and not self._risks(s):
            return False
        hay = self._haystacks[council_id]
        return all(word in hay for word in self._search)

    def _matching(self) -> list[int]:
        if not (self._search or self._statuses or self._at_risk_only):
            return list(self._rows)
        if not (self._statuses or self._at_risk_only):  # the common case: typing
            words = self._search
            if len(words) == 1:
                word = words[0]
                return [cid for cid, hay in self._haystacks.items() if word in hay]
            return [cid for cid, hay in self._haystacks.items() if all(w in hay for w in words)]
        return [cid for cid in self._rows if self._accepts(cid)]

    def _ordered(self, ids: list[int]) -> list[int]:
        column = self._sort_column
        if self._keys_column != column:
            rows = self._rows
            self._keys = {cid: (self._sort_value(s, column), cid) for cid, s in rows.items()}
            self._keys_column = column
        keyed = sorted(ids, key=self._keys.__getitem__)
        if self._sort_order == Qt.SortOrder.DescendingOrder:
            keyed.reverse()
        return keyed

    def _reindex(self) -> None:
        self._row_of = {cid: row for row, cid in enumerate(self._ids)}

    def _sort_value(self, s: Summary, column: int) -> Any:
        if column == TOPIC:
            return s["topic"].casefold()
        if column == MENTEE:
            return s["mentee"].casefold()
        if column == STATUS:
            return _STATUS_ORDER.get(s["status"], len(_STATUS_ORDER))
        if column == ANSWERS:
            invited = s["invited"]
            return s["answered"] / invited if invited else -1.0
        if column == DEADLINE:
            return _epoch(s["deadline"])
        if column == LEAD:
            return s["lead"].casefold() or "\uffff"
        if column == BEST:
            return _epoch(s["best_slot_start"])
        return -len(self._risks(s))

    def _display(self, s: Summary, column: int) -> str:
        if column == TOPIC:
            return str(s["topic"])
        if column == MENTEE:
            return str(s["mentee"])
        if column == STATUS:
            return palette.status_swatch(s["status"]).label
        if column == ANSWERS:
            return f"{s['answered']} of {s['invited']}" if s["invited"] else "—"
        if column == DEADLINE:
            deadline = parse_instant(s["deadline"])
            if deadline is None or s["status"] in ("confirmed", "cancelled", "draft"):
                return "—"
            return timefmt.countdown(deadline, self._now)
        if column == LEAD:
            return str(s["lead"]) or "—"
        if column == BEST:
            return self._best(s)
        found = self._risks(s)
        return "⚠ " + ", ".join(_RISK_SHORT[r] for r in found) if found else ""

    def _best(self, s: Summary) -> str:
        start = parse_instant(s["best_slot_start"])
        if start is None:
            return "No slot works" if s["decision"] == "needs_alternatives" else "—"
        text = timefmt.local(start, self._zone)
        if s["status"] in ("confirmed", "cancelled") or s["decision"] is None:
            return text
        if s["decision"] == "confirmed":
            return f"{text}  ✓ ready" if s["status"] in _CONFIRMABLE else f"{text}  ✓ engine"
        if s["feasible"]:
            return f"{text}  · leading"
        return f"{text}  · {s['best_attendees']} of {s['minimum']}"

    def _tooltip(self, s: Summary, column: int) -> str | None:
        if column == DEADLINE:
            deadline = parse_instant(s["deadline"])
            return timefmt.local_long(deadline, self._zone) if deadline else None
        if column == BEST:
            start = parse_instant(s["best_slot_start"])
            if start is None:
                if s["decision"] == "needs_alternatives":
                    return "No slot can reach the minimum: the council needs alternatives"
                return None
            when = timefmt.local_long(start, self._zone)
            if s["decision"] == "confirmed" and s["status"] in _CONFIRMABLE:
                return f"{when}\nThe engine can confirm this slot now"
            if s["decision"] == "confirmed":
                return f"{when}\nThe engine's pick; a {s['status']} council needs an admin override"
            if s["decision"] == "waiting":
                seats = f"seats {s['best_attendees']} (minimum {s['minimum']})"
                return f"{when}\nLeading so far, {seats}; waiting for answers"
            return when
        if column == RISK:
            lines = [RISK_TEXT[r] for r in self._risks(s)]
            if s["silent"]:
                lines.append("Silent: " + ", ".join(s["silent"]))
            return "\n".join(lines) or None
        if column == TOPIC:
            return f"Council {s['id']}: {s['topic']}"
        return None

    def _foreground(self, s: Summary, column: int) -> QBrush | None:
        if column == RISK or (column == DEADLINE and "deadline" in self._risks(s)):
            return QBrush(palette.RISK)
        if column in (DEADLINE, BEST) and s["status"] in ("confirmed", "cancelled"):
            return QBrush(palette.MUTED)
        return None


_RISK_SHORT = {
    "deadline": "deadline",
    "lead": "lead out",
    "minimum": "below minimum",
    "silent": "silent",
}
