"""The batch planner's Qt-free core on the seeded councils and on crafted clashes: who is
plannable, pending read as no, confirmed councils as busy, both plans valid, reasons for
the unscheduled, contested mentors, and the validator catching a broken plan."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from mentra_desktop.client.batch_plan import (
    PLANNABLE,
    PlanCancelled,
    plan_councils,
    plan_input,
    violations,
)
from mentra_desktop.scheduling.model import Answer

NOW = datetime.now(UTC)


def _template(docs: list[Any]) -> dict[str, Any]:
    doc = next(d for d in docs if d["coordinationStatus"] in PLANNABLE and len(d["mentors"]) >= 3)
    return copy.deepcopy(doc)


def _clash(docs: list[Any], council_id: int, status: str = "collecting") -> dict[str, Any]:
    """A council of the template's first three mentors, one slot, all three say yes."""
    doc = _template(docs)
    slot = doc["proposedTimeSlots"][0]
    doc["id"] = council_id
    doc["topic"] = f"Clash {council_id}"
    doc["coordinationStatus"] = status
    doc["proposedTimeSlots"] = [slot]
    doc["mentorMinimum"] = doc["mentorMaximum"] = 3
    doc["mentors"] = doc["mentors"][:3]
    doc["leadMentorId"] = doc["mentors"][0]["mentorId"]
    for seat in doc["mentors"]:
        seat["busy"] = []
        seat["availabilityResponse"] = "available"
        seat["attending"] = status == "confirmed"
        seat["slotAnswers"] = [
            {"slotId": slot["id"], "answer": "available", "partialRanges": [], "answeredAt": None}
        ]
    if status == "confirmed":
        doc["finalSlotId"] = slot["id"]
    return doc


def test_seeded_councils_plan_validly_beside_greedy(council_docs: list[Any]) -> None:
    confirmed = [d for d in council_docs if d["coordinationStatus"] == "confirmed"]
    stages: list[str] = []
    inp = plan_input(council_docs, confirmed, NOW, lambda s, _d, _t: stages.append(s))
    plannable = [d for d in council_docs if d["coordinationStatus"] in PLANNABLE]
    assert len(inp.requests) + len(inp.skipped) == len(council_docs)
    assert {int(r.council.id) for r in inp.requests} <= {d["id"] for d in plannable}
    assert inp.confirmed, "the seed has confirmed councils whose mentors are busy"
    for request in inp.requests:  # pending read as unavailable: every slot answered
        for mentor in request.mentors:
            assert {s.id for s in request.council.slots} <= set(mentor.answers)
    outcome = plan_councils(inp, time_limit_s=5, progress=lambda s, _d, _t: stages.append(s))
    assert stages[0] == "Reading councils" and stages[-1] == "Done"
    assert violations(outcome.planned, inp) == [] and violations(outcome.greedy, inp) == []
    assert len(outcome.planned) >= len(outcome.greedy)
    planned = [p.council_id for p in outcome.planned]
    unscheduled = [u.council_id for u in outcome.unscheduled]
    assert sorted(planned + unscheduled) == sorted(int(r.council.id) for r in inp.requests)
    assert all(u.reason for u in outcome.unscheduled)
    for p in outcome.planned:
        fact = inp.facts[p.council_id]
        assert fact.minimum <= len(p.mentor_ids) <= fact.maximum


def test_clashing_councils_one_planned_the_other_told_why(council_docs: list[Any]) -> None:
    first, second = _clash(council_docs, 9001), _clash(council_docs, 9002)
    inp = plan_input([first, second], [], NOW)
    outcome = plan_councils(inp, time_limit_s=2)
    assert len(outcome.planned) == 1 and len(outcome.greedy) == 1
    winner = outcome.planned[0].council_id
    (left,) = outcome.unscheduled
    assert left.council_id == ({9001, 9002} - {winner}).pop()
    assert f"#{winner}" in left.reason
    assert len(outcome.contested) == 3
    assert all(c.council_ids == (9001, 9002) for c in outcome.contested)

    # The same mentors already confirmed at that hour: neither council can happen.
    busy = _clash(council_docs, 9003, status="confirmed")
    inp = plan_input([first, second, busy], [busy], NOW)
    outcome = plan_councils(inp, time_limit_s=2)
    assert outcome.planned == () and len(outcome.unscheduled) == 2
    assert all("At best 0 of the 3 mentors" in u.reason for u in outcome.unscheduled)
    assert (9003, "confirmed") in outcome.skipped


def test_validator_catches_double_booking_and_seat_counts(council_docs: list[Any]) -> None:
    first, second = _clash(council_docs, 9001), _clash(council_docs, 9002)
    inp = plan_input([first, second], [], NOW)
    good = plan_councils(inp, time_limit_s=2).planned[0]
    other = 9002 if good.council_id == 9001 else 9001
    double = dataclasses.replace(good, council_id=other)
    assert any("double-booked" in v for v in violations([good, double], inp))
    short = dataclasses.replace(good, mentor_ids=good.mentor_ids[:2])
    assert any("seats 2 (allowed 3–3)" in v for v in violations([short], inp))
    first["mentors"][0]["slotAnswers"] = []  # pending: read as a no
    inp = plan_input([first], [], NOW)
    assert inp.requests[0].mentors[0].answers[str(good.slot_id)] == Answer.UNAVAILABLE
    assert plan_councils(inp, time_limit_s=2).planned == ()


def test_cancel_stops_before_planning(council_docs: list[Any]) -> None:
    with pytest.raises(PlanCancelled):
        plan_input(council_docs, [], NOW, cancelled=lambda: True)
    inp = plan_input(council_docs, [], NOW)
    with pytest.raises(PlanCancelled):
        plan_councils(inp, cancelled=lambda: True)
