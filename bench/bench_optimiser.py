"""Cross-council optimiser on 2,000 councils / 400 mentors and 10,000 / 2,000, heavy overlap.

Every council proposes 3–5 one-hour slots inside one of two weeks of business hours
and invites 5 of the mentors (one mentor per five councils), so each mentor is wanted by
~25 councils whose slots crowd the same ~90 business hours. Answers follow a realistic
mix (55 % available, 15 % tentative, 15 % unavailable, 15 % pending). Seeded, so the
figures are repeatable.

Each run also times a bare count-only HiGHS model (most councils scheduled, the same
rows, one MIP, no decomposition or warm start) to compare the full lexicographic proof
against, and checks that both agree on the number scheduled. Every solve is single
threaded, so CPU time is the steadier measure on a busy machine. ``python -m
bench.bench_optimiser`` runs just this table.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import highspy
import numpy as np

from mentra_desktop.scheduling.model import (
    Answer,
    Council,
    Mentor,
    SelectionRequest,
    Slot,
)
from mentra_desktop.scheduling.optimiser import build_problem, solve_problem
from mentra_desktop.scheduling.optimiser_milp import (
    build_rows,
    components,
    overlap_cliques,
    pass_model,
    quiet_highs,
)
from mentra_desktop.scheduling.optimiser_problem import (
    Arrays,
    check_plan,
    flatten,
    greedy,
    objective,
)

ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "UTC")
ANSWERS = (Answer.AVAILABLE, Answer.TENTATIVE, Answer.UNAVAILABLE, None)
MIX = (0.55, 0.15, 0.15, 0.15)


def generate(
    councils: int = 2000, mentors: int = 400, weeks: int = 2, seed: int = 2026
) -> list[SelectionRequest]:
    """A seeded batch of councils competing for a shared pool of mentors."""
    rng = np.random.default_rng(seed)
    monday = datetime(2027, 1, 4, tzinfo=UTC)
    now = monday - timedelta(days=7)
    profile = [
        (str(ZONES[rng.integers(len(ZONES))]), float(rng.integers(1, 6)), float(rng.random()))
        for _ in range(mentors)
    ]
    batch = []
    for c in range(councils):
        week = int(rng.integers(weeks))
        hours = rng.choice(5 * 9, size=int(rng.integers(3, 6)), replace=False)
        slots = tuple(
            Slot(
                f"s{k}",
                monday + timedelta(weeks=week, days=int(h // 9), hours=8 + int(h % 9)),
                float(rng.integers(0, 3)),
            )
            for k, h in enumerate(sorted(hours))
        )
        invited = rng.choice(mentors, size=5, replace=False)
        people = []
        for m in invited.tolist():
            answers = {}
            for slot in slots:
                answer = ANSWERS[rng.choice(4, p=MIX)]
                if answer is not None:
                    answers[slot.id] = answer
            tz, seniority, match = profile[m]
            people.append(Mentor(f"m{m}", tz, seniority, match, answers=answers))
        lead = people[0].id if rng.random() < 0.7 else None
        minimum = 3 if rng.random() < 0.8 else 2
        council = Council(f"c{c}", slots, minimum, 5, lead)
        deadline = now + timedelta(hours=int(rng.integers(1, 72)))
        batch.append(SelectionRequest(now, deadline, council, tuple(people)))
    return batch


def count_only(arrays: Arrays, presolve: bool) -> tuple[int, float, float]:
    """The bare count-only model: one HiGHS MIP over the whole batch maximising councils
    scheduled under the same rows, no decomposition, no warm start, HiGHS defaults (one
    thread, like the optimiser). Returns ``(optimum, wall s, cpu s)``."""
    began, cpu = time.perf_counter(), time.process_time()
    rows = build_rows(arrays)
    n_opt, n = len(arrays.option_index), len(arrays.option_index) + len(arrays.pair_option)
    h = quiet_highs({"threads": 1, "random_seed": 0, "presolve": "on" if presolve else "off"})
    cost = np.r_[np.ones(n_opt), np.zeros(n - n_opt)]
    pass_model(h, rows, cost, np.zeros(n), np.ones(n), integer=True)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    optimum = round(h.getInfo().objective_function_value)
    return optimum, time.perf_counter() - began, time.process_time() - cpu


def run(councils: int, mentors: int, target: str) -> None:
    requests = generate(councils, mentors)
    began = time.perf_counter()
    problem = build_problem(requests)
    evaluate_s = time.perf_counter() - began
    began = time.perf_counter()
    arrays = flatten(problem)
    cliques = overlap_cliques(arrays)
    label = components(arrays, cliques)
    rows = build_rows(arrays)
    build_s = time.perf_counter() - began
    began = time.perf_counter()
    baseline = greedy(problem)
    greedy_s = time.perf_counter() - began
    began, cpu = time.perf_counter(), time.process_time()
    plan, status, gap, bound = solve_problem(problem, time_limit_s=600.0)
    solve_s, solve_cpu = time.perf_counter() - began, time.process_time() - cpu
    assert not check_plan(problem, plan), "the optimiser returned an invalid plan"
    best, base = objective(problem, plan), objective(problem, baseline)
    bare, bare_s, bare_cpu = count_only(arrays, presolve=True)
    lean, lean_s, lean_cpu = count_only(arrays, presolve=False)
    assert bare == lean == best.scheduled, "the count-only model disagrees on scheduled"
    n_components = len(np.unique(label))
    print(
        f"\nCross-council optimiser, {councils:,} councils / {mentors:,} mentors "
        "(HiGHS via highspy, full lexicographic objective)"
    )
    print(f"{'measure':<52} {'value':>24}")
    print("-" * 77)
    figures = [
        ("councils / mentors / options / pairs",
         f"{len(problem.council_ids)}/{len(problem.mentor_ids)}/{len(arrays.option_index)}"
         f"/{len(arrays.pair_option)}"),
        ("constraint rows / overlap cliques / components",
         f"{len(rows.lower)}/{len(cliques[0]) - 1}/{n_components}"),
        (f"attendance evaluation ({councils:,} councils)", f"{evaluate_s:.3f} s"),
        ("model build (flatten, cliques, rows)", f"{build_s:.3f} s"),
        ("greedy baseline", f"{greedy_s:.3f} s"),
        (f"time to proven optimum ({target})", f"{solve_s:.3f} s (cpu {solve_cpu:.2f} s)"),
        ("status / gap", f"{status} / {gap:.2g}"),
        ("optimal: scheduled / attendees / score",
         f"{best.scheduled}/{best.attendees}/{best.score / 1000:.1f}"),
        ("greedy:  scheduled / attendees / score",
         f"{base.scheduled}/{base.attendees}/{base.score / 1000:.1f}"),
        ("proven bound on scheduled councils", f"{bound}"),
        ("greedy-to-optimal ratio (scheduled)", f"{base.scheduled / max(best.scheduled, 1):.4f}"),
        ("count-only HiGHS model, defaults", f"{bare_s:.3f} s (cpu {bare_cpu:.2f} s)"),
        ("count-only HiGHS model, presolve off", f"{lean_s:.3f} s (cpu {lean_cpu:.2f} s)"),
        ("count-only optimum (= scheduled)", f"{bare}"),
        ("lexicographic / count-only, defaults (wall, cpu)",
         f"{solve_s / bare_s:.2f}x, {solve_cpu / bare_cpu:.2f}x"),
        ("lexicographic / count-only, presolve off (wall, cpu)",
         f"{solve_s / lean_s:.2f}x, {solve_cpu / lean_cpu:.2f}x"),
    ]  # fmt: skip
    for name, value in figures:
        print(f"{name:<52} {value:>24}")


def main() -> None:
    run(2000, 400, "target <= 5 s")
    run(10_000, 2000, "target <= 3x count-only")


if __name__ == "__main__":
    main()
