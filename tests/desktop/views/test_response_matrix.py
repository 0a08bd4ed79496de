"""The response matrix: every answer kind coloured and labelled, tooltips, the lead and the
chosen slot marked, Nudge queued through the outbox to the platform; Qt's model tester."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from desktop_live import answer
from PySide6.QtCore import Qt

from mentra_desktop.scheduling.attendance import CellStatus
from mentra_desktop.views import palette
from mentra_desktop.views.council_analysis import CouncilAnalysis, analyse
from mentra_desktop.views.desktop import Desktop
from mentra_desktop.views.response_matrix_model import (
    ChosenRole,
    KindRole,
    ResponseMatrixModel,
)

NOW = datetime.now(UTC)
KINDS = ("available", "tentative", "partial", "unavailable", "pending", "busy")


def test_model_tester(qtmodeltester: Any, council_docs: list[Any]) -> None:
    model = ResponseMatrixModel()
    for doc in council_docs[:12]:
        model.set_analysis(analyse(doc, NOW))
        qtmodeltester.check(model, force_py=False)
    model.set_analysis(None)
    qtmodeltester.check(model, force_py=False)


def _busy_council(desktop: Desktop) -> CouncilAnalysis:
    """An open council where a mentor is busy on one slot and another has not answered."""
    for doc in desktop.cache.documents():
        a = analyse(doc, NOW)
        if not a.is_open or a.evaluation is None or a.status != "collecting":
            continue
        cells = [c for se in a.evaluation.slots for c in se.cells]
        if any(c.status is CellStatus.BUSY for c in cells) and any(
            c.status is CellStatus.PENDING for c in cells
        ):
            return a
    raise AssertionError("the seed has no collecting council with a busy mentor")


def _kinds(model: ResponseMatrixModel) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for row in range(model.rowCount()):
        for column in range(model.reminder_column):
            found.setdefault(model.index(row, column).data(KindRole), (row, column))
    return found


def test_every_answer_kind_has_its_colour_and_label(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    target = _busy_council(desktop)
    # One mentor who has answered gives a partial yes (the first half) for the last slot.
    slots = sorted(target.doc["proposedTimeSlots"], key=lambda s: s["position"])
    last = slots[-1]
    start = datetime.fromisoformat(last["start"].replace("Z", "+00:00"))
    answered = next(
        m
        for m in target.doc["mentors"]
        if m["availabilityResponse"] != "pending"
        and target.cell(str(m["mentorId"]), str(last["id"])).status is not CellStatus.BUSY
    )
    answer(
        platform.url,
        target.council_id,
        answered["mentorId"],
        [
            {
                "slotId": last["id"],
                "answer": "available",
                "partialRanges": [
                    {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
                ],
            }
        ],
    )
    window = desktop.window
    window.grid.select_council(target.council_id)
    model = window.matrix.model
    qtbot.waitUntil(lambda: set(KINDS) <= set(_kinds(model)), timeout=10_000)
    viewport = window.matrix.table.viewport()
    qtbot.waitUntil(lambda: viewport.isVisible())
    for kind, (row, column) in _kinds(model).items():
        index = model.index(row, column)
        window.matrix.table.scrollTo(index)  # the slot may be scrolled out beside the dock
        image = viewport.grab().toImage()
        swatch = palette.ANSWER[kind]
        assert index.data(KindRole) == kind
        assert str(index.data()).startswith(swatch.label.split()[0])
        rect = window.matrix.table.visualRect(index)
        # above the text: in a narrow column "Busy elsewhere" spans the whole cell
        painted = image.pixelColor(rect.left() + 6, rect.top() + 5)
        assert painted.name() == swatch.background.name(), (kind, painted.name())
    row, column = _kinds(model)["partial"]
    assert model.index(row, column).data() == "Partial 50%"
    tip = Qt.ItemDataRole.ToolTipRole
    assert "Can attend:" in model.index(row, column).data(tip)
    row, column = _kinds(model)["busy"]
    assert "another confirmed session" in model.index(row, column).data(tip)


def test_lead_is_starred_and_chosen_slot_marked(open_app: Any, qtbot: Any) -> None:
    desktop = open_app()
    ready = next(
        a
        for a in (analyse(d, NOW) for d in desktop.cache.documents())
        if a.is_open and a.decision is not None and a.decision.slot and a.doc["leadMentorId"]
    )
    desktop.window.grid.select_council(ready.council_id)
    model = desktop.window.matrix.model
    qtbot.waitUntil(
        lambda: model.analysis is not None and model.analysis.council_id == ready.council_id,
        timeout=5000,
    )
    lead_row = model.headerData(0, Qt.Orientation.Vertical)
    assert lead_row.startswith("★ ")
    columns = [c for c in range(model.reminder_column) if model.index(0, c).data(ChosenRole)]
    assert len(columns) == 1
    assert model.slot_at(columns[0])["id"] == int(ready.decision.slot)
    assert "✓" in model.headerData(columns[0], Qt.Orientation.Horizontal)


def _server_mentors(http: Any, target: Any) -> list[dict[str, Any]]:
    doc = http.get(f"/api/v1/councils/{target.council_id}").json()
    return list(doc["mentors"])


def test_nudge_reminds_that_mentor_only_on_the_platform(
    qtbot: Any, open_app: Any, platform: Any
) -> None:
    desktop = open_app()
    target = _busy_council(desktop)
    window = desktop.window
    window.grid.select_council(target.council_id)
    matrix = window.matrix
    qtbot.waitUntil(lambda: bool(matrix.nudge_buttons), timeout=5000)
    assert len(matrix.nudge_buttons) >= 2, "the test needs another pending mentor"
    mentor_id, button = next(iter(matrix.nudge_buttons.items()))
    assert "only" in button.toolTip()
    before = next(m for m in target.doc["mentors"] if m["mentorId"] == mentor_id)["reminderCount"]
    with platform.http() as http:
        url = f"/api/v1/councils/{target.council_id}/notifications"
        seen = {n["id"] for n in http.get(url, params={"kind": "reminder"}).json()}
        counts = {m["mentorId"]: m["reminderCount"] for m in _server_mentors(http, target)}
        button.click()
        qtbot.waitUntil(
            lambda: len(http.get(url, params={"kind": "reminder"}).json()) > len(seen),
            timeout=10_000,
        )
        new = [n for n in http.get(url, params={"kind": "reminder"}).json() if n["id"] not in seen]
        after = {m["mentorId"]: m["reminderCount"] for m in _server_mentors(http, target)}
    assert [n["recipientId"] for n in new] == [mentor_id]
    assert after == {m: c + (m == mentor_id) for m, c in counts.items()}
    assert window.undo_stack.count() == 1
    qtbot.waitUntil(
        lambda: (
            mentor_id in matrix.nudge_buttons
            and f"{before + 1}×" in matrix.nudge_buttons[mentor_id].text()
        ),
        timeout=10_000,
    )
