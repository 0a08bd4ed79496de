"""ResponseMatrixModel: one council's mentors × proposed slots, and each mentor's reminders.

Rows are the seated mentors (the lead first, then by name); columns the proposed slots
in order, then a "Reminders" column. A cell's kind comes from the engine's own cell
(``available``, ``tentative``, ``partial`` with the covered fraction, ``unavailable``,
``pending``, or ``busy`` when another session or calendar time overlaps the slot,
whatever the mentor answered), so the matrix shows exactly what the decision used.
Conflict notes, partial ranges and alternative proposals are in the cell tooltips.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont

from mentra_desktop.views import palette, timefmt
from mentra_desktop.views.council_analysis import CELL_KIND, CouncilAnalysis

AnyIndex = QModelIndex | QPersistentModelIndex
KindRole = Qt.ItemDataRole.UserRole + 11
"""The cell kind (``available`` … ``busy``), or ``"reminders"`` for the last column."""
ChosenRole = Qt.ItemDataRole.UserRole + 12
"""True in the column of the engine's chosen (or the final) slot."""
DecisiveRole = Qt.ItemDataRole.UserRole + 13
"""True when this pending answer alone would let the council confirm now."""
MentorRole = Qt.ItemDataRole.UserRole + 14
SourceRole = Qt.ItemDataRole.UserRole + 15
"""``"calendar"`` when the cell's answer was pre-filled from the mentor's calendar."""
"""The row's platform mentor id (int)."""


def _ranges_text(ranges: Any, zone: tzinfo) -> str:
    parts = []
    for pair in ranges or ():
        start = datetime.fromisoformat(str(pair[0]).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(pair[1]).replace("Z", "+00:00"))
        parts.append(f"{timefmt.local(start, zone)}–{end.astimezone(zone):%H:%M}")
    return ", ".join(parts)


def _zone(name: Any) -> ZoneInfo | None:
    try:
        return ZoneInfo(str(name)) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


