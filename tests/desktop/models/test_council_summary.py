"""The grid's per-council summary: a pure function of document and instant (no Qt)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mentra_desktop.models.council_summary import (
    RISK_TEXT,
    CouncilSummary,
    risks,
    summarize,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def no_engine(doc: Any, now: datetime) -> None:
    return None


def answers(*values: str) -> list[dict[str, Any]]:
    return [
        {"slotId": i + 1, "answer": v, "partialRanges": [], "answeredAt": None}
        for i, v in enumerate(values)
    ]


def seat(mentor_id: int, *values: str, lead: bool = False, **kw: Any) -> dict[str, Any]:
    responded = any(v != "pending" for v in values)
    return {
        "id": mentor_id,
        "mentorId": mentor_id,
        "name": f"Mentor {mentor_id}",
        "isLead": lead,
        "availabilityResponse": "available" if responded else "pending",
        "notificationSent": True,
        "reminderCount": 0,
        "slotAnswers": answers(*values),
        **kw,
    }


def doc(status: str = "collecting", mentors: list[dict[str, Any]] | None = None, **kw: Any):
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    base: dict[str, Any] = {
        "id": 7,
        "topic": "Pricing a B2B product",
        "menteeId": 9,
        "leadMentorId": None,
        "proposedTimeSlots": [
            {"id": i + 1, "start": (start + timedelta(days=i)).isoformat().replace("+00:00", "Z")}
            for i in range(3)
        ],
        "mentorResponseDeadline": "2026-11-28T12:00:00Z",
        "finalSlotId": None,
        "mentorMinimum": 3,
        "mentorMaximum": 5,
        "coordinationStatus": status,
        "invitationsSentAt": "2026-11-25T12:00:00Z",
        "version": 4,
        "changeSeq": 31,
        "mentors": mentors if mentors is not None else [],
    }
    base.update(kw)
    return base


def test_counts_lead_and_json_round_trip() -> None:
    mentors = [
        seat(10, "available", "unavailable", "tentative", lead=True),
        seat(11, "pending", "pending", "pending"),
        seat(12, "unavailable", "unavailable", "unavailable"),
    ]
    out = summarize(doc(mentors=mentors, leadMentorId=10), NOW, decide=no_engine)
    assert (out["answered"], out["invited"]) == (2, 3)
    assert out["lead"] == "Mentor 10"
    assert out["mentee"] == "Mentee #9"
    assert out["deadline"] == "2026-11-28T12:00:00+00:00"
    again = json.loads(json.dumps(out))
    assert CouncilSummary.from_dict(again).to_dict() == out


def test_deadline_risk_moves_with_the_clock_not_the_cache() -> None:
    mentors = [seat(m, "available", "pending", "pending") for m in (10, 11, 12)]
    out = summarize(doc(mentors=mentors), NOW, decide=no_engine)
    assert "deadline" not in risks(out, NOW)  # 48 h left
    assert "deadline" in risks(out, NOW + timedelta(hours=25))  # 23 h left
    assert "deadline" in risks(out, NOW + timedelta(days=3))  # overdue
    feasible = {**out, "feasible": True}
    assert "deadline" not in risks(feasible, NOW + timedelta(hours=25))


def test_lead_who_declined_every_slot() -> None:
    mentors = [seat(10, "unavailable", "unavailable", "unavailable", lead=True)]
    mentors += [seat(m, "available", "available", "available") for m in (11, 12, 13)]
    out = summarize(doc(mentors=mentors), NOW, decide=no_engine)
    assert out["lead_unavailable"]
    assert risks(out, NOW) == ("lead",)


def test_below_minimum_when_too_few_mentors_are_assigned() -> None:
    out = summarize(doc(mentors=[seat(10, "available", "available", "available")]), NOW, no_engine)
    assert risks(out, NOW) == ("minimum",)


@pytest.mark.parametrize(
    ("invited", "reminders", "silent"),
    [
        ("2026-11-25T12:00:00Z", 0, False),  # invited 24 h ago, never reminded: not yet
        ("2026-11-25T12:00:00Z", 1, True),  # reminded and still nothing
        ("2026-11-24T11:00:00Z", 0, True),  # invited more than 48 h ago
    ],
)
def test_silent_mentors(invited: str, reminders: int, silent: bool) -> None:
    mentors = [seat(m, "available", "available", "available") for m in (10, 11, 12)]
    mentors.append(seat(13, "pending", "pending", "pending", reminderCount=reminders))
    out = summarize(doc(mentors=mentors, invitationsSentAt=invited), NOW, decide=no_engine)
    assert out["silent"] == (["Mentor 13"] if silent else [])
    assert ("silent" in risks(out, NOW)) is silent


@pytest.mark.parametrize("status", ["draft", "confirmed", "cancelled"])
def test_no_risk_outside_the_open_phases(status: str) -> None:
    mentors = [seat(10, "unavailable", "unavailable", "unavailable", lead=True)]
    out = summarize(doc(status, mentors=mentors, finalSlotId=2), NOW, decide=no_engine)
    assert risks(out, NOW + timedelta(days=5)) == ()
    assert out["decision"] is None


def test_confirmed_council_shows_its_final_slot() -> None:
    out = summarize(doc("confirmed", finalSlotId=2), NOW, decide=no_engine)
    assert out["best_slot_id"] == 2
    assert out["best_slot_start"] == "2026-12-02T09:00:00+00:00"
    assert out["feasible"]


def test_every_risk_has_a_sentence() -> None:
    mentors = [seat(10, "unavailable", "unavailable", "unavailable", lead=True, reminderCount=0)]
    mentors.append(seat(11, "pending", "pending", "pending", reminderCount=2))
    out = summarize(doc(mentors=mentors), NOW, decide=no_engine)
    found = risks(out, NOW + timedelta(days=2))
    assert set(found) == set(RISK_TEXT)
