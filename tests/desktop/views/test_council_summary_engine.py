"""The summary's engine part on the real seeded documents (Qt-free; needs the seed only)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from mentra_desktop.models.council_summary import risks, summarize
from mentra_desktop.models.engine_bridge import selection_request
from mentra_desktop.scheduling.selection import Status, select

NOW = datetime.now(UTC)


def _by_decision(docs: list[dict[str, Any]], status: Status) -> list[dict[str, Any]]:
    return [
        d
        for d in docs
        if d["coordinationStatus"] in ("collecting", "selecting")
        and d["mentors"]
        and select(selection_request(d, NOW)).status is status
    ]


def test_waiting_council_shows_the_engines_front_runner(council_docs: list[Any]) -> None:
    waiting = _by_decision(council_docs, Status.WAITING)
    assert waiting
    for doc in waiting:
        decision = select(selection_request(doc, NOW))
        out = summarize(doc, NOW)
        assert out["decision"] == "waiting"
        assert out["best_slot_id"] == int(decision.ranking[0].slot_id)
        assert out["best_attendees"] == len(decision.ranking[0].attendees)
        assert out["feasible"] == decision.ranking[0].feasible


def test_needs_alternatives_has_no_best_slot_and_is_below_minimum(council_docs: list[Any]) -> None:
    hopeless = _by_decision(council_docs, Status.NEEDS_ALTERNATIVES)
    assert hopeless
    for doc in hopeless:
        out = summarize(doc, NOW)
        assert out["best_slot_id"] is None and out["below_minimum"]
        assert "minimum" in risks(out, NOW)


def test_confirmable_council_names_its_slot(council_docs: list[Any]) -> None:
    ready = _by_decision(council_docs, Status.CONFIRMED)
    assert ready
    for doc in ready:
        decision = select(selection_request(doc, NOW))
        out = summarize(doc, NOW)
        assert (out["decision"], out["best_slot_id"]) == ("confirmed", int(decision.slot or 0))
        assert out["feasible"] and "deadline" not in risks(out, NOW + timedelta(days=30))


def test_lead_busy_on_every_slot_is_a_risk(council_docs: list[Any]) -> None:
    doc = copy.deepcopy(
        next(
            d for d in council_docs if d["leadMentorId"] and d["coordinationStatus"] == "collecting"
        )
    )
    lead = next(m for m in doc["mentors"] if m["mentorId"] == doc["leadMentorId"])
    for answer in lead["slotAnswers"]:
        answer["answer"] = "available"
    starts = sorted(s["start"] for s in doc["proposedTimeSlots"])
    ends = sorted(s["end"] for s in doc["proposedTimeSlots"])
    lead["busy"] = [[starts[0], ends[-1]]]
    out = summarize(doc, NOW)
    assert out["lead_unavailable"] and "lead" in risks(out, NOW)


def test_a_document_the_engine_refuses_still_summarises(council_docs: list[Any]) -> None:
    doc = copy.deepcopy(
        next(d for d in council_docs if d["mentors"] and d["coordinationStatus"] == "collecting")
    )
    doc["mentors"][0]["timezone"] = "Mars/Olympus_Mons"
    out = summarize(doc, NOW)
    assert out["decision"] is None and out["invited"] == len(doc["mentors"])
