"""The decision panel against the real platform: the local engine agrees with the
platform's decision endpoint, decisive answers, confirm round-trip, override rules,
and a refused write rolled back with the platform's message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from conftest import ADMIN
from desktop_live import answer
from PySide6.QtWidgets import QMessageBox

from mentra_desktop.views.council_analysis import CouncilAnalysis, analyse
from mentra_desktop.views.council_grid_model import STATUS
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.explanation_model import ExplanationModel
from mentra_desktop.views.override_dialog import OverrideDialog

NOW = datetime.now(UTC)


def test_model_tester(qtmodeltester: Any, council_docs: list[Any]) -> None:
    model = ExplanationModel()
    for doc in council_docs[:12]:
        model.set_analysis(analyse(doc, NOW))
        qtmodeltester.check(model, force_py=False)


def _pick(desktop: Desktop, predicate: Any) -> CouncilAnalysis:
    for doc in desktop.cache.documents():
        a = analyse(doc, NOW)
        if a.decision is not None and predicate(a):
            return a
    raise AssertionError("no council matches")


def _show(qtbot: Any, desktop: Desktop, council_id: int) -> CouncilAnalysis:
    panel = desktop.window.decision
    desktop.window.grid.select_council(council_id)
    qtbot.waitUntil(
        lambda: panel.analysis is not None and panel.analysis.council_id == council_id,
        timeout=5000,
    )
    assert panel.analysis is not None
    return panel.analysis


def test_local_engine_matches_the_platforms_decision(open_app: Any, platform: Any) -> None:
    desktop = open_app(stream=False)
    with platform.http() as http:
        for doc in desktop.cache.documents():
            if doc["coordinationStatus"] not in ("collecting", "selecting") or not doc["mentors"]:
                continue
            theirs = http.get(f"/api/v1/councils/{doc['id']}/decision").json()
            as_of = datetime.fromisoformat(theirs["asOf"].replace("Z", "+00:00"))
            ours = analyse(doc, as_of).decision
            assert ours is not None
            assert ours.status.value == theirs["status"], doc["id"]
            assert (int(ours.slot) if ours.slot else None) == theirs["slotId"]
            assert [int(m) for m in ours.mentors] == theirs["mentorIds"]
            assert ours.reason == theirs["explanation"]["reason"]


def test_decisive_answer_then_the_yes_that_makes_it_ready(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    waiting = _pick(desktop, lambda a: a.is_open and bool(a.decisive))
    panel = desktop.window.decision
    shown = _show(qtbot, desktop, waiting.council_id)
    decisive = shown.decisive[0]
    assert panel.verdict.text().startswith("Waiting for answers")
    assert not panel.decisive_box.isHidden()
    assert (waiting.council_id, int(decisive.mentor)) in panel.decisive_buttons
    assert not panel.confirm_button.isEnabled()
    assert "waiting" in panel.confirm_button.toolTip()
    # The matrix marks the same cell.
    matrix = desktop.window.matrix.model
    assert any(
        matrix.index(r, c).data() == "Pending ★"
        for r in range(matrix.rowCount())
        for c in range(matrix.reminder_column)
    )
    answer(
        platform.url,
        waiting.council_id,
        int(decisive.mentor),
        [{"slotId": int(decisive.slot), "answer": "available"}],
    )
    # The platform may confirm it on its own as soon as the engine can (then it is final).
    qtbot.waitUntil(
        lambda: panel.verdict.text().startswith(("Ready to confirm", "Confirmed:")),
        timeout=10_000,
    )
    assert panel.decisive_box.isHidden()
    assert panel.confirm_button.isEnabled() == panel.verdict.text().startswith("Ready")


def test_nudging_a_decisive_mentor_reminds_only_them(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    waiting = _pick(
        desktop,
        lambda a: (
            a.is_open
            and bool(a.decisive)
            and sum(m["availabilityResponse"] == "pending" for m in a.doc["mentors"]) >= 2
        ),
    )
    panel = desktop.window.decision
    shown = _show(qtbot, desktop, waiting.council_id)
    mentor_id = int(shown.decisive[0].mentor)
    button = panel.decisive_buttons[(waiting.council_id, mentor_id)]
    assert shown.name(str(mentor_id)) in button.toolTip() and "only" in button.toolTip()
    url = f"/api/v1/councils/{waiting.council_id}/notifications"
    with platform.http() as http:
        seen = {n["id"] for n in http.get(url, params={"kind": "reminder"}).json()}
        button.click()
        qtbot.waitUntil(
            lambda: len(http.get(url, params={"kind": "reminder"}).json()) > len(seen),
            timeout=10_000,
        )
        new = [n for n in http.get(url, params={"kind": "reminder"}).json() if n["id"] not in seen]
    assert [n["recipientId"] for n in new] == [mentor_id]


def test_confirm_round_trip(qtbot: Any, open_app: Any, platform: Any) -> None:
    desktop = open_app()
    ready = _pick(
        desktop,
        lambda a: (
            a.status in ("collecting", "selecting") and a.decision.status.value == "confirmed"
        ),
    )
    panel = desktop.window.decision
    _show(qtbot, desktop, ready.council_id)
    assert ready.decision is not None
    panel.confirm_button.click()
    with platform.http() as http:
        qtbot.waitUntil(
            lambda: (
                http.get(f"/api/v1/councils/{ready.council_id}").json()["coordinationStatus"]
                == "confirmed"
            ),
            timeout=10_000,
        )
        doc = http.get(f"/api/v1/councils/{ready.council_id}").json()
    assert doc["finalSlotId"] == int(ready.decision.slot or 0)
    assert sorted(m["mentorId"] for m in doc["mentors"] if m["attending"]) == sorted(
        int(m) for m in ready.decision.mentors
    )
    model, grid = desktop.window.grid_model, desktop.window.grid
    qtbot.waitUntil(
        lambda: model.index(model.row_of(ready.council_id) or 0, STATUS).data() == "Confirmed",
        timeout=10_000,
    )
    assert grid.selected_id() == ready.council_id
    qtbot.waitUntil(lambda: panel.verdict.text().startswith("Confirmed:"), timeout=10_000)
    qtbot.waitUntil(lambda: desktop.window.status.status.waiting == 0, timeout=10_000)


def test_override_is_for_admins_only(qtbot: Any, open_app: Any) -> None:
    desktop = open_app(stream=False)
    target = _pick(desktop, lambda a: a.is_open)
    panel = desktop.window.decision
    _show(qtbot, desktop, target.council_id)
    assert not panel.override_button.isEnabled()
    assert panel.override_button.toolTip() == "Only an admin can override the engine"


def test_admin_override_needs_a_reason_and_names_the_rules_it_breaks(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app(ADMIN)
    target = _pick(desktop, lambda a: a.is_open and a.decision.slot is not None)
    panel = desktop.window.decision
    _show(qtbot, desktop, target.council_id)
    assert panel.override_button.isEnabled()
    panel.override_button.click()
    dialog = desktop.window.active_dialog
    assert isinstance(dialog, OverrideDialog)
    assert not dialog.ok.isEnabled()
    assert dialog.rules.text().startswith("None")  # the engine's own pick
    other = next(
        i for i in range(dialog.slot.count()) if dialog.slot.itemData(i) != target.decision.slot
    )
    dialog.slot.setCurrentIndex(other)
    assert "is not the engine's choice" in dialog.rules.text()
    chosen_slot = int(dialog.slot.itemData(other))
    dialog.reason.setPlainText("Mentee can only make this time")
    assert dialog.ok.isEnabled()
    mentors = dialog.mentor_ids
    dialog.ok.click()
    with platform.http(ADMIN) as http:
        qtbot.waitUntil(
            lambda: (
                http.get(f"/api/v1/councils/{target.council_id}").json()["finalSlotId"]
                == chosen_slot
            ),
            timeout=10_000,
        )
        doc = http.get(f"/api/v1/councils/{target.council_id}").json()
    assert doc["coordinationStatus"] == "confirmed"
    assert sorted(m["mentorId"] for m in doc["mentors"] if m["attending"]) == mentors


def test_refused_write_is_rolled_back_with_the_platforms_message(qtbot: Any, open_app: Any) -> None:
    desktop = open_app()
    target = _pick(desktop, lambda a: a.is_open and a.status == "collecting")
    model = desktop.window.grid_model
    row = model.row_of(target.council_id)
    assert row is not None
    # A coordinator's override (the UI does not offer it) reaches the platform: 403.
    desktop.controller.override(target.council_id, "testing a refusal", None, None)
    qtbot.waitUntil(lambda: isinstance(desktop.window.active_dialog, QMessageBox), timeout=10_000)
    box = desktop.window.active_dialog
    assert isinstance(box, QMessageBox)
    assert "refused (403)" in box.text() and "admin" in box.text().casefold()
    qtbot.waitUntil(lambda: model.index(row, STATUS).data() == "Collecting", timeout=10_000)
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: desktop.window.status.status.waiting == 0, timeout=10_000)