class ResponseMatrixModel(QAbstractTableModel):
    """See the module docstring; :meth:`set_analysis` replaces the council shown."""

    def __init__(self, zone: tzinfo | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._zone = zone or timefmt.display_zone()
        self._analysis: CouncilAnalysis | None = None
        self._mentors: list[dict[str, Any]] = []
        self._slots: list[dict[str, Any]] = []

    def set_analysis(self, analysis: CouncilAnalysis | None) -> None:
        self.beginResetModel()
        try:
            self._analysis = analysis
            doc = analysis.doc if analysis is not None else {}
            mentors = [dict(m) for m in doc.get("mentors", ())]
            mentors.sort(key=lambda m: (not self._is_lead(m), str(m.get("name", "")).casefold()))
            self._mentors = mentors
            self._slots = sorted(
                (dict(s) for s in doc.get("proposedTimeSlots", ())),
                key=lambda s: (s.get("position", 0), s["id"]),
            )
        finally:
            self.endResetModel()

    @property
    def analysis(self) -> CouncilAnalysis | None:
        return self._analysis

    @property
    def reminder_column(self) -> int:
        return len(self._slots)

    def mentor_at(self, row: int) -> dict[str, Any]:
        return self._mentors[row]

    def slot_at(self, column: int) -> dict[str, Any] | None:
        return self._slots[column] if 0 <= column < len(self._slots) else None

    # --- Qt model interface -------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._mentors)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._analysis is None:
            return 0
        return len(self._slots) + 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._mentors):
                return None
            mentor = self._mentors[section]
            if role == Qt.ItemDataRole.DisplayRole:
                lead = "★ " if self._is_lead(mentor) else ""
                return f"{lead}{mentor.get('name', mentor['mentorId'])}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._mentor_tooltip(mentor)
            if role == Qt.ItemDataRole.FontRole and self._is_lead(mentor):
                font = QFont()
                font.setBold(True)
                return font
            return None
        if not 0 <= section <= len(self._slots):
            return None
        if section == len(self._slots):
            return "Reminders" if role == Qt.ItemDataRole.DisplayRole else None
        slot = self._slots[section]
        start = datetime.fromisoformat(str(slot["start"]).replace("Z", "+00:00"))
        chosen = self._chosen(section)
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "✓ " if chosen else ""
            local = start.astimezone(self._zone)
            return f"{local:%a %d %b}\n{mark}{local:%H:%M}"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [timefmt.local_long(start, self._zone)]
            if chosen:
                lines.append(
                    "The engine's chosen slot"
                    if self._status() != "confirmed"
                    else "The confirmed slot"
                )
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and chosen:
            return QBrush(palette.CHOSEN)
        if role == Qt.ItemDataRole.FontRole and chosen:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._analysis is None:
            return None
        row, column = index.row(), index.column()
        if not (0 <= row < len(self._mentors) and 0 <= column <= len(self._slots)):
            return None
        mentor = self._mentors[row]
        if role == MentorRole:
            return int(mentor["mentorId"])
        if column == len(self._slots):
            return self._reminder_data(mentor, role)
        kind, fraction = self._kind(mentor, column)
        if role == KindRole:
            return kind
        if role == Qt.ItemDataRole.DisplayRole:
            label = palette.ANSWER[kind].label
            if kind in ("partial", "tentative") and fraction < 1.0:
                label = f"{label} {round(fraction * 100)}%"
            if kind == "pending" and self._decisive(mentor, column):
                label = "Pending ★"
            return label
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(palette.ANSWER[kind].background)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(palette.ANSWER[kind].foreground)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tooltip(mentor, column, kind, fraction)
        if role == ChosenRole:
            return self._chosen(column)
        if role == DecisiveRole:
            return self._decisive(mentor, column)
        if role == SourceRole:
            return self._answer(mentor, self._slots[column]["id"]).get("source")
        return None

    # --- internals ----------------------------------------------------------------

    def _status(self) -> str:
        return self._analysis.status if self._analysis is not None else ""

    def _is_lead(self, mentor: dict[str, Any]) -> bool:
        doc = self._analysis.doc if self._analysis is not None else {}
        return bool(mentor.get("isLead")) or mentor.get("mentorId") == doc.get("leadMentorId")

    def _chosen(self, column: int) -> bool:
        if self._analysis is None or not 0 <= column < len(self._slots):
            return False
        return self._analysis.chosen_slot() == str(self._slots[column]["id"])

    def _decisive(self, mentor: dict[str, Any], column: int) -> bool:
        assert self._analysis is not None
        return self._analysis.is_decisive(str(mentor["mentorId"]), str(self._slots[column]["id"]))

    def _answer(self, mentor: dict[str, Any], slot_id: int) -> dict[str, Any]:
        for answer in mentor.get("slotAnswers", ()):
            if answer["slotId"] == slot_id:
                return dict(answer)
        return {"answer": "pending", "partialRanges": []}

    def _kind(self, mentor: dict[str, Any], column: int) -> tuple[str, float]:
        assert self._analysis is not None
        slot_id = self._slots[column]["id"]
        cell = self._analysis.cell(str(mentor["mentorId"]), str(slot_id))
        if cell is not None:
            return CELL_KIND[cell.status], cell.covered_fraction
        answer = self._answer(mentor, slot_id)
        kind = str(answer.get("answer", "pending"))
        if answer.get("partialRanges") and kind == "available":
            kind = "partial"
        return (kind if kind in palette.ANSWER else "pending"), 1.0

    def _cell_tooltip(self, mentor: dict[str, Any], column: int, kind: str, fraction: float) -> str:
        slot = self._slots[column]
        start = datetime.fromisoformat(str(slot["start"]).replace("Z", "+00:00"))
        name = mentor.get("name", mentor["mentorId"])
        lines = [f"{name} — {timefmt.local_long(start, self._zone)}"]
        theirs = _zone(mentor.get("timezone"))
        if theirs is not None:
            lines.append(f"Their time: {timefmt.local_long(start, theirs)}")
        answer = self._answer(mentor, slot["id"])
        lines.append(f"Answer: {palette.ANSWER[kind].label}")
        if answer.get("partialRanges"):
            covered = f" ({round(fraction * 100)}% of the slot)" if fraction < 1 else ""
            lines.append(
                f"Can attend: {_ranges_text(answer['partialRanges'], self._zone)}{covered}"
            )
        if kind == "busy":
            lines.append("Taken at this time by another confirmed session or calendar busy time")
        if answer.get("source") == "calendar":
            lines.append("\u25a6 Pre-filled from their calendar when invited; they can change it")
        if kind == "pending" and self._decisive(mentor, column):
            lines.append("★ Decisive: a yes here lets the council be confirmed now")
        if mentor.get("conflictNotes"):
            lines.append(f"Conflict notes: {mentor['conflictNotes']}")
        if mentor.get("alternativeProposals"):
            alternatives = _ranges_text(mentor["alternativeProposals"], self._zone)
            lines.append(f"Proposes instead: {alternatives}")
        return "\n".join(lines)

    def _mentor_tooltip(self, mentor: dict[str, Any]) -> str:
        lines = [str(mentor.get("name", mentor["mentorId"]))]
        if self._is_lead(mentor):
            lines.append("Lead mentor")
        if mentor.get("email"):
            lines.append(str(mentor["email"]))
        if mentor.get("timezone"):
            hours = ""
            if mentor.get("workStart") and mentor.get("workEnd"):
                hours = f", works {mentor['workStart']}–{mentor['workEnd']}"
            lines.append(f"{mentor['timezone']}{hours}")
        if mentor.get("conflictNotes"):
            lines.append(f"Notes: {mentor['conflictNotes']}")
        return "\n".join(lines)

    def _reminder_data(self, mentor: dict[str, Any], role: int) -> Any:
        pending = mentor.get("availabilityResponse", "pending") == "pending"
        count = int(mentor.get("reminderCount") or 0)
        last = mentor.get("lastReminderSent")
        if role == KindRole:
            return "reminders"
        if role == Qt.ItemDataRole.DisplayRole:
            if not pending:
                return "Answered"
            if count == 0:
                return "Not reminded"
            return f"{count}× reminded"
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = []
            if last:
                moment = datetime.fromisoformat(str(last).replace("Z", "+00:00"))
                lines.append(f"Last reminder: {timefmt.local_long(moment, self._zone)}")
            lines.append(f"Reminders sent: {count}")
            if pending:
                lines.append("Nudge queues a reminder to this mentor only")
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and not pending:
            return QBrush(palette.MUTED)
        return None
