"""Early confirmation: confirm before the deadline only when no pending answer can flip it."""

from __future__ import annotations

from mentra_desktop.scheduling.model import Slot
from mentra_desktop.scheduling.selection import Status, select

from .factories import DEADLINE, NOW, at, mentor, request

SLOTS = (Slot("s1", at(0)), Slot("s2", at(24)))


def test_confirms_when_pending_cannot_overtake() -> None:
    # s1: 4 available; s2: 1 available + 1 pending -> at most 2 attendees there.
    ms = [mentor(m, {"s1": "available", "s2": "unavailable"}) for m in "abc"]
    ms += [mentor("d", {"s1": "available", "s2": "available"}), mentor("e", {"s1": "available"})]
    d = select(request(ms, SLOTS))
    assert d.status is Status.CONFIRMED and d.slot == "s1"
    assert "before the deadline" in d.explanation.reason


def test_waits_when_pending_could_make_another_slot_win() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s1": "unavailable"})]  # d pending for s2: s2 could seat 4
    d = select(request(ms, SLOTS))
    assert d.status is Status.WAITING
    assert d.slot == "s1"  # the current front-runner is reported
    assert "Waiting for d" in d.explanation.reason


def test_same_input_at_deadline_confirms() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s1": "unavailable"})]
    d = select(request(ms, SLOTS, now=DEADLINE))
    assert d.status is Status.CONFIRMED and d.slot == "s1"


def test_waits_when_pending_lead_could_attend_elsewhere() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("lead", {"s1": "unavailable"})]
    assert select(request(ms, SLOTS, lead="lead")).status is Status.WAITING


def test_pending_on_chosen_slot_only_can_still_confirm() -> None:
    ms = [mentor(m, {"s1": "available", "s2": "unavailable"}) for m in "abc"]
    ms += [mentor("d", {"s2": "unavailable"})]  # d pending only on s1: can only help s1
    d = select(request(ms, SLOTS))
    assert d.status is Status.CONFIRMED and d.slot == "s1"


def test_tie_broken_by_earlier_start_counts_as_beating() -> None:
    # s1's worst case equals s2's best case on everything but start: s1 still ranks first.
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("d", {"s2": "unavailable"})]  # pending on s1 only
    d = select(request(ms, SLOTS))
    assert d.status is Status.CONFIRMED and d.slot == "s1"


def test_pending_tentative_could_lift_a_capped_slot_so_wait() -> None:
    # Both slots seat a, b, c (max 3). e is pending on s2: even if e never attends,
    # a tentative answer there would add score, so s2 could overtake s1.
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "abc"]
    ms += [mentor("e", {"s1": "available"})]
    d = select(request(ms, SLOTS, maximum=3))
    assert d.status is Status.WAITING and d.slot == "s1"


def test_cap_binding_newcomer_could_displace_attendee_so_wait() -> None:
    # s1: a, b, c available (max 3); pending heavy mentor h on s1 only is irrelevant to
    # s1's rank, but on s2 h could join a, b and push a higher score.
    ms = [mentor(m, {"s1": "available", "s2": "available"}) for m in "ab"]
    ms += [mentor("c", {"s1": "available", "s2": "unavailable"})]
    ms += [mentor("h", {"s1": "unavailable"}, seniority=10)]
    d = select(request(ms, SLOTS, maximum=3))
    assert d.status is Status.WAITING


def test_needs_alternatives_early_when_nothing_can_become_feasible() -> None:
    ms = [mentor("a", {"s1": "available"}), mentor("b", {"s1": "unavailable"})]
    ms += [mentor("c", {"s1": "unavailable", "s2": "unavailable"})]
    d = select(request(ms, SLOTS))
    assert d.status is Status.NEEDS_ALTERNATIVES and d.alternatives


def test_waiting_when_nothing_feasible_yet_but_could_be() -> None:
    ms = [mentor("a", {"s1": "available"}), mentor("b", {"s1": "available"}), mentor("c")]
    d = select(request(ms, SLOTS, now=NOW))
    assert d.status is Status.WAITING and d.slot is None and d.mentors == ()
