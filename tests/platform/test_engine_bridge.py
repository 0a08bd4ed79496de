"""The bridge's mapping choices, one by one, on hand-made council documents (no database)."""

from __future__ import annotations

from copy import deepcopy
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from mentra_desktop.models.engine_bridge import NO_DEADLINE, decide, selection_request
from mentra_desktop.scheduling.model import Answer, SchedulingInputError, WorkingHours

T0 = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # a Tuesday
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _z(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _seat(mentor_id: int, answers: list[str], **kw: Any) -> dict[str, Any]:
    seat: dict[str, Any] = {
        "id": mentor_id * 10,
        "mentorId": mentor_id,
        "name": f"M{mentor_id}",
        "email": "",
        "timezone": "Europe/Berlin",
        "isLead": False,
        "availabilityResponse": "pending",
        "responseDate": None,
        "conflictNotes": "",
        "alternativeProposals": [],
        "availableTimeSlots": {},
        "notificationSent": True,
        "lastReminderSent": None,
        "reminderCount": 0,
        "attending": None,
        "slotAnswers": [
            {"slotId": i + 1, "answer": a, "partialRanges": [], "answeredAt": None}
            for i, a in enumerate(answers)
        ],
        "expertiseMatch": 0.8,
        "seniority": 4,
        "workStart": "08:00",
        "workEnd": "17:00",
        "workingDays": [1, 2, 3, 4, 5],
        "busy": [],
    }
    seat.update(kw)
    return seat


def _council(seats: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": 7,
        "topic": "t",
        "description": "",
        "menteeId": 9,
        "leadMentorId": None,
        "proposedTimeSlots": [
            {
                "id": i + 1,
                "position": i + 1,
                "start": _z(T0 + timedelta(days=i)),
                "end": _z(T0 + timedelta(days=i, hours=1)),
                "priorityScore": 0.5 * i,
            }
            for i in range(3)
        ],
        "mentorResponseDeadline": _z(NOW + timedelta(days=2)),
        "finalTimeConfirmed": False,
        "finalSlotId": None,
        "coordinatorNotes": "",
        "mentorMinimum": 3,
        "mentorMaximum": 4,
        "coordinationStatus": "collecting",
        "videoLink": None,
        "invitationsSentAt": _z(NOW - timedelta(days=1)),
        "version": 3,
        "createdAt": _z(NOW - timedelta(days=2)),
        "updatedAt": _z(NOW),
        "changeSeq": 5,
        "registrationCount": 0,
        "mentors": seats,
    }
    doc.update(kw)
    return doc


def test_fields_map_onto_the_engines_vocabulary() -> None:
    start = T0.isoformat()
    half = [[start, (T0 + timedelta(minutes=30)).isoformat()]]
    seat = _seat(
        10,
        ["available", "tentative", "pending"],
        alternativeProposals=[["2026-12-08T10:00:00Z", "2026-12-08T12:00:00Z"]],
        busy=[[_z(T0 + timedelta(days=1)), _z(T0 + timedelta(days=1, hours=1))]],
        conflictNotes="travel",
    )
    seat["slotAnswers"][1]["partialRanges"] = half
    request = selection_request(_council([seat], leadMentorId=10), NOW)
    (mentor,) = request.mentors
    assert mentor.id == "10" and mentor.timezone == "Europe/Berlin"
    assert (mentor.seniority, mentor.expertise_match) == (4.0, 0.8)
    assert mentor.working_hours == WorkingHours(time(8, 0), time(17, 0))
    assert mentor.answers == {"1": Answer.AVAILABLE, "2": Answer.TENTATIVE}  # pending left out
    assert [(r.start, r.end) for r in mentor.partial["2"]] == [(T0, T0 + timedelta(minutes=30))]
    assert mentor.alternatives[0].start == datetime(2026, 12, 8, 10, tzinfo=UTC)
    assert mentor.busy[0].start == T0 + timedelta(days=1) and mentor.conflict_notes == "travel"
    council = request.council
    assert council.id == "7" and council.lead_mentor == "10" and council.duration_minutes == 60
    assert [(s.id, s.priority) for s in council.slots] == [("1", 0.0), ("2", 0.5), ("3", 1.0)]
    assert (council.mentor_minimum, council.mentor_maximum) == (3, 4)
    assert request.deadline == NOW + timedelta(days=2) and request.now == NOW


def test_missing_facts_take_the_engines_defaults() -> None:
    bare = _seat(
        11,
        ["available"],
        timezone=None,
        seniority=None,
        workStart=None,
        workEnd=None,
        workingDays=None,
        expertiseMatch=None,
    )
    request = selection_request(_council([bare], leadMentorId=99), NOW)  # 99 holds no seat
    (mentor,) = request.mentors
    assert (mentor.timezone, mentor.seniority, mentor.expertise_match) == ("UTC", 1.0, 0.5)
    assert mentor.working_hours == WorkingHours()
    assert request.council.lead_mentor is None


def test_a_council_without_a_deadline_keeps_pending_answers_pending() -> None:
    seats = [_seat(m, ["available", "available", "available"]) for m in (10, 11)]
    seats.append(_seat(12, []))
    doc = _council(seats, mentorResponseDeadline=None)
    assert selection_request(doc, NOW).deadline == NO_DEADLINE
    assert decide(doc, NOW).status == "waiting"  # 12 may still answer
    closed = _council(deepcopy(seats), mentorResponseDeadline=_z(NOW))
    assert decide(closed, NOW).status == "needs_alternatives"


def test_unequal_slots_are_judged_on_the_longest() -> None:
    doc = _council([_seat(10, ["available"])])
    doc["proposedTimeSlots"][2]["end"] = _z(T0 + timedelta(days=2, minutes=90))
    assert selection_request(doc, NOW).council.duration_minutes == 90


def test_overnight_profiles_pass_through() -> None:
    owl = _seat(10, ["available"], workStart="22:00", workEnd="06:00", workingDays=[7, 1])
    (mentor,) = selection_request(_council([owl]), NOW).mentors
    assert mentor.working_hours.overnight and mentor.working_hours.days == frozenset({7, 1})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "mentors[10].timezone"),
        ({"workStart": "09:00", "workEnd": "09:00"}, "mentors[10].working_hours.end"),
        (
            {"alternativeProposals": [["2026-12-08T10:00:00", "2026-12-08T11:00:00"]]},
            "mentors[10].alternatives[0][0]",
        ),
    ],
)
def test_a_document_the_engine_refuses_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SchedulingInputError) as caught:
        selection_request(_council([_seat(10, ["available"], **change)]), NOW)
    assert caught.value.field == field


def test_decision_view_speaks_platform_ids() -> None:
    seats = [_seat(m, ["unavailable", "available", "available"]) for m in (10, 11, 12)]
    out = decide(_council(seats, leadMentorId=11), NOW)
    assert out.status == "confirmed" and out.slot_id == 3  # higher priority, all three come
    assert out.mentor_ids == [10, 11, 12] and out.lead_included
    assert out.council_id == 7 and out.version == 3 and out.as_of == NOW
    assert [r.slot_id for r in out.ranking] == [3, 2, 1]
    assert out.explanation.table[0].attending == [10, 11, 12] and out.explanation.reason
