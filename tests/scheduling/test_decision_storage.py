"""A decision stores its ranking and table as plain tuples; reads give named tuples."""

from __future__ import annotations

from mentra_desktop.scheduling.attendance import evaluate
from mentra_desktop.scheduling.explanation import SlotRow
from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS, Mentor
from mentra_desktop.scheduling.selection import (
    RankedSlot,
    Status,
    can_confirm_early,
    select,
    select_many,
)

from .factories import DEADLINE, mentor, request, rng


def _council(pending: str = "e") -> list[Mentor]:
    answered = {"s1": "available", "s2": "available", "s3": "unavailable"}
    return [
        mentor("a", answered),
        mentor("b", answered),
        mentor("c", {"s1": "available", "s2": "tentative"}),
        mentor("d", {"s1": "available"}, partial={"s2": (rng(24, 24.5),)}),
        mentor(pending),
    ]


def test_ranking_and_table_are_plain_tuples_read_as_named_tuples() -> None:
    d = select(request(_council()))
    assert all(type(row) is tuple for row in d.ranking_rows + d.table_rows)
    assert all(isinstance(r, RankedSlot) for r in d.ranking)
    assert tuple(d.ranking) == d.ranking_rows
    rows = d.explanation.rows
    assert all(isinstance(r, SlotRow) for r in rows) and tuple(rows) == d.table_rows
    assert d.explanation.reason == d.reason
    assert [r.slot_id for r in rows] == [r.slot_id for r in d.ranking]
    assert rows[0].rank == 1 and rows[0].attendees == d.ranking[0].attendees


def test_decisions_compare_by_content() -> None:
    assert select(request(_council())) == select(request(_council()[::-1]))
    assert select(request(_council())) != select(request(_council(), now=DEADLINE))


def test_select_many_matches_select_one_by_one() -> None:
    requests = [
        request(_council()),
        request(_council(), now=DEADLINE),
        request(_council(), minimum=2, maximum=2, lead="c"),
        request([mentor(m, {"s1": "unavailable"}) for m in "abc"]),
    ]
    decisions = select_many(requests)
    assert decisions == [select(r) for r in requests]
    assert {d.status for d in decisions} >= {Status.WAITING, Status.CONFIRMED}


def test_public_early_check_agrees_with_select() -> None:
    no = {"s3": "unavailable"}
    both = {"s1": "available", "s2": "available", **no}
    seen = set()
    for late in ({}, {"s1": "available", "s2": "unavailable"}, {"s1": "available"}):
        ms = [mentor("a", both), mentor("b", both), mentor("c", {"s1": "available", **no})]
        ms += [mentor("d", {"s2": "available", **no}), mentor("e", late)]
        req = request(ms)
        d = select(req)
        ev = evaluate(req, DEFAULT_WEIGHTS)
        best = next(se for se in ev.slots if se.slot.id == d.ranking[0].slot_id)
        assert can_confirm_early(ev, best) == (d.status is Status.CONFIRMED)
        seen.add(d.status)
    assert seen == {Status.CONFIRMED, Status.WAITING}
