"""Cross-council optimiser: constraints, lexicographic objective, limits, fallbacks, CLI."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import numpy as np
import pytest

from mentra_desktop.scheduling import optimiser
from mentra_desktop.scheduling.model import SchedulingInputError, SelectionRequest, Slot
from mentra_desktop.scheduling.optimiser import ConfirmedSession, greedy_plan, optimise
from mentra_desktop.scheduling.optimiser_cli import run
from mentra_desktop.scheduling.optimiser_levels import Solved
from mentra_desktop.scheduling.optimiser_problem import (
    Option,
    Problem,
    check_plan,
    greedy,
    objective,
)

from .factories import at, mentor, request, slots

H = 3600


def council(
    cid: str, spec: dict[str, list[str]], starts: dict[str, float], **kw: Any
) -> SelectionRequest:
    """A council whose slot ``s`` starts at hour ``starts[s]``; ``spec`` maps mentor → slots
    they answered available for."""
    names = sorted({m for m in spec})
    people = [mentor(m, {s: "available" for s in spec[m]}) for m in names]
    own = tuple(Slot(s, at(h)) for s, h in starts.items())
    base = request(people, own, **kw)
    return dataclasses.replace(base, council=dataclasses.replace(base.council, id=cid))


def plain(
    *councils: tuple[int, int, int, list[tuple[int, tuple[int, ...], int]]], **kw: Any
) -> Problem:
    """A hand-built problem: per council ``(min, max, lead, [(start hour, mentors, base)])``;
    every mentor scores 1 point."""
    options = [
        Option(c, f"s{k}", h * H, (h + 1) * H, base, ms, tuple(1000 for _ in ms))
        for c, (_, _, _, opts) in enumerate(councils)
        for k, (h, ms, base) in enumerate(opts)
    ]
    n_mentors = 1 + max((m for o in options for m in o.mentors), default=0)
    return Problem(
        council_ids=tuple(f"c{c}" for c in range(len(councils))),
        minimum=tuple(c[0] for c in councils),
        maximum=tuple(c[1] for c in councils),
        leads=tuple(c[2] for c in councils),
        order=tuple(range(len(councils))),
        mentor_ids=tuple(f"m{m}" for m in range(n_mentors)),
        options=tuple(options),
        **kw,
    )


def random_problem(councils: int, mentors: int, hours: int, seed: int) -> Problem:
    """Councils of 5 invited mentors, 3–5 one-hour slots in ``hours``, 60 % available."""
    rand = np.random.default_rng(seed)
    spec = []
    for _ in range(councils):
        invited = rand.choice(mentors, size=5, replace=False)
        starts = rand.choice(hours, size=int(rand.integers(3, 6)), replace=False)
        opts = [
            (
                int(h),
                tuple(int(m) for m in invited if rand.random() < 0.6),
                int(rand.integers(0, 2000)),
            )
            for h in starts
        ]
        spec.append((3, 5, int(invited[0]), opts))
    return plain(*spec, lead_bonus=3000)


def solve(problem: Problem, limit: float = 10.0) -> tuple[Any, str, float, int]:
    return optimiser.solve_problem(problem, limit)


def test_no_mentor_is_double_booked_across_councils() -> None:
    spec = {"a": ["s1"], "b": ["s1"], "c": ["s1"]}
    one = council("one", spec, {"s1": 0})
    two = council("two", spec, {"s1": 0.5})
    result = optimise([one, two])
    assert result.objective["scheduled"] == 1
    assert result.status == "optimal" and result.gap == 0


def test_second_slot_lets_both_councils_meet() -> None:
    one = council("one", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 0})
    two = council(
        "two", {"a": ["s1", "s2"], "b": ["s1", "s2"], "c": ["s1", "s2"]}, {"s1": 0.5, "s2": 3}
    )
    result = optimise([one, two])
    assert {(s.council, s.slot) for s in result.scheduled} == {("one", "s1"), ("two", "s2")}


def test_confirmed_sessions_block_overlapping_slots() -> None:
    one = council(
        "one", {"a": ["s1", "s2"], "b": ["s1", "s2"], "c": ["s1", "s2"]}, {"s1": 0, "s2": 5}
    )
    busy = [ConfirmedSession("a", at(0.5), at(1.5))]
    result = optimise([one], busy)
    assert [(s.slot, s.mentors) for s in result.scheduled] == [("s2", ("a", "b", "c"))]
    assert optimise([one], busy, time_limit_s=1).scheduled == result.scheduled


def test_minimum_and_maximum_are_honoured() -> None:
    five = {m: ["s1"] for m in "abcde"}
    capped = optimise([council("cap", five, {"s1": 0}, minimum=2, maximum=3)])
    assert len(capped.scheduled[0].mentors) == 3
    short = optimise([council("short", {"a": ["s1"], "b": ["s1"]}, {"s1": 0}, minimum=3)])
    assert short.scheduled == () and short.unscheduled == ("short",)


def test_optimiser_schedules_more_councils_than_greedy_where_greedy_is_myopic() -> None:
    # Greedy seats "early" in s1 (most attendees), taking b from "late" at the same hour.
    early = council(
        "early",
        {"a": ["s1", "s2"], "b": ["s1"], "c": ["s1", "s2"]},
        {"s1": 24, "s2": 0},
        minimum=2,
        lead="a",
    )
    late = council("late", {"b": ["x"], "d": ["x"]}, {"x": 24.5}, minimum=2)
    late = dataclasses.replace(late, deadline=at(1, early.deadline))
    assert greedy_plan([early, late]).objective["scheduled"] == 1
    best = optimise([early, late])
    assert best.objective["scheduled"] == 2 and best.status == "optimal"


def test_more_councils_beat_more_attendees() -> None:
    # A alone seats 5; B and C together seat only 2 but are two councils.
    problem = plain(
        (5, 5, -1, [(0, (0, 1, 2, 3, 4), 0)]),
        (1, 1, -1, [(0, (0,), 0)]),
        (1, 1, -1, [(0, (1,), 0)]),
    )
    plan, status, _, _ = solve(problem)
    assert objective(problem, plan)[:2] == (2, 2) and status == "optimal"


def test_more_attendees_beat_more_score() -> None:
    problem = plain((1, 5, -1, [(0, (0, 1, 2, 3), 0), (5, (4, 5), 99_000)]))
    plan, _, _, _ = solve(problem)
    assert objective(problem, plan).attendees == 4


def test_score_breaks_ties_and_the_lead_counts() -> None:
    problem = plain((2, 2, -1, [(0, (0, 1), 0), (5, (2, 3), 700)]))
    plan, _, _, _ = solve(problem)
    assert problem.options[plan[0][0]].slot_id == "s1"
    led = dataclasses.replace(problem, leads=(0,), lead_bonus=5000)
    plan, _, _, _ = solve(led)
    assert problem.options[plan[0][0]].slot_id == "s0"


def test_lead_is_favoured_through_the_public_api() -> None:
    spec = {"a": ["s1"], "b": ["s1", "s2"], "c": ["s2"], "d": ["s1", "s2"]}
    result = optimise([council("led", spec, {"s1": 0, "s2": 5}, minimum=2, maximum=3, lead="a")])
    assert result.scheduled[0].slot == "s1" and "a" in result.scheduled[0].mentors


def test_time_limit_returns_a_valid_plan_and_reports_gap() -> None:
    problem = random_problem(councils=600, mentors=120, hours=40, seed=3)
    plan, status, gap, bound = solve(problem, limit=0.05)
    assert check_plan(problem, plan) == []
    assert objective(problem, plan) >= objective(problem, greedy(problem))
    assert status in ("optimal", "feasible")
    assert (gap == 0) if status == "optimal" else (gap > 0)
    assert bound >= len(plan)


def test_results_are_deterministic() -> None:
    problem = random_problem(councils=60, mentors=30, hours=60, seed=5)
    first, second = solve(problem), solve(problem)
    assert first == second and first[1] == "optimal"


def test_solver_without_solution_falls_back_to_greedy(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = plain((1, 2, -1, [(0, (0, 1), 0)]), (1, 2, -1, [(0, (0, 1), 0)]))

    def nothing(*_: Any, **__: Any) -> Solved:
        return Solved(None, (0, 0, 0), (2, 4, 10**6), 0, 0.0)

    monkeypatch.setattr(optimiser, "solve_component", nothing)
    plan, status, gap, _ = solve(problem)
    assert plan == greedy(problem) and status == "feasible" and gap > 0


def test_invalid_solver_plan_is_never_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    problem = plain((1, 2, -1, [(0, (0, 1), 0)]), (1, 2, -1, [(0, (0, 1), 0)]))

    def everything(part: Any, *_: Any) -> Solved:
        columns = np.ones(len(part.option_index) + len(part.pair_option))
        return Solved(columns, (2, 4, 0), (2, 4, 0), 3, 0.0)  # double-books both mentors

    monkeypatch.setattr(optimiser, "solve_component", everything)
    plan, status, _, _ = solve(problem)
    assert check_plan(problem, plan) == [] and status == "feasible"


def test_checker_finds_every_kind_of_violation() -> None:
    problem = plain(
        (2, 2, -1, [(0, (0, 1), 0)]), (1, 1, -1, [(0, (0,), 0)]), confirmed=((1, 0, H),)
    )
    errors = check_plan(problem, ((0, (0, 1)), (1, (0,)), (1, (0,))))
    text = " | ".join(errors)
    assert "scheduled twice" in text and "double-booked" in text and "confirmed" in text


def document(**extra: Any) -> dict[str, Any]:
    def entry(cid: str, start: str, who: list[str]) -> dict[str, Any]:
        return {
            "deadline": "2026-11-28T09:00:00+00:00",
            "council": {
                "id": cid,
                "mentor_minimum": 2,
                "mentor_maximum": 3,
                "slots": [{"id": "s", "start": start}],
            },
            "mentors": [{"id": m, "timezone": "UTC", "answers": {"s": "available"}} for m in who],
        }

    doc: dict[str, Any] = {
        "now": "2026-11-26T09:00:00+00:00",
        "councils": [
            entry("c1", "2026-12-01T10:00:00+00:00", ["a", "b"]),
            entry("c2", "2026-12-01T10:30:00+00:00", ["b", "c", "d"]),
        ],
        "confirmed": [],
        "time_limit_s": 5,
    }
    doc.update(extra)
    return doc


def test_cli_run_produces_the_documented_document() -> None:
    out = run(document())
    assert out["status"] == "optimal" and out["gap"] == 0
    assert out["scheduled"] == [
        {"council": "c1", "slot": "s", "mentors": ["a", "b"]},
        {"council": "c2", "slot": "s", "mentors": ["c", "d"]},
    ]
    assert out["unscheduled"] == []
    assert out["objective"]["scheduled"] == 2 and out["objective"]["attendees"] == 4
    assert run(document()) == out


def test_cli_confirmed_sessions_count() -> None:
    busy = [
        {"mentor": "c", "start": "2026-12-01T10:00:00+00:00", "end": "2026-12-01T12:00:00+00:00"}
    ]
    out = run(document(confirmed=busy))
    assert [s["council"] for s in out["scheduled"]] in (["c1"], ["c2"])
    assert all("c" not in s["mentors"] for s in out["scheduled"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_limit_s": 0}, "time_limit_s"),
        ({"time_limit_s": "soon"}, "time_limit_s"),
        ({"councils": "x"}, "councils"),
        (
            {"confirmed": [{"mentor": "a", "start": "2026-12-01T10:00:00", "end": "x"}]},
            "confirmed[0].start",
        ),
        ({"confirmed": [{"start": "2026-12-01T10:00:00+00:00"}]}, "confirmed[0].mentor"),
    ],
)
def test_cli_bad_input_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(SchedulingInputError) as caught:
        run(document(**change))
    assert caught.value.field == field


def test_cli_council_errors_are_prefixed() -> None:
    doc = document()
    doc["councils"][1]["mentors"][0]["timezone"] = "Mars/Olympus"
    with pytest.raises(SchedulingInputError) as caught:
        run(doc)
    assert caught.value.field.startswith("councils[1].mentors")
    doc = document()
    doc["councils"][1]["council"]["id"] = "c1"
    with pytest.raises(SchedulingInputError, match="duplicate council"):
        run(doc)


def test_factories_slots_helper_still_matches() -> None:
    assert len(slots(0, 1)) == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_limit_s": 10**400}, "time_limit_s"),
        ({"time_limit_s": float("nan")}, "time_limit_s"),
        ({"time_limit_s": float("inf")}, "time_limit_s"),
        ({"time_limit_s": -1}, "time_limit_s"),
        ({"time_limit_s": None}, "time_limit_s"),
        ({"time_limit_s": True}, "time_limit_s"),
        ({"confirmed": {}}, "confirmed"),
        ({"confirmed": 0}, "confirmed"),
        ({"confirmed": [{"mentor": "a", "start": "x", "end": "y"}]}, "confirmed[0].start"),
    ],
    ids=["huge-int", "nan", "inf", "negative", "null", "bool", "obj", "zero", "bad-instant"],
)
def test_cli_refuses_bad_time_limits_and_confirmed_types(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(SchedulingInputError) as caught:
        run(document(**change))
    assert caught.value.field == field


@pytest.mark.parametrize("limit", [0.0, -1.0, float("nan")])
def test_python_api_refuses_non_positive_or_nan_time_limit(limit: float) -> None:
    one = council("one", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 0})
    with pytest.raises(SchedulingInputError, match="time_limit_s"):
        optimise([one], time_limit_s=limit)


def test_sub_second_overlaps_still_count_as_double_booking() -> None:
    # 10:00:00.5–11:00:00.5 and 11:00:00.2–12:00:00.2 overlap by 0.3 s; truncating to
    # whole seconds made them "touch" and seated a, b, c in both.
    half = timedelta(milliseconds=500)
    one = council("one", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 0})
    one = dataclasses.replace(
        one, council=dataclasses.replace(one.council, slots=(Slot("s1", at(0) + half),))
    )
    two = council("two", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 0})
    two = dataclasses.replace(
        two,
        council=dataclasses.replace(
            two.council, slots=(Slot("s1", at(1) + timedelta(milliseconds=200)),)
        ),
    )
    assert optimise([one, two]).objective["scheduled"] == 1
    assert greedy_plan([one, two]).objective["scheduled"] == 1
    # A confirmed session ending 0.4 s into the slot blocks it; one ending on it does not.
    late = council("late", {"a": ["s1"], "b": ["s1"], "c": ["s1"]}, {"s1": 1}, minimum=3)
    spill = [ConfirmedSession("a", at(0), at(1) + timedelta(milliseconds=400))]
    assert optimise([late], spill).scheduled == ()
    touch = [ConfirmedSession("a", at(0), at(1))]
    assert len(optimise([late], touch).scheduled) == 1
    # Touching at a fractional instant is not overlapping either.
    fractional = [ConfirmedSession("a", at(0), at(0) + half)]
    assert len(optimise([one], fractional).scheduled) == 1
