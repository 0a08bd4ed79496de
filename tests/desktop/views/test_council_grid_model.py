"""CouncilGridModel: Qt's model tester, sorting on every column, filters, in-place updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QTableView

from mentra_desktop.models.council_summary import summarize
from mentra_desktop.views.council_grid_model import (
    COLUMNS,
    DEADLINE,
    RISK,
    STATUS,
    TOPIC,
    CouncilGridModel,
    IdRole,
    SortRole,
)

NOW = datetime.now(UTC)


@pytest.fixture
def summaries(council_docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [summarize(doc, NOW) for doc in council_docs]


@pytest.fixture
def model(summaries: list[dict[str, Any]]) -> CouncilGridModel:
    m = CouncilGridModel(clock=lambda: NOW)
    m.set_summaries(summaries)
    return m


def test_model_tester(qtmodeltester: Any, model: CouncilGridModel) -> None:
    qtmodeltester.check(model, force_py=False)
    model.sort(TOPIC, Qt.SortOrder.DescendingOrder)
    model.set_filter("career")
    model.upsert({**model.summary(model.council_id(0)), "topic": "Career, renamed"})  # type: ignore[dict-item]
    qtmodeltester.check(model, force_py=False)


def test_every_seeded_council_is_a_row(model: CouncilGridModel, council_docs: list[Any]) -> None:
    assert model.rowCount() == len(council_docs) == 60
    ids = {model.index(r, 0).data(IdRole) for r in range(model.rowCount())}
    assert ids == {doc["id"] for doc in council_docs}


@pytest.mark.parametrize("column", range(len(COLUMNS)))
def test_sorts_on_every_column_by_raw_value(model: CouncilGridModel, column: int) -> None:
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(column, order)
        keys = [model.index(r, column).data(SortRole) for r in range(model.rowCount())]
        assert keys == sorted(keys, reverse=order == Qt.SortOrder.DescendingOrder)


def test_deadline_sorts_as_instants_not_text(model: CouncilGridModel) -> None:
    model.sort(DEADLINE)
    first = model.index(0, DEADLINE).data(SortRole)
    assert isinstance(first, float)


def test_search_and_status_filter(model: CouncilGridModel) -> None:
    model.set_filter(statuses={"confirmed"})
    assert model.rowCount() == 14
    assert {model.index(r, STATUS).data() for r in range(14)} == {"Confirmed"}
    model.set_filter("raising seed", statuses={"collecting", "confirmed"})
    topics = [model.index(r, TOPIC).data() for r in range(model.rowCount())]
    assert topics and all("seed" in t.casefold() for t in topics)
    model.set_filter()
    assert model.rowCount() == 60


def test_at_risk_filter_shows_only_flagged(model: CouncilGridModel) -> None:
    model.set_filter(at_risk_only=True)
    assert 0 < model.rowCount() < 60
    assert all(model.index(r, RISK).data() for r in range(model.rowCount()))


def test_stream_update_is_one_ranged_change_that_keeps_selection(
    qtbot: Any, model: CouncilGridModel
) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.sort(TOPIC)
    row = 17
    council_id = model.council_id(row)
    view.selectionModel().setCurrentIndex(
        model.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    changed: list[tuple[QModelIndex, QModelIndex]] = []
    model.dataChanged.connect(lambda a, b, roles=(): changed.append((a, b)))
    layout: list[bool] = []
    model.layoutChanged.connect(lambda *a: layout.append(True))
    model.modelReset.connect(lambda: layout.append(True))
    updated = {**model.summary(council_id), "topic": "Zzz moved to the end if re-sorted"}  # type: ignore[dict-item]
    model.upsert(updated)
    assert len(changed) == 1 and not layout
    first, last = changed[0]
    assert (first.row(), first.column(), last.row(), last.column()) == (row, 0, row, 7)
    assert model.index(row, TOPIC).data() == updated["topic"]
    assert view.selectionModel().currentIndex().row() == row
    assert [i.row() for i in view.selectionModel().selectedRows()] == [row]


def test_sort_keeps_the_selected_council_selected(qtbot: Any, model: CouncilGridModel) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectionModel().setCurrentIndex(
        model.index(5, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    council_id = model.council_id(5)
    model.sort(STATUS, Qt.SortOrder.DescendingOrder)
    current = view.selectionModel().currentIndex()
    assert current.data(IdRole) == council_id


def test_new_council_is_appended_and_deleted_one_removed(model: CouncilGridModel) -> None:
    template = dict(model.summary(model.council_id(0)) or {})
    model.upsert({**template, "id": 999_999, "topic": "Brand new"})
    assert model.rowCount() == 61 and model.index(60, TOPIC).data() == "Brand new"
    model.remove(999_999)
    assert model.rowCount() == 60 and model.row_of(999_999) is None


def test_countdown_ticks_with_the_clock(council_docs: list[Any]) -> None:
    now = [NOW]
    m = CouncilGridModel(clock=lambda: now[0])
    collecting = next(
        d
        for d in council_docs
        if d["mentorResponseDeadline"] and d["coordinationStatus"] == "collecting"
    )
    m.set_summaries([summarize(collecting, NOW)])
    before = m.index(0, DEADLINE).data()
    now[0] = NOW + timedelta(hours=5)
    m.tick()
    assert m.index(0, DEADLINE).data() != before
