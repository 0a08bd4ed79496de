"""ParamsDialog: edit a queued write's fields before sending it again (conflict → Edit…).

Each field of the write is one line: text as is, numbers as numbers, id lists as
comma-separated numbers, yes/no as a check. Only values of the same type are accepted.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)


class ParamsDialog(QDialog):
    def __init__(self, params: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit your change")
        self.params = dict(params)
        self._fields: dict[str, QLineEdit | QCheckBox] = {}
        form = QFormLayout()
        for key, value in params.items():
            if isinstance(value, bool):
                box = QCheckBox()
                box.setChecked(value)
                self._fields[key] = box
                form.addRow(key, box)
                continue
            if isinstance(value, list):
                text = ", ".join(str(v) for v in value)
            else:
                text = "" if value is None else str(value)
            line = QLineEdit(text)
            line.setObjectName(f"param_{key}")
            self._fields[key] = line
            form.addRow(key, line)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Send edited")
        buttons.accepted.connect(self._on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _on_accept(self) -> None:
        out: dict[str, Any] = {}
        try:
            for key, widget in self._fields.items():
                old = self.params[key]
                if isinstance(widget, QCheckBox):
                    out[key] = widget.isChecked()
                    continue
                text = widget.text().strip()
                if isinstance(old, list):
                    out[key] = [int(part) for part in text.split(",") if part.strip()]
                elif isinstance(old, int):
                    out[key] = int(text)
                elif isinstance(old, float):
                    out[key] = float(text)
                elif old is None and not text:
                    out[key] = None
                else:
                    out[key] = text
        except ValueError as exc:
            self.error.setText(f"{key}: {exc}")
            return
        self.params = out
        self.accept()
