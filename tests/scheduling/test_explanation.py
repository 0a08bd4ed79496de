"""Explanations: the table adds up, and the paragraph names slot, runner-up and the missing."""

from __future__ import annotations

import pytest

from mentra_desktop.scheduling.explanation import render_table
from mentra_desktop.scheduling.selection import select

from .factories import DEADLINE, mentor, request, rng


def test_table_lists_every_category_and_parts_add_up() -> None:
    ms = [
        mentor("a", {"s1": "available"}),
        mentor("b", {"s1": "available"}),
        mentor("c", {"s1": "available"}),
        mentor("t", {"s1": "tentative"}),
        mentor("p", {"s1": "available"}, partial={"s1": (rng(0, 0.5),)}),
        mentor("x", {"s1": "available"}, busy=(rng(0, 1),)),
        mentor("u", {"s1": "unavailable"}),
        mentor("w"),
    ]
    d = select(request(ms, maximum=5))
    row = next(r for r in d.explanation.rows if r.slot_id == "s1")
    assert row.available == ("a", "b", "c") and row.attendees == ("a", "b", "c")
    assert row.tentative == ("t",) and row.partial == (("p", 0.5),)
    assert row.busy == ("x",) and row.unavailable == ("u",) and row.pending == ("w",)
    for r in d.explanation.rows:
        assert r.score == pytest.approx(r.answers + r.priority - r.penalty)
    text = render_table(d.explanation)
    assert "p:50%" in text and text.splitlines()[0].startswith("#")


def test_reason_names_slot_runner_up_and_missing() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms.append(mentor("d", {"s1": "available", "s2": "unavailable"}))
    d = select(request(ms, now=DEADLINE))
    reason = d.explanation.reason
    assert "Slot s1" in reason and "is confirmed" in reason
    assert "ahead of s2 because it seats 4 mentors against 3" in reason


def test_reason_explains_waiting() -> None:
    answered = {"s1": "available", "s2": "available", "s3": "unavailable"}
    ms = [mentor(m, answered) for m in "abc"] + [mentor("d")]
    reason = select(request(ms)).explanation.reason
    assert "currently leads" in reason and "Waiting for d" in reason


def test_reason_explains_needs_alternatives() -> None:
    ms = [mentor(m, dict.fromkeys(["s1", "s2", "s3"], "unavailable")) for m in "abc"]
    reason = select(request(ms)).explanation.reason
    assert "No slot has 3 mentors" in reason and "Needs alternatives" in reason


def test_reason_explains_score_and_tie_breaks() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms.append(mentor("t", {"s1": "unavailable", "s2": "tentative", "s3": "unavailable"}))
    reason = select(request(ms, now=DEADLINE)).explanation.reason
    assert "its score" in reason and "beats s1's" in reason
    ms[3] = mentor("t", dict.fromkeys(["s1", "s2", "s3"], "unavailable"))
    reason = select(request(ms, now=DEADLINE)).explanation.reason
    assert "starts earlier" in reason
