"""The response matrix marks answers pre-filled from a mentor's calendar (the council
document's ``source``), in the cell and in its tooltip; the mentor's own answers carry no
mark; the legend explains it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from mentra_desktop.views.council_analysis import analyse
from mentra_desktop.views.response_matrix_model import ResponseMatrixModel, SourceRole
from mentra_desktop.views.response_matrix_view import CALENDAR_MARK, ResponseMatrixView

NOW = datetime.now(UTC)


def test_calendar_answers_are_marked(qtbot: Any, council_docs: list[Any]) -> None:
    doc = copy.deepcopy(next(d for d in council_docs if d["mentors"] and d["proposedTimeSlots"]))
    slot = doc["proposedTimeSlots"][0]["id"]
    seat = doc["mentors"][0]
    seat["slotAnswers"] = [a for a in seat["slotAnswers"] if a["slotId"] != slot] + [
        {"slotId": slot, "answer": "unavailable", "partialRanges": [], "answeredAt": None,
         "source": "calendar"},
    ]  # fmt: skip
    model = ResponseMatrixModel()
    model.set_analysis(analyse(doc, NOW))
    rows = range(model.rowCount())
    row = next(r for r in rows if model.mentor_at(r)["mentorId"] == seat["mentorId"])
    marked = model.index(row, 0)
    assert marked.data(SourceRole) == "calendar"
    assert "Pre-filled from their calendar" in marked.data(Qt.ItemDataRole.ToolTipRole)
    for column in range(1, model.reminder_column):
        other = model.index(row, column)
        assert other.data(SourceRole) is None
        assert "calendar when invited" not in other.data(Qt.ItemDataRole.ToolTipRole)

    view = ResponseMatrixView()
    qtbot.addWidget(view)
    view.set_analysis(analyse(doc, NOW))
    assert any(
        CALENDAR_MARK in label.text() for label in view.legend.findChildren(type(view.title))
    )
