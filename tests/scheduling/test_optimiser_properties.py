"""Property tests of the optimiser on small random problems, with a brute-force oracle.

The oracle enumerates every plan (each council: unscheduled, or one option with any
admissible attendee subset) by depth-first search, so on tiny instances it proves what
the lexicographic optimum is; the solver must reach it exactly.
"""

from __future__ import annotations

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from mentra_desktop.scheduling.optimiser import solve_problem
from mentra_desktop.scheduling.optimiser_problem import (
    Objective,
    Option,
    Problem,
    check_plan,
    greedy,
    objective,
)

H = 3600


@st.composite
def problems(draw: st.DrawFn, max_councils: int = 3, max_mentors: int = 4) -> Problem:
    n_mentors = draw(st.integers(2, max_mentors))
    n_councils = draw(st.integers(1, max_councils))
    mentor = st.integers(0, n_mentors - 1)
    options: list[Option] = []
    minimum, maximum, leads = [], [], []
    for c in range(n_councils):
        high = draw(st.integers(1, 3))
        minimum.append(draw(st.integers(1, high)))
        maximum.append(high)
        leads.append(draw(st.one_of(st.just(-1), mentor)))
        for k in range(draw(st.integers(1, 2))):
            start = draw(st.integers(0, 6)) * H // 2
            length = draw(st.sampled_from([H, H, 2 * H]))
            people = tuple(sorted(draw(st.sets(mentor, max_size=3))))
            scores = tuple(draw(st.integers(-500, 3000)) for _ in people)
            options.append(
                Option(
                    c,
                    f"s{k}",
                    start,
                    start + length,
                    draw(st.integers(-1000, 2000)),
                    people,
                    scores,
                )
            )
    busy = draw(st.lists(st.tuples(mentor, st.integers(0, 6)), max_size=2))
    return Problem(
        council_ids=tuple(f"c{c}" for c in range(n_councils)),
        minimum=tuple(minimum),
        maximum=tuple(maximum),
        leads=tuple(leads),
        order=tuple(draw(st.permutations(range(n_councils)))),
        mentor_ids=tuple(f"m{m}" for m in range(n_mentors)),
        options=tuple(options),
        confirmed=tuple((m, h * H // 2, h * H // 2 + H) for m, h in busy),
        lead_bonus=draw(st.integers(0, 5000)),
    )


def brute_force(problem: Problem) -> Objective:
    """The lexicographic optimum by exhaustive search over all valid plans."""
    by_council: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in problem.council_ids]
    for index, option in enumerate(problem.options):
        low, high = problem.minimum[option.council], problem.maximum[option.council]
        for size in range(low, min(high, len(option.mentors)) + 1):
            for chosen in combinations(option.mentors, size):
                by_council[option.council].append((index, chosen))
    best = Objective(0, 0, 0)

    def search(c: int, plan: list[tuple[int, tuple[int, ...]]]) -> None:
        nonlocal best
        if c == len(by_council):
            best = max(best, objective(problem, tuple(plan)))
            return
        search(c + 1, plan)
        for choice in by_council[c]:
            plan.append(choice)
            if not check_plan(problem, tuple(plan)):
                search(c + 1, plan)
            plan.pop()

    search(0, [])
    return best


@given(problems())
def test_plan_is_valid_optimal_and_never_below_greedy(problem: Problem) -> None:
    plan, status, gap, bound = solve_problem(problem, 10.0)
    assert check_plan(problem, plan) == []
    assert status == "optimal" and gap == 0
    found = objective(problem, plan)
    assert found == brute_force(problem)
    assert found >= objective(problem, greedy(problem))
    assert bound == found.scheduled


@given(problems(max_councils=6, max_mentors=5))
def test_no_plan_double_books_and_every_council_is_seated_properly(problem: Problem) -> None:
    plan, _, _, _ = solve_problem(problem, 10.0)
    assert check_plan(problem, plan) == []
    for option_index, mentors in plan:
        option = problem.options[option_index]
        assert set(mentors) <= set(option.mentors)
        low, high = problem.minimum[option.council], problem.maximum[option.council]
        assert low <= len(mentors) <= high
    greedy_plan = greedy(problem)
    assert check_plan(problem, greedy_plan) == []
    assert len(plan) >= len(greedy_plan)
