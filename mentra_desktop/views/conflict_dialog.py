"""ConflictDialog: a write met a newer version of the council (412). Theirs vs yours.

The table lists the council's fields side by side — the platform's current version
("theirs") and the document as you saw it with your change ("yours") — differing rows
highlighted. The coordinator chooses: **Reapply mine** (send the same change on top of
theirs), **Discard mine** (keep theirs) or **Edit…** (change the write's fields, then
send). :attr:`choice` is what :meth:`Outbox.resolve` takes.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.client.outbox_rows import OutboxRow
from mentra_desktop.views.params_dialog import ParamsDialog

FIELDS = (
    ("coordinationStatus", "Status"),
    ("finalSlotId", "Final slot"),
    ("finalTimeConfirmed", "Time confirmed"),
    ("topic", "Topic"),
    ("leadMentorId", "Lead"),
    ("mentorResponseDeadline", "Deadline"),
    ("mentorMinimum", "Minimum"),
    ("mentorMaximum", "Maximum"),
    ("videoLink", "Video link"),
    ("coordinatorNotes", "Notes"),
    ("version", "Version"),
)
_DIFF = QColor("#fff0b3")


def _names(doc: dict[str, Any] | None) -> dict[int, str]:
    return {int(m["mentorId"]): str(m.get("name")) for m in (doc or {}).get("mentors", ())}


def compare(
    theirs: dict[str, Any] | None, yours: dict[str, Any] | None
) -> list[tuple[str, str, str]]:
    """``(field label, theirs, yours)`` for the council fields and each mentor's state."""
    theirs, yours = theirs or {}, yours or {}
    rows = [(label, _text(theirs.get(key)), _text(yours.get(key))) for key, label in FIELDS]
    names = {**_names(theirs), **_names(yours)}
    seats = (
        {int(m["mentorId"]): m for m in theirs.get("mentors", ())},
        {int(m["mentorId"]): m for m in yours.get("mentors", ())},
    )
    for mentor_id in sorted(set(seats[0]) | set(seats[1]), key=lambda m: names.get(m, "")):
        for key, label in (("attending", "attending"), ("availabilityResponse", "answer")):
            a, b = seats[0].get(mentor_id, {}), seats[1].get(mentor_id, {})
            rows.append(
                (
                    f"{names.get(mentor_id, mentor_id)}: {label}",
                    _text(a.get(key)),
                    _text(b.get(key)),
                )
            )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


class ConflictDialog(QDialog):
    def __init__(self, row: OutboxRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Someone changed this council first")
        self.setObjectName("conflictDialog")
        self.row = row
        self.choice: Any = None
        topic = (row.theirs or row.yours or {}).get("topic", f"council {row.council_id}")
        intro = QLabel(
            f"<b>{row.label}</b> on “{topic}” was not applied: the council changed on the "
            "platform after you saw it. Compare the versions and choose."
        )
        intro.setWordWrap(True)
        rows = compare(row.theirs, row.yours)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels(["Field", "Theirs (platform now)", "Yours"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for r, (label, theirs, yours) in enumerate(rows):
            for c, text in enumerate((label, theirs, yours)):
                item = QTableWidgetItem(text)
                if theirs != yours:
                    item.setBackground(QBrush(_DIFF))
                self.table.setItem(r, c, item)
        self.params = dict(row.params)
        self.edit_dialog: ParamsDialog | None = None
        self.params_label = QLabel(self._params_text())
        self.params_label.setObjectName("conflictParams")
        self.params_label.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.reapply_button = QPushButton("Reapply mine")
        self.reapply_button.setObjectName("reapplyButton")
        self.discard_button = QPushButton("Discard mine")
        self.discard_button.setObjectName("discardButton")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editButton")
        buttons.addButton(self.reapply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.discard_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.reapply_button.clicked.connect(lambda: self._choose("reapply"))
        self.discard_button.clicked.connect(lambda: self._choose("discard"))
        self.edit_button.clicked.connect(self._on_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.params_label)
        layout.addWidget(buttons)
        self.resize(640, 460)

    def _params_text(self) -> str:
        parts = ", ".join(f"{k} = {_text(v)}" for k, v in self.params.items())
        return f"Your change: {parts}"

    def _choose(self, choice: Any) -> None:
        self.choice = choice
        self.accept()

    def _on_edit(self) -> None:
        dialog = ParamsDialog(self.params, self)
        self.edit_dialog = dialog

        def finished(result: int) -> None:
            self.edit_dialog = None
            if result == QDialog.DialogCode.Accepted:
                self.params = dialog.params
                self._choose(dict(self.params))

        dialog.finished.connect(finished)
        dialog.open()
