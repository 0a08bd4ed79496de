"""ExportRangeDialog: the first and last day of the confirmed councils to put in a calendar.

Days are the coordinator's own (the export's zone); both are included. OK stays disabled,
with the reason shown, while the first day is after the last.
"""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

DEFAULT_DAYS = 30


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ExportRangeDialog(QDialog):
    """``first``/``last`` (dates) once accepted; see the module docstring."""

    def __init__(self, today: date, zone_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export confirmed councils")
        self.setObjectName("exportRangeDialog")
        self.intro = QLabel(
            f"Confirmed councils whose session starts on these days ({zone_name}), both "
            "included, go into one calendar file."
        )
        self.intro.setWordWrap(True)
        self.first_edit = self._date_edit(today, "exportFrom", "First day")
        self.last_edit = self._date_edit(
            today + timedelta(days=DEFAULT_DAYS), "exportTo", "Last day"
        )
        self.error = QLabel("")
        self.error.setObjectName("exportRangeError")
        self.error.setStyleSheet("color: #c0392b;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Choose file…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&From", self.first_edit)
        form.addRow("&To", self.last_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(380)
        self.first_edit.dateChanged.connect(self._update_ok)
        self.last_edit.dateChanged.connect(self._update_ok)
        self._update_ok()

    def _date_edit(self, day: date, name: str, accessible: str) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("ddd d MMM yyyy")
        return edit

    @property
    def first(self) -> date:
        return _day(self.first_edit.date())

    @property
    def last(self) -> date:
        return _day(self.last_edit.date())

    def set_range(self, first: date, last: date) -> None:
        self.first_edit.setDate(_qdate(first))
        self.last_edit.setDate(_qdate(last))

    def _update_ok(self) -> None:
        wrong = self.first > self.last
        self.ok.setEnabled(not wrong)
        self.error.setText("The first day is after the last." if wrong else "")
