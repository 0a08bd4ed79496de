"""OverrideDialog (admins): another slot or mentor set than the engine's, with a reason.

The slot list and mentor checkboxes start at the engine's pick; as the admin changes
them, the dialog lists every rule the choice breaks (:func:`broken_rules`), so the
required reason can answer it. "Override" stays disabled until a reason is typed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.views import timefmt
from mentra_desktop.views.council_analysis import CouncilAnalysis
from mentra_desktop.views.override_rules import broken_rules


class OverrideDialog(QDialog):
    def __init__(self, analysis: CouncilAnalysis, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Override the engine")
        self.setObjectName("overrideDialog")
        self.analysis = analysis
        self._zone = timefmt.display_zone()
        doc = analysis.doc
        self.slot = QComboBox()
        self.slot.setObjectName("overrideSlot")
        chosen = analysis.chosen_slot()
        for slot in sorted(doc.get("proposedTimeSlots", ()), key=lambda s: s.get("position", 0)):
            start = analysis.slot_start(str(slot["id"]))
            label = self._when(start) if start is not None else str(slot["id"])
            self.slot.addItem(label, str(slot["id"]))
            if str(slot["id"]) == chosen:
                self.slot.setCurrentIndex(self.slot.count() - 1)
        picked = set(analysis.decision.mentors) if analysis.decision is not None else set()
        if analysis.status == "confirmed":
            picked = {str(m["mentorId"]) for m in doc.get("mentors", ()) if m.get("attending")}
        self.mentors: dict[str, QCheckBox] = {}
        box = QGroupBox("Attending mentors")
        box_layout = QVBoxLayout(box)
        for mentor in sorted(doc.get("mentors", ()), key=lambda m: str(m.get("name"))):
            key = str(mentor["mentorId"])
            check = QCheckBox(str(mentor.get("name", key)))
            check.setObjectName(f"overrideMentor{key}")
            check.setChecked(key in picked)
            check.toggled.connect(self._update_rules)
            self.mentors[key] = check
            box_layout.addWidget(check)
        self.rules = QLabel("")
        self.rules.setObjectName("overrideRules")
        self.rules.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("overrideReason")
        self.reason.setPlaceholderText("Why? (required; kept in the audit log)")
        self.reason.setFixedHeight(70)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Override")
        self.ok.setObjectName("overrideOk")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.slot.currentIndexChanged.connect(self._update_rules)
        self.reason.textChanged.connect(self._update_ok)
        form = QFormLayout()
        form.addRow("Slot", self.slot)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(QLabel("<b>Rules this breaks</b>"))
        layout.addWidget(self.rules)
        layout.addWidget(QLabel("Reason"))
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update_rules()
        self._update_ok()

    def _when(self, moment: datetime) -> str:
        return timefmt.local(moment, self._zone)

    @property
    def slot_id(self) -> int | None:
        data = self.slot.currentData()
        return int(data) if data is not None else None

    @property
    def mentor_ids(self) -> list[int]:
        return sorted(int(k) for k, box in self.mentors.items() if box.isChecked())

    @property
    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def broken(self) -> list[str]:
        slot = self.slot.currentData()
        chosen = {k for k, box in self.mentors.items() if box.isChecked()}
        return broken_rules(self.analysis, slot, chosen, self._when)

    def _update_rules(self, *_: object) -> None:
        found = self.broken()
        if found:
            self.rules.setText("<br>".join(f"• {line}" for line in found))
            self.rules.setStyleSheet("color: #8a3d00;")
        else:
            self.rules.setText("None: this is what the engine would do.")
            self.rules.setStyleSheet("color: #145c2c;")

    def _update_ok(self) -> None:
        self.ok.setEnabled(bool(self.reason_text))
        self.ok.setToolTip("" if self.reason_text else "A reason is required")
