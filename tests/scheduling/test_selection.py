"""Selection rules: feasibility, lead, attendee cap, score, tie-breaks, deadline."""

from __future__ import annotations

from datetime import time

import pytest

from mentra_desktop.scheduling.model import Slot, Weights, WorkingHours
from mentra_desktop.scheduling.selection import Status, select

from .factories import DEADLINE, at, mentor, request, rng

AFTER = DEADLINE  # decisions at the deadline treat pending as unavailable


def avail(*slot_ids: str) -> dict[str, str]:
    return dict.fromkeys(slot_ids, "available")


def decide(mentors, **kw):
    kw.setdefault("now", AFTER)
    return select(request(mentors, **kw))


def test_feasible_needs_minimum_fully_available() -> None:
    d = decide([mentor("a", avail("s2")), mentor("b", avail("s2")), mentor("c", avail("s1", "s2"))])
    assert d.status is Status.CONFIRMED and d.slot == "s2"
    assert d.mentors == ("a", "b", "c")
    assert [r.feasible for r in d.ranking] == [True, False, False]


def test_tentative_and_partial_do_not_count_for_feasibility() -> None:
    ms = [
        mentor("a", avail("s1")),
        mentor("b", avail("s1")),
        mentor("c", {"s1": "tentative"}),
        mentor("d", avail("s1"), partial={"s1": (rng(0, 0.5),)}),
    ]
    d = decide(ms)
    assert d.status is Status.NEEDS_ALTERNATIVES and d.slot is None and d.mentors == ()


def test_busy_mentor_does_not_count_even_if_available() -> None:
    ms = [
        mentor("a", avail("s1")),
        mentor("b", avail("s1")),
        mentor("c", avail("s1"), busy=(rng(0, 1),)),
    ]
    assert decide(ms).status is Status.NEEDS_ALTERNATIVES


def test_pending_counts_as_unavailable_at_deadline() -> None:
    ms = [mentor("a", avail("s1")), mentor("b", avail("s1")), mentor("c")]
    d = decide(ms)
    assert d.status is Status.NEEDS_ALTERNATIVES
    assert d.alternatives  # all-day mentors: plenty of common time


def test_lead_attending_beats_more_attendees() -> None:
    ms = [
        mentor("lead", avail("s2")),
        mentor("a", avail("s1", "s2")),
        mentor("b", avail("s1", "s2")),
        mentor("c", avail("s1")),
        mentor("d", avail("s1")),
    ]
    d = decide(ms, lead="lead")
    assert d.slot == "s2" and d.lead_included and "lead" in d.mentors


def test_more_attendees_beats_higher_score() -> None:
    ms = [mentor(m, avail("s1", "s2")) for m in "abc"] + [mentor("d", avail("s2"))]
    d = decide(ms, council_slots=(Slot("s1", at(0), 100.0), Slot("s2", at(24), 0.0)))
    assert d.slot == "s2" and len(d.mentors) == 4


def test_attendees_capped_at_maximum_keeping_lead_then_weight() -> None:
    ms = [
        mentor("lead", avail("s1"), seniority=0, expertise_match=0),
        mentor("a", avail("s1"), seniority=5),
        mentor("b", avail("s1"), seniority=1),
        mentor("c", avail("s1"), seniority=3),
    ]
    d = decide(ms, maximum=3, lead="lead")
    assert d.mentors == ("a", "c", "lead")


def test_cap_counts_for_ranking() -> None:
    # s1 has 4 available, s2 has 3, maximum 3: equal attendee count, score decides.
    ms = [mentor(m, avail("s1", "s2")) for m in "abc"] + [mentor("d", avail("s1"))]
    council_slots = (Slot("s1", at(0), 0.0), Slot("s2", at(24), 1.0))
    d = decide(ms, maximum=3, council_slots=council_slots)
    assert d.slot == "s2"


def test_score_uses_priority_and_tentative_values() -> None:
    ms = [mentor(m, avail("s1", "s2")) for m in "abc"] + [mentor("d", {"s2": "tentative"})]
    d = decide(ms)
    assert d.slot == "s2"
    assert d.ranking[0].score > d.ranking[1].score


def test_outside_hours_penalty_lowers_score() -> None:
    nine_to_five = WorkingHours(time(9, 0), time(17, 0))
    ms = [mentor(m, avail("s1", "s2"), working_hours=nine_to_five) for m in "abc"]
    # s1 at 09:00 UTC inside hours, s2 at 08:00 UTC on the next day entirely outside.
    d = decide(ms, council_slots=(Slot("s1", at(0)), Slot("s2", at(23))))
    assert d.slot == "s1"
    s2 = next(r for r in d.explanation.rows if r.slot_id == "s2")
    assert s2.penalty == pytest.approx(3 * 0.5)
    assert s2.score == pytest.approx(s2.answers + s2.priority - s2.penalty)


def test_equal_everything_earlier_start_wins() -> None:
    ms = [mentor(m, avail("s1", "s2")) for m in "abc"]
    d = decide(ms, council_slots=(Slot("s1", at(24)), Slot("s2", at(0))))
    assert d.slot == "s2"


def test_equal_everything_and_start_slot_id_wins() -> None:
    ms = [mentor(m, avail("b", "a")) for m in "xyz"]
    d = decide(ms, council_slots=(Slot("b", at(0)), Slot("a", at(0))))
    assert d.slot == "a"


def test_no_lead_designated_reports_lead_not_included() -> None:
    d = decide([mentor(m, avail("s1")) for m in "abc"])
    assert d.status is Status.CONFIRMED and d.lead_included is False


def test_lead_unable_to_attend_still_confirms_best_other() -> None:
    ms = [mentor(m, avail("s1")) for m in "abc"] + [mentor("lead", {"s1": "unavailable"})]
    d = decide(ms, lead="lead")
    assert d.status is Status.CONFIRMED and not d.lead_included
    assert "lead" in d.explanation.reason


def test_no_pending_before_deadline_decides_immediately() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "unavailable", "s3": "unavailable"}) for m in "abc"]
    d = select(request(ms))
    assert d.status is Status.CONFIRMED and d.slot == "s1"


def test_custom_weights_change_the_winner() -> None:
    ms = [mentor(m, avail("s1", "s2")) for m in "abc"] + [mentor("d", {"s1": "tentative"})]
    council_slots = (Slot("s1", at(0), 0.0), Slot("s2", at(24), 0.5))
    assert decide(ms, council_slots=council_slots).slot == "s1"  # tentative 0.85 > priority 0.5
    heavy = Weights(priority_weight=10.0)
    req = request(ms, council_slots=council_slots, now=AFTER)
    assert select(req, heavy).slot == "s2"


def test_decision_is_independent_of_mentor_order() -> None:
    ms = [mentor(m, avail("s1", "s2"), seniority=i) for i, m in enumerate("edcba")]
    assert decide(ms, maximum=3) == decide(ms[::-1], maximum=3)
