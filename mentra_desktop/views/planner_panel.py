"""PlannerPanel ("Plan the week"): the cross-council optimiser over the councils in view.

Plan reads the councils in view and every confirmed one from the cache and plans them
(:func:`~mentra_desktop.client.batch_plan.plan_councils`, CPU-bound, bounded by its time
limit) in one task on the ``net`` worker — the ``db`` worker stays free for the views'
reads and writes — reporting each stage to an inline progress bar with Cancel. Cancel
returns at once and the late result is dropped (the solver, which cannot be interrupted,
finishes within its time limit on its worker; other ``net`` work waits for it meanwhile).

The result: the optimised plan beside the greedy one-at-a-time plan (councils scheduled,
attendees), the planned councils, the ones left unscheduled and why, and the mentors
wanted by several councils at once. **Apply…** asks once, then queues one ``confirm``
per planned council through the outbox (each still passes the platform's rules); the
Apply column then shows queued, confirmed, or the platform's refusal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mentra_desktop.client.batch_plan import (
    PlanCancelled,
    PlanInput,
    PlanOutcome,
    confirmations,
    plan_councils,
    plan_input,
)
from mentra_desktop.client.outbox_rows import OutboxRow
from mentra_desktop.client.pages import gc_paused
from mentra_desktop.views.controller import DesktopController
from mentra_desktop.views.planner_models import (
    COUNCIL_ROLE,
    ContestedModel,
    PlannedModel,
    UnscheduledModel,
)
from mentra_desktop.views.taskman import Op

if TYPE_CHECKING:
    from mentra_desktop.views.main_window import MainWindow

CouncilsInView = Callable[[], list[int]]
PLANNED_WIDTHS = (72, 280, 140, 360, 120)
"""Council, topic, slot, mentors, greedy (the Apply column stretches); long topics and
mentor lists are elided, the whole text is in the tooltip."""
UNSCHEDULED_WIDTHS = (72, 210)
CONTESTED_WIDTHS = (150,)
Planned = tuple[PlanOutcome, PlanInput]


def _table(model: Any, name: str, accessible: str) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setAccessibleName(accessible)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    return table


class PlannerPanel(QWidget):
    """See the module docstring. ``councils_in_view()`` gives the grid's filtered ids."""

    council_requested = Signal(int)
    planned = Signal(object)
    """A new :class:`PlanOutcome` is shown."""
    applied = Signal()
    """Every confirmation Apply queued has been settled (confirmed or refused)."""

    def __init__(
        self,
        controller: DesktopController,
        councils_in_view: CouncilsInView,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("plannerPanel")
        self.controller = controller
        self.councils_in_view = councils_in_view
        self.outcome: PlanOutcome | None = None
        self.confirm_box: QMessageBox | None = None
        self._cancel = threading.Event()
        self._generation = 0
        self._rows: dict[int, int] = {}  # outbox row id → council id (Apply)
        self._early: dict[int, str] = {}  # settled before its queueing was reported
        self.planned_model = PlannedModel(parent=self)
        self.unscheduled_model = UnscheduledModel(parent=self)
        self.contested_model = ContestedModel(parent=self)
        self._build()
        controller.writes_sent.connect(self._on_writes_sent)
        controller.write_failed.connect(self._on_write_failed)
        controller.write_conflict.connect(self._on_write_conflict)

    # --- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.plan_action = QAction("&Plan the week", self)
        self.plan_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.plan_action.setToolTip(
            "Plan every council in view that is still collecting or selecting (Ctrl+Shift+P)"
        )
        self.plan_action.triggered.connect(self.plan)
        self.plan_button = QPushButton("Plan the week")
        self.plan_button.setObjectName("planButton")
        self.plan_button.clicked.connect(self.plan)
        self.plan_button.setToolTip(self.plan_action.toolTip())
        self.time_limit = QDoubleSpinBox()
        self.time_limit.setObjectName("planTimeLimit")
        self.time_limit.setAccessibleName("Optimiser time limit in seconds")
        self.time_limit.setRange(1.0, 60.0)
        self.time_limit.setValue(5.0)
        self.time_limit.setSuffix(" s")
        self.time_limit.setToolTip("The optimiser stops at this limit with the best plan so far")
        self.progress = QProgressBar()
        self.progress.setObjectName("planProgress")
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(320)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("planCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.apply_button = QPushButton("Apply…")
        self.apply_button.setObjectName("planApply")
        self.apply_button.setToolTip("Confirm every planned council (asks first)")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.ask_apply)
        top = QHBoxLayout()
        top.addWidget(self.plan_button)
        top.addWidget(QLabel("Time limit"))
        top.addWidget(self.time_limit)
        top.addWidget(self.progress)
        top.addWidget(self.cancel_button)
        top.addStretch(1)
        top.addWidget(self.apply_button)

        self.summary = QLabel(
            "Plan the week: every council in view that is still collecting or selecting is "
            "given a slot and mentors at once, without double-booking anyone."
        )
        self.summary.setObjectName("planSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.planned_table = _table(self.planned_model, "plannedTable", "Planned councils")
        self.unscheduled_table = _table(
            self.unscheduled_model, "unscheduledTable", "Councils left unscheduled, and why"
        )
        self.contested_table = _table(
            self.contested_model, "contestedTable", "Mentors wanted by several councils at once"
        )
        for table in (self.planned_table, self.unscheduled_table):
            table.doubleClicked.connect(
                lambda index: self.council_requested.emit(int(index.data(COUNCIL_ROLE)))
            )
        self.planned_label = QLabel("<b>Planned</b>")
        self.unscheduled_label = QLabel("<b>Left unscheduled</b>")
        self.contested_label = QLabel("<b>Mentors wanted by several councils at once</b>")

        boxes = []
        for label, table in (
            (self.planned_label, self.planned_table),
            (self.unscheduled_label, self.unscheduled_table),
            (self.contested_label, self.contested_table),
        ):
            box = QWidget()
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(label)
            box_layout.addWidget(table)
            boxes.append(box)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(boxes[1])
        below.addWidget(boxes[2])
        below.setStretchFactor(0, 2)
        below.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setObjectName("plannerSplitter")
        self.splitter.addWidget(boxes[0])
        self.splitter.addWidget(below)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)

    # --- planning --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self.cancel_button.isHidden()

    def plan(self) -> None:
        """Plan the councils in view (see the module docstring)."""
        if self.running:
            return
        ids = self.councils_in_view()
        self._generation += 1
        generation = self._generation
        self._cancel = threading.Event()
        cancel = self._cancel
        self._set_running(True, "Reading councils", 0, 0)
        cache, tasks, limit = self.controller.cache, self.controller.tasks, self.time_limit.value()

        def report(stage: str, done: int, total: int) -> None:
            tasks.run_on_main(lambda: self._on_progress(generation, stage, done, total))

        def work() -> Planned:
            # One span without cyclic GC: a full collection over the documents just read
            # would hold the interpreter (and so the GUI thread) for 0.1-0.3 s.
            with gc_paused():
                docs = cache.documents(ids)
                confirmed = cache.documents(cache.ids(statuses=["confirmed"]))
                inp = plan_input(docs, confirmed, datetime.now(UTC), report, cancel.is_set)
                del docs, confirmed  # freed before collection resumes
                return plan_councils(inp, limit, report, cancel.is_set), inp

        Op(
            tasks, work, lambda result: self._on_planned(generation, result), "plan the week"
        ).failure(lambda exc: self._on_failed(generation, exc)).run("net")

    def cancel(self) -> None:
        """Stop planning; whatever the worker still computes is dropped."""
        self._cancel.set()
        self._generation += 1
        self._set_running(False)
        self.summary.setText("Planning cancelled: nothing was changed.")

    def _set_running(self, on: bool, stage: str = "", done: int = 0, total: int = 0) -> None:
        self.progress.setVisible(on)
        self.cancel_button.setVisible(on)
        self.plan_button.setEnabled(not on)
        self.plan_action.setEnabled(not on)
        self.time_limit.setEnabled(not on)
        if on:
            self.apply_button.setEnabled(False)
            self._on_progress(self._generation, stage, done, total)
        else:
            self.apply_button.setEnabled(bool(self.outcome and self.outcome.planned))

    def _on_progress(self, generation: int, stage: str, done: int, total: int) -> None:
        if generation != self._generation:
            return
        self.progress.setRange(0, total if total > 0 else 0)
        self.progress.setValue(min(done, total))
        self.progress.setFormat(f"{stage}… %v of %m" if total > 4 else f"{stage}…")

    def _on_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._set_running(False)
        if isinstance(exc, PlanCancelled):
            return
        self.summary.setText(f"Planning failed: {exc}")

    def _on_planned(self, generation: int, result: Planned) -> None:
        if generation != self._generation:
            return  # cancelled meanwhile
        outcome, inp = result
        self.outcome = outcome
        self._rows.clear()
        self.planned_model.set_plan(outcome.planned, outcome.greedy, inp.mentor_names)
        self.unscheduled_model.set_records(outcome.unscheduled)
        self.contested_model.set_records(outcome.contested)
        for table, widths in (
            (self.planned_table, PLANNED_WIDTHS),
            (self.unscheduled_table, UNSCHEDULED_WIDTHS),
            (self.contested_table, CONTESTED_WIDTHS),
        ):
            for column, width in enumerate(widths):
                table.setColumnWidth(column, width)
        self.planned_label.setText(f"<b>Planned</b> ({len(outcome.planned)})")
        self.unscheduled_label.setText(f"<b>Left unscheduled</b> ({len(outcome.unscheduled)})")
        self.contested_label.setText(
            f"<b>Mentors wanted by several councils at once</b> ({len(outcome.contested)})"
        )
        self.summary.setText(summary_text(outcome))
        self._set_running(False)
        self.planned.emit(outcome)

    # --- apply -------------------------------------------------------------------------------

    def ask_apply(self) -> None:
        """One confirmation dialog, window-modal (``open()``), then :meth:`apply`."""
        if self.outcome is None or not self.outcome.planned:
            return
        n = len(self.outcome.planned)
        box = QMessageBox(self)
        box.setObjectName("planApplyConfirm")
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Apply the plan")
        box.setText(f"Confirm {n} council{'s' * (n != 1)} at the planned slots?")
        box.setInformativeText(
            "Each confirmation is sent through the outbox and checked by the platform's "
            "rules; a refusal is shown beside its council. Invitations go to the attendees."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.finished.connect(lambda _r: self._on_apply_answer(box))
        self.confirm_box = box
        box.open()

    def _on_apply_answer(self, box: QMessageBox) -> None:
        self.confirm_box = None
        yes = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if yes:
            self.apply()

    def apply(self) -> None:
        """Queue one ``confirm`` per planned council (no question asked: see
        :meth:`ask_apply`)."""
        if self.outcome is None:
            return
        self.apply_button.setEnabled(False)
        for planned, write in zip(
            self.outcome.planned, confirmations(self.outcome.planned), strict=True
        ):
            council_id = planned.council_id
            self.planned_model.set_state(council_id, "queued")

            def queued(row_id: int, council_id: int = council_id) -> None:
                self._rows[row_id] = council_id
                if row_id in self._early:
                    self._settle(row_id, self._early.pop(row_id))

            self.controller.queue(write, queued)

    def _settle(self, row_id: int, state: str) -> None:
        council_id = self._rows.pop(row_id, None)
        if council_id is None:
            if self._applying():
                self._early[row_id] = state  # the sender beat the queue's report
            return
        self.planned_model.set_state(council_id, state)
        if not self._rows and all(
            not s.startswith("queued") for s in self.planned_model.states.values()
        ):
            self.applied.emit()

    def _applying(self) -> bool:
        return any(s == "queued" for s in self.planned_model.states.values())

    def _on_writes_sent(self, row_ids: list[int]) -> None:
        for row_id in row_ids:
            self._settle(row_id, "confirmed")

    def _on_write_failed(self, row: OutboxRow) -> None:
        self._settle(row.id, f"refused: {row.message or row.status}")

    def _on_write_conflict(self, row: OutboxRow) -> None:
        self._settle(row.id, "changed meanwhile: see the conflict dialog")


def summary_text(outcome: PlanOutcome) -> str:
    """The plan beside greedy's, in one short paragraph (rich text)."""
    proven = "proven best" if outcome.status == "optimal" else "best found in time"
    gained = len(outcome.planned) - len(outcome.greedy)
    extra = (
        f" — <b>{gained} more</b> than one at a time"
        if gained > 0
        else " — the same number as one at a time"
    )
    skipped = len(outcome.skipped)
    tail = f"; {skipped} in view not collecting or selecting" if skipped else ""
    return (
        f"<b>Optimised</b> ({proven}, {outcome.seconds:.2f} s): "
        f"<b>{len(outcome.planned)}</b> of {outcome.considered} councils scheduled, "
        f"{outcome.attendees} attendees{extra}. "
        f"<b>Greedy, one at a time</b>: {len(outcome.greedy)} councils, "
        f"{outcome.greedy_attendees} attendees{tail}."
    )


def install_planner(window: MainWindow, key: str = "Ctrl+6") -> PlannerPanel:
    """Build the planner as a page of ``window`` (View entry ``key``) over the grid's
    councils in view, with Tools > Plan the week (Ctrl+Shift+P) and a double click on a
    council jumping to it in the grid."""
    model = window.grid_model

    def in_view() -> list[int]:
        return [model.council_id(row) for row in range(model.rowCount())]

    panel = PlannerPanel(window.controller, in_view)
    window.add_page(panel, "&Plan the week", key)
    panel.plan_action.triggered.connect(lambda: window.reveal(panel))
    window.add_tool_action(panel.plan_action)

    def show(council_id: int) -> None:
        if not window.show_council(council_id):
            window.statusBar().showMessage(
                f"Council #{council_id} is not in the grid (cleared or filtered out)", 8000
            )

    panel.council_requested.connect(show)
    return panel
