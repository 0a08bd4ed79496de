"""The planner page against the real platform: it plans the councils in view off the GUI
thread, the plan is valid (no double-booking, seats within min/max), Cancel drops a run,
and Apply confirms through the outbox after one question — the platform's answers checked,
a refusal shown beside its council."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester

from mentra_desktop.client.batch_plan import violations
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.planner_panel import PlannerPanel


def _planner(desktop: Desktop) -> PlannerPanel:
    panel: PlannerPanel = desktop.window.planner
    return panel


def _plan(qtbot: Any, panel: PlannerPanel) -> None:
    with qtbot.waitSignal(panel.planned, timeout=30_000):
        panel.plan_action.trigger()
    assert not panel.running


def _council(platform: Any, council_id: int) -> dict[str, Any]:
    with platform.http() as http:
        doc: dict[str, Any] = http.get(f"/api/v1/councils/{council_id}").json()
    return doc


def test_plan_is_valid_cancel_drops_a_run_and_models_check(
    qtbot: Any, open_app: Any, qtmodeltester: ModelTester
) -> None:
    desktop = open_app(stream=False)
    panel = _planner(desktop)
    panel.plan_action.trigger()
    assert panel.running and not panel.plan_button.isEnabled()
    panel.cancel()
    assert not panel.running and panel.outcome is None
    assert "cancelled" in panel.summary.text()

    _plan(qtbot, panel)
    outcome = panel.outcome
    assert outcome is not None and outcome.planned
    assert outcome.considered + len(outcome.skipped) == 60  # every council in view
    docs = desktop.cache.documents()
    confirmed = [d for d in docs if d["coordinationStatus"] == "confirmed"]
    from datetime import UTC, datetime

    from mentra_desktop.client.batch_plan import plan_input

    assert violations(outcome.planned, plan_input(docs, confirmed, datetime.now(UTC))) == []
    assert len(outcome.planned) >= len(outcome.greedy)
    assert panel.planned_model.rowCount() == len(outcome.planned)
    assert panel.unscheduled_model.rowCount() == len(outcome.unscheduled)
    assert "Greedy, one at a time" in panel.summary.text()
    for model in (panel.planned_model, panel.unscheduled_model, panel.contested_model):
        qtmodeltester.check(model)
    assert panel.apply_button.isEnabled()

    # Only the councils in view: filter the grid to one planned council's topic.
    target = outcome.planned[0]
    desktop.window.grid_model.set_filter(target.topic)
    _plan(qtbot, panel)
    assert panel.outcome is not None
    assert target.council_id in {p.council_id for p in panel.outcome.planned}
    assert panel.outcome.considered + len(panel.outcome.skipped) < 60


def test_apply_confirms_through_the_outbox_and_shows_refusals(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    qtbot.waitUntil(lambda: desktop.controller.state == "online", timeout=10_000)
    panel = _planner(desktop)
    _plan(qtbot, panel)
    outcome = panel.outcome
    assert outcome is not None and len(outcome.planned) >= 2
    refused = outcome.planned[-1]
    with platform.http() as http:  # another coordinator cancels one planned council
        version = _council(platform, refused.council_id)["version"]
        response = http.post(
            f"/api/v1/councils/{refused.council_id}/cancel",
            json={"reason": "mentee withdrew"},
            headers={"If-Match": f'"{version}"'},
        )
        assert response.status_code == 200, response.text
    qtbot.waitUntil(
        lambda: (
            (desktop.cache.document(refused.council_id) or {}).get("coordinationStatus")
            == "cancelled"
        ),
        timeout=10_000,
    )

    panel.apply_button.click()
    box = panel.confirm_box
    assert box is not None and "Confirm" in box.text()
    with qtbot.waitSignal(panel.applied, timeout=20_000):
        box.button(QMessageBox.StandardButton.Yes).click()
    states = panel.planned_model.states
    assert states[refused.council_id].startswith("refused")
    for planned in outcome.planned:
        doc = _council(platform, planned.council_id)
        if planned is refused:
            assert doc["coordinationStatus"] == "cancelled"
            continue
        assert states[planned.council_id] == "confirmed"
        assert doc["coordinationStatus"] == "confirmed"
        assert doc["finalSlotId"] == planned.slot_id
        attending = sorted(m["mentorId"] for m in doc["mentors"] if m["attending"])
        assert attending == list(planned.mentor_ids)
