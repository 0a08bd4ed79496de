"""DecisionPanel: the engine's decision for the selected council, and what to do about it.

Shows the verdict (ready to confirm / waiting / needs alternatives / confirmed), the
early-confirmation verdict, the engine's reason in names and local times, the
**decisive answers** of a waiting council (each with a Nudge button), the alternatives
of a council that needs them, and the ranked explanation table. "Confirm" writes the
engine's pick back through the outbox; "Override…" is for admins (disabled, with the
reason in its tooltip, for coordinators).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.scheduling.selection import Status
from mentra_desktop.views import timefmt
from mentra_desktop.views.council_analysis import CouncilAnalysis, readable_reason
from mentra_desktop.views.explanation_model import ExplanationModel

CONFIRMABLE = frozenset({"collecting", "selecting"})
"""Phases the platform confirms in; past them only an admin override decides."""

_VERDICT_STYLE = {
    "ready": ("#145c2c", "#cdeed6"),
    "waiting": ("#0b4a8b", "#d4e6fb"),
    "alternatives": ("#8a3d00", "#ffe1c2"),
    "final": ("#145c2c", "#e3f5e8"),
    "none": ("#3c4650", "#e4e7eb"),
}


class DecisionPanel(QWidget):
    """See the module docstring."""

    confirm_requested = Signal(int, int, list)
    """``(council id, slot id, attending mentor ids)``."""
    override_requested = Signal(int)
    nudge_requested = Signal(int, int)
    """``(council id, mentor id)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zone = timefmt.display_zone()
        self._analysis: CouncilAnalysis | None = None
        self._is_admin = False
        self.verdict = QLabel("No council selected")
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.early = QLabel("")
        self.early.setObjectName("earlyVerdict")
        self.early.setWordWrap(True)
        self.reason = QLabel("")
        self.reason.setObjectName("reason")
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decisive_box = QFrame()
        self.decisive_box.setObjectName("decisiveBox")
        self.decisive_layout = QGridLayout(self.decisive_box)
        self.decisive_layout.setContentsMargins(8, 6, 8, 6)
        self.decisive_layout.setColumnStretch(0, 1)
        self.alternatives = QLabel("")
        self.alternatives.setObjectName("alternatives")
        self.alternatives.setWordWrap(True)
        self.table_model = ExplanationModel(self._zone, self)
        self.table = QTableView()
        self.table.setObjectName("explanationTable")
        self.table.setModel(self.table_model)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.confirm_button = QPushButton("Confirm")
        self.confirm_button.setObjectName("confirmButton")
        self.confirm_button.setDefault(True)
        self.override_button = QPushButton("Override…")
        self.override_button.setObjectName("overrideButton")
        self.confirm_button.clicked.connect(self._on_confirm)
        self.override_button.clicked.connect(self._on_override)
        self.decisive_buttons: dict[tuple[int, int], QPushButton] = {}

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.confirm_button)

        details = QWidget()
        details.setObjectName("decisionDetails")
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 4, 0)
        details_layout.setSpacing(6)
        details_layout.addWidget(self.early)
        details_layout.addWidget(self.reason)
        details_layout.addWidget(self.decisive_box)
        details_layout.addWidget(self.alternatives)
        self.details = QScrollArea()
        self.details.setObjectName("decisionScroll")
        self.details.setWidget(details)
        self.details.setWidgetResizable(True)
        self.details.setFrameShape(QFrame.Shape.NoFrame)
        self.details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._details_body = details

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.set_analysis(None)

    # --- public -------------------------------------------------------------------

    def set_admin(self, is_admin: bool) -> None:
        self._is_admin = is_admin
        self._update_buttons()

    def set_analysis(self, analysis: CouncilAnalysis | None) -> None:
        self._analysis = analysis
        self.table_model.set_analysis(analysis)
        has_decision = analysis is not None and analysis.decision is not None
        self.details.setVisible(has_decision)
        self.table.setVisible(has_decision)
        self._update_verdict()
        self._update_decisive()
        self._update_alternatives()
        self._update_buttons()
        # New labels are shown on the next turn of the event loop; measure after that.
        QTimer.singleShot(0, self._fit_details)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_details()

    def _fit_details(self) -> None:
        """The text part takes what it needs, at most half the panel; the table the rest."""
        body = self._details_body
        body.adjustSize()
        width = max(self.details.viewport().width(), 200)
        layout = body.layout()
        needed = layout.heightForWidth(width) if layout is not None else -1
        if needed < 0:
            needed = body.sizeHint().height()
        self.details.setFixedHeight(max(0, min(needed, int(self.height() * 0.5))))

    @property
    def analysis(self) -> CouncilAnalysis | None:
        return self._analysis

    # --- updaters -----------------------------------------------------------------

    def _when(self, moment: datetime) -> str:
        return timefmt.local(moment, self._zone)

    def _set_verdict(self, style: str, text: str) -> None:
        fg, bg = _VERDICT_STYLE[style]
        self.verdict.setText(text)
        self.verdict.setProperty("verdict", style)
        self.verdict.setStyleSheet(
            f"color: {fg}; background: {bg}; border-radius: 6px; padding: 8px 10px;"
            "font-size: 15px; font-weight: 600;"
        )

    def _update_verdict(self) -> None:
        a = self._analysis
        self.reason.setText("")
        self.early.setText("")
        if a is None:
            self._set_verdict("none", "No council selected")
            return
        doc = a.doc
        if a.status == "confirmed":
            start = a.slot_start(str(doc.get("finalSlotId")))
            attending = [str(m["name"]) for m in doc.get("mentors", ()) if m.get("attending")]
            when = self._when(start) if start is not None else "—"
            self._set_verdict("final", f"Confirmed: {when} with {', '.join(attending) or 'nobody'}")
        elif a.status == "cancelled":
            self._set_verdict("none", "Cancelled")
        elif a.decision is None:
            why = a.error or "no mentors assigned yet"
            self._set_verdict("none", f"Nothing to decide yet — {why}")
            return
        else:
            d = a.decision
            if d.status is Status.CONFIRMED and d.start is not None:
                names = ", ".join(a.name(m) for m in d.mentors)
                lead = "Ready to confirm" if a.status in CONFIRMABLE else "The engine picks"
                self._set_verdict("ready", f"{lead}: {self._when(d.start)} with {names}")
            elif d.status is Status.WAITING:
                top = d.ranking[0]
                seats = f"seats {len(top.attendees)} of minimum {doc['mentorMinimum']}"
                self._set_verdict(
                    "waiting", f"Waiting for answers — leading: {self._when(top.start)}, {seats}"
                )
            else:
                self._set_verdict(
                    "alternatives", "Needs alternatives: no slot can reach the minimum"
                )
        if a.decision is not None:
            self.early.setText(self._early_text(a))
            self.reason.setText(readable_reason(a, self._when))

    def _early_text(self, a: CouncilAnalysis) -> str:
        d, r = a.decision, a.request
        assert d is not None and r is not None
        pending = sorted({m for row in d.table_rows for m in row[10]}, key=a.name)
        names = ", ".join(a.name(m) for m in pending)
        if r.now >= r.deadline:
            return (
                "Early confirmation: not needed — the deadline has passed, "
                "pending answers count as no."
            )
        if not pending:
            return "Early confirmation: not needed — every mentor has answered."
        if a.early:
            return f"Early confirmation: yes — whatever {names} answer, no other slot can overtake."
        if d.status is Status.WAITING:
            return f"Early confirmation: not yet — {names} could still change the outcome."
        if d.status is Status.NEEDS_ALTERNATIVES:
            return (
                "Early confirmation: impossible — no slot reaches the minimum even if "
                f"{names} all say yes."
            )
        return f"Early confirmation: no — pending: {names}."

    def _update_decisive(self) -> None:
        while self.decisive_layout.count():
            item = self.decisive_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.decisive_buttons.clear()
        a = self._analysis
        if a is None or not a.decisive or not a.is_open:
            self.decisive_box.hide()
            return
        title = QLabel("Decisive answers — one yes from any of these confirms the council now:")
        title.setObjectName("decisiveTitle")
        self.decisive_layout.addWidget(title, 0, 0, 1, 2)
        for row, d in enumerate(a.decisive, start=1):
            slot_start = a.slot_start(d.slot)
            when = self._when(slot_start) if slot_start is not None else d.slot
            text = f"★ {a.name(d.mentor)} for {when} → confirms with {len(d.mentors)} mentors"
            label = QLabel(text)
            label.setObjectName("decisiveAnswer")
            button = QPushButton("Nudge")
            button.setObjectName("nudgeDecisive")
            button.setToolTip(
                f"Queue a reminder to {a.name(d.mentor)} only (the other pending "
                "mentors are not reminded)"
            )
            council_id, mentor_id = a.council_id, int(d.mentor)
            button.clicked.connect(
                lambda _=False, c=council_id, m=mentor_id: self.nudge_requested.emit(c, m)
            )
            self.decisive_layout.addWidget(label, row, 0)
            self.decisive_layout.addWidget(button, row, 1)
            self.decisive_buttons[(council_id, mentor_id)] = button
        self.decisive_box.show()

    def _update_alternatives(self) -> None:
        a = self._analysis
        if a is None or a.decision is None or not a.decision.alternatives or not a.is_open:
            self.alternatives.hide()
            return
        lines = ["<b>Alternatives</b> (from mentors' proposals and working hours):"]
        for alt in a.decision.alternatives:
            who = ", ".join(a.name(m) for m in alt.likely_attendees) or "nobody"
            mark = "✓" if alt.reaches_minimum else "·"
            lines.append(
                f"{mark} {self._when(alt.start)}–{alt.end.astimezone(self._zone):%H:%M}: {who}"
            )
        self.alternatives.setText("<br>".join(lines))
        self.alternatives.show()

    def _update_buttons(self) -> None:
        a = self._analysis
        d = a.decision if a is not None else None
        can_confirm = (
            a is not None
            and a.status in CONFIRMABLE
            and d is not None
            and d.status is Status.CONFIRMED
            and d.slot is not None
        )
        self.confirm_button.setEnabled(can_confirm)
        if can_confirm and d is not None and d.start is not None:
            self.confirm_button.setText(f"Confirm {self._when(d.start)}")
            self.confirm_button.setToolTip("Write the engine's decision to the platform")
        else:
            self.confirm_button.setText("Confirm")
            reason = "Select a council"
            if a is not None and a.status not in CONFIRMABLE:
                reason = f"The council is {a.status.replace('_', ' ')}"
                if a.is_open:
                    reason += "; only an admin override can settle it now"
            elif d is not None and d.status is Status.WAITING:
                reason = "The engine is waiting for answers: nudge the decisive mentors"
            elif d is not None:
                reason = "No slot reaches the minimum"
            self.confirm_button.setToolTip(reason)
        has_slots = a is not None and bool(a.doc.get("proposedTimeSlots")) and a.status != "draft"
        self.override_button.setEnabled(self._is_admin and has_slots)
        if not self._is_admin:
            self.override_button.setToolTip("Only an admin can override the engine")
        elif not has_slots:
            self.override_button.setToolTip("Nothing to override for this council")
        else:
            self.override_button.setToolTip("Pick another slot or mentor set, with a reason")

    # --- slots --------------------------------------------------------------------

    def _on_confirm(self) -> None:
        a = self._analysis
        if a is None or a.decision is None or a.decision.slot is None:
            return
        self.confirm_requested.emit(
            a.council_id, int(a.decision.slot), [int(m) for m in a.decision.mentors]
        )

    def _on_override(self) -> None:
        if self._analysis is not None:
            self.override_requested.emit(self._analysis.council_id)
