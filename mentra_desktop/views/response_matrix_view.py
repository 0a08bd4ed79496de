"""ResponseMatrixView: the selected council's answers grid, a legend, and Nudge buttons.

Cells are painted by :class:`MatrixCellDelegate`: the answer's colour and label, a blue
frame around the engine's chosen slot (the confirmed one once confirmed) and a dashed
blue frame around a decisive pending answer. Each mentor still pending has a "Nudge"
button in the Reminders column; it queues a reminder to that mentor alone through the
outbox (``mentorIds`` on the platform's reminder).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.views import palette
from mentra_desktop.views.council_analysis import CouncilAnalysis
from mentra_desktop.views.response_matrix_model import (
    ChosenRole,
    DecisiveRole,
    KindRole,
    MentorRole,
    ResponseMatrixModel,
    SourceRole,
)

LEGEND = ("available", "tentative", "partial", "unavailable", "pending", "busy")


CALENDAR_MARK = "\u25a6"
"""Drawn in a cell whose answer came from the mentor's calendar (also in the legend)."""


class MatrixCellDelegate(QStyledItemDelegate):
    """Answer colour + label, chosen-slot frame, decisive-answer frame, focus ring."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        kind = index.data(KindRole)
        if kind in (None, "reminders"):
            super().paint(painter, option, index)
            return
        swatch = palette.ANSWER[str(kind)]
        rect = QRect(option.rect).adjusted(2, 2, -2, -2)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(swatch.background)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(swatch.foreground)
        painter.setFont(option.font)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), str(index.data() or ""))
        if index.data(SourceRole) == "calendar":
            mark = rect.adjusted(0, 1, -5, 0)
            painter.drawText(
                mark, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop), CALENDAR_MARK
            )
        if index.data(DecisiveRole):
            pen = QPen(palette.CHOSEN, 2, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 4, 4)
        if option.state & option.state.State_Selected or option.state & option.state.State_HasFocus:
            painter.setPen(QPen(QColor("#1b1f24"), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        painter.restore()
        if index.data(ChosenRole):
            painter.save()
            pen = QPen(palette.CHOSEN, 3)
            painter.setPen(pen)
            r = option.rect
            painter.drawLine(r.topLeft(), r.bottomLeft())
            painter.drawLine(r.topRight(), r.bottomRight())
            model = index.model()
            if index.row() == 0:
                painter.drawLine(r.topLeft(), r.topRight())
            if model is not None and index.row() == model.rowCount() - 1:
                painter.drawLine(r.bottomLeft(), r.bottomRight())
            painter.restore()


class ResponseMatrixView(QWidget):
    """Header (topic, phase, deadline), legend, and the mentors × slots table."""

    nudge_requested = Signal(int, int)
    """``(council id, mentor id)``: queue a reminder to that mentor only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ResponseMatrixModel(parent=self)
        self.title = QLabel("Select a council")
        self.title.setObjectName("paneTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel("")
        self.subtitle.setObjectName("paneSubtitle")
        self.subtitle.setWordWrap(True)
        self.table = QTableView()
        self.table.setObjectName("responseMatrix")
        self.table.setModel(self.model)
        self.table.setItemDelegate(MatrixCellDelegate(self.table))
        self.table.setShowGrid(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(34)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setDefaultSectionSize(104)
        self.table.horizontalHeader().setMinimumSectionSize(96)
        self.table.horizontalHeader().setMaximumSectionSize(220)
        self.table.horizontalHeader().setMinimumHeight(44)
        self.table.horizontalHeader().setHighlightSections(False)
        self.nudge_buttons: dict[int, QPushButton] = {}
        self.model.modelReset.connect(self._update_buttons)

        self.legend = QWidget()
        legend = QHBoxLayout(self.legend)
        legend.setContentsMargins(0, 0, 0, 0)
        legend.setSpacing(10)
        for kind in LEGEND:
            legend.addWidget(_legend_chip(kind))
        legend.addWidget(
            _legend_note(
                f"★ lead · ✓ chosen slot · dashed: decisive · {CALENDAR_MARK} from their calendar"
            ),
            1,
        )

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.legend)
        layout.addWidget(self.table, 1)

    def set_analysis(self, analysis: CouncilAnalysis | None) -> None:
        self.model.set_analysis(analysis)
        self.legend.setVisible(analysis is not None)
        self.table.setVisible(analysis is not None)
        if analysis is None:
            self.title.setText("Select a council")
            self.subtitle.setText("Its mentors' answers for each proposed slot appear here.")
            return
        doc = analysis.doc
        self.title.setText(f"{doc['topic']}")
        swatch = palette.status_swatch(analysis.status)
        mentors = doc.get("mentors", ())
        parts = [
            swatch.label,
            f"{len(mentors)} mentors (min {doc['mentorMinimum']}, max {doc['mentorMaximum']})",
        ]
        if not mentors:
            parts.append("no mentors assigned yet")
        if analysis.error:
            parts.append(f"engine refused the document: {analysis.error}")
        self.subtitle.setText(" · ".join(parts))
        header = self.table.horizontalHeader()
        for column in range(self.model.reminder_column):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.model.reminder_column, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(self.model.reminder_column, 132)

    def _update_buttons(self) -> None:
        self.nudge_buttons.clear()
        analysis = self.model.analysis
        if analysis is None:
            return
        column = self.model.reminder_column
        can_nudge = analysis.is_open
        for row in range(self.model.rowCount()):
            mentor = self.model.mentor_at(row)
            if mentor.get("availabilityResponse", "pending") != "pending" or not can_nudge:
                continue
            index = self.model.index(row, column)
            count = int(mentor.get("reminderCount") or 0)
            button = QPushButton(f"Nudge ({count}× so far)" if count else "Nudge")
            button.setObjectName("nudgeButton")
            button.setToolTip(
                f"Queue a reminder for {mentor.get('name')} only; the other pending "
                "mentors are not reminded."
            )
            mentor_id = int(index.data(MentorRole))
            button.clicked.connect(
                lambda _=False, m=mentor_id: self.nudge_requested.emit(analysis.council_id, m)
            )
            self.table.setIndexWidget(index, button)
            self.nudge_buttons[mentor_id] = button


def _legend_chip(kind: str) -> QLabel:
    swatch = palette.ANSWER[kind]
    label = QLabel(swatch.label)
    label.setObjectName("legendChip")
    label.setWordWrap(True)  # "Busy elsewhere" takes two lines when the alerts dock is wide
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(
        f"background: {swatch.background.name()}; color: {swatch.foreground.name()};"
        "border-radius: 4px; padding: 2px 8px;"
    )
    return label


def _legend_note(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("legendNote")
    label.setWordWrap(True)
    label.setMinimumWidth(120)
    return label
