"""Decisive answers: the single pending yes that would let a waiting council confirm now."""

from __future__ import annotations

from mentra_desktop.scheduling.decisive import decisive_answers, with_answer
from mentra_desktop.scheduling.model import Answer, Slot
from mentra_desktop.scheduling.selection import Status, select

from .factories import DEADLINE, at, mentor, request, rng

SLOTS = (Slot("s1", at(0)), Slot("s2", at(24)))


def test_the_one_yes_that_settles_it() -> None:
    # a, b, c can come to both; d declined s1 and is pending on s2: s2 could seat four.
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s1": "unavailable"})]
    req = request(ms, SLOTS)
    assert select(req).status is Status.WAITING
    found = decisive_answers(req)
    assert [(d.mentor, d.slot, d.confirms) for d in found] == [("d", "s2", "s2")]
    assert found[0].mentors == ("a", "b", "c", "d")


def test_only_the_answer_that_helps_the_right_slot_counts() -> None:
    # s2 is preferred (priority) but short of c; d is pending on both slots.
    slots = (Slot("s1", at(0)), Slot("s2", at(24), priority=1.0))
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "ab"]
    ms += [mentor("c", {"s1": "available", "s2": "unavailable"}), mentor("d")]
    req = request(ms, slots)
    decision = select(req)
    assert decision.status is Status.WAITING
    found = decisive_answers(req, decision=decision)
    # A yes for s1 seats four there, beyond anything s2 can reach; a yes for s2 leaves
    # d's s1 answer open, which could still tip s1.
    assert [(d.mentor, d.slot, d.confirms) for d in found] == [("d", "s1", "s1")]


def test_none_when_no_single_answer_is_enough() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d"), mentor("e")]
    req = request(ms, SLOTS)
    assert select(req).status is Status.WAITING
    assert decisive_answers(req) == ()


def test_none_unless_waiting() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s1": "unavailable"})]
    at_deadline = request(ms, SLOTS, now=DEADLINE)
    assert select(at_deadline).status is Status.CONFIRMED
    assert decisive_answers(at_deadline) == ()
    hopeless = request([mentor("a", {"s1": "available"}), mentor("b")], SLOTS)
    assert select(hopeless).status is Status.NEEDS_ALTERNATIVES
    assert decisive_answers(hopeless) == ()


def test_busy_mentor_is_never_decisive() -> None:
    # d is pending on s2 but busy then: their answer cannot matter there.
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s1": "unavailable"}, busy=(rng(23.5, 25),)), mentor("e")]
    found = decisive_answers(request(ms, SLOTS))
    assert all(d.mentor != "d" for d in found)


def test_with_answer_is_a_copy_with_a_full_yes() -> None:
    ms = [
        mentor("a", {"s1": "tentative"}, partial={"s1": (rng(0, 0.5),)}),
        mentor("b"),
    ]
    req = request(ms, SLOTS, minimum=1)
    changed = with_answer(req, "a", "s1")
    a = next(m for m in changed.mentors if m.id == "a")
    assert a.answers["s1"] is Answer.AVAILABLE and "s1" not in a.partial
    original = next(m for m in req.mentors if m.id == "a")
    assert original.answers["s1"] is Answer.TENTATIVE and "s1" in original.partial


def test_every_decisive_answer_really_confirms() -> None:
    slots = (Slot("s1", at(0)), Slot("s2", at(24), priority=1.0), Slot("s3", at(48)))
    ms = [
        mentor("a", {"s1": "available", "s2": "available", "s3": "available"}),
        mentor("b", {"s1": "available", "s2": "available", "s3": "unavailable"}),
        mentor("c", {"s1": "available", "s3": "unavailable"}),
        mentor("d", {"s2": "available", "s3": "tentative"}),
    ]
    req = request(ms, slots, lead="a")
    found = decisive_answers(req)
    assert [(d.mentor, d.slot, d.confirms) for d in found] == [("c", "s2", "s2")]
    for d in found:
        what_if = select(with_answer(req, d.mentor, d.slot))
        assert what_if.status is Status.CONFIRMED and what_if.slot == d.confirms
        assert next(m for m in req.mentors if m.id == d.mentor).answer_for(d.slot) is (
            Answer.PENDING
        )
