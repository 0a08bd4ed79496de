"""The batch planner's core ("Plan the week"): cached council documents in, a checked
cross-council plan out. Qt-free, so it is tested without a display; the planner view only
shows what :func:`plan_councils` returns and queues :func:`confirmations`.

Contract:

* **Input** (:func:`plan_input`): of the councils in view, those still ``collecting`` or
  ``selecting``; each through the same document-to-engine bridge as the decision panel
  (:func:`~mentra_desktop.models.engine_bridge.selection_request`), with every **pending
  answer read as unavailable** (a plan must not count on a mentor who has not answered).
  Every **confirmed** council in the cache (in view or not) makes its attending mentors
  **busy** over its final slot. Councils the engine refuses are listed with the reason.
* **Plan** (:func:`plan_councils`): the cross-council optimiser
  (:func:`~mentra_desktop.scheduling.optimiser.solve_problem`, HiGHS, lexicographic: most
  councils, then most attendees, then score) beside the greedy one-council-at-a-time
  baseline (deadline order), both on one problem. Each plan is re-checked here
  (:func:`violations`: one slot per council, the minimum and maximum seats, only mentors who
  can attend fully, nobody in two overlapping sessions, confirmed ones included).
* **Why unscheduled**: a council no slot of which reaches its minimum on its own (its
  mentors' answers and confirmed sessions) says so; one that could, but whose mentors are
  taken by planned councils at every workable slot, names those councils.
* **Contested mentors**: mentors who can attend fully in two or more councils at
  overlapping times, with those councils — where the plan had to choose.

``progress(stage, done, total)`` follows the work; ``cancelled()`` is asked between stages
(the solver itself runs to its time limit, which bounds a cancel's wait). Cyclic garbage
collection is paused while either runs: a full collection over the thousands of objects
they build holds the interpreter for 0.1–0.3 s, which would freeze the GUI thread too.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mentra_desktop.client.documents import parse_instant
from mentra_desktop.client.pages import gc_paused
from mentra_desktop.client.writes import Write, confirm
from mentra_desktop.models.engine_bridge import selection_request
from mentra_desktop.scheduling.model import Answer, SchedulingInputError, SelectionRequest
from mentra_desktop.scheduling.optimiser import ConfirmedSession, build_problem, solve_problem
from mentra_desktop.scheduling.optimiser_problem import Plan, Problem, check_plan, greedy

PLANNABLE = ("collecting", "selecting")
Progress = Callable[[str, int, int], None]
Cancelled = Callable[[], bool]


class PlanCancelled(Exception):
    """The user cancelled the planning; nothing was planned."""


@dataclass(frozen=True)
class CouncilFacts:
    """What the planner shows of one council besides the engine's view."""

    council_id: int
    topic: str
    minimum: int
    maximum: int
    slots: Mapping[str, tuple[datetime, datetime]]
    """Engine slot id (``str(slot id)``) → ``(start, end)``."""


@dataclass(frozen=True)
class PlanInput:
    requests: tuple[SelectionRequest, ...]
    confirmed: tuple[ConfirmedSession, ...]
    facts: Mapping[int, CouncilFacts]
    mentor_names: Mapping[str, str]
    skipped: tuple[tuple[int, str], ...]
    """Councils in view left out, with why (not collecting/selecting, refused input)."""


@dataclass(frozen=True)
class PlannedCouncil:
    council_id: int
    topic: str
    slot_id: int
    start: datetime
    end: datetime
    mentor_ids: tuple[int, ...]


@dataclass(frozen=True)
class Unscheduled:
    council_id: int
    topic: str
    reason: str


@dataclass(frozen=True)
class Contested:
    mentor_id: int
    name: str
    council_ids: tuple[int, ...]


@dataclass(frozen=True)
class PlanOutcome:
    """The optimiser's plan (``planned``) and the greedy one (``greedy``) for the same
    councils; ``status`` is ``optimal`` when every level was proven within the limit."""

    planned: tuple[PlannedCouncil, ...]
    greedy: tuple[PlannedCouncil, ...]
    unscheduled: tuple[Unscheduled, ...]
    contested: tuple[Contested, ...]
    skipped: tuple[tuple[int, str], ...]
    considered: int
    status: str
    gap: float
    seconds: float

    @property
    def attendees(self) -> int:
        return sum(len(p.mentor_ids) for p in self.planned)

    @property
    def greedy_attendees(self) -> int:
        return sum(len(p.mentor_ids) for p in self.greedy)


# --- input ------------------------------------------------------------------------------


def _pending_as_unavailable(request: SelectionRequest) -> SelectionRequest:
    slot_ids = [s.id for s in request.council.slots]
    mentors = tuple(
        dataclasses.replace(
            m, answers={sid: m.answers.get(sid, Answer.UNAVAILABLE) for sid in slot_ids}
        )
        for m in request.mentors
    )
    return dataclasses.replace(request, mentors=mentors)


def _confirmed_sessions(doc: Mapping[str, Any]) -> list[ConfirmedSession]:
    final = doc.get("finalSlotId")
    slot = next((s for s in doc.get("proposedTimeSlots", []) if s.get("id") == final), None)
    if slot is None:
        return []
    start, end = parse_instant(slot.get("start")), parse_instant(slot.get("end"))
    if start is None:
        return []
    end = end if end is not None and end > start else start + timedelta(hours=1)
    return [
        ConfirmedSession(str(m["mentorId"]), start, end)
        for m in doc.get("mentors", [])
        if m.get("attending")
    ]


def plan_input(
    in_view: Sequence[Mapping[str, Any]],
    confirmed: Sequence[Mapping[str, Any]],
    now: datetime,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PlanInput:
    """The planner's input from the documents in view and the confirmed ones (see the
    module docstring). Raises :class:`PlanCancelled` when ``cancelled()`` says so."""
    with gc_paused():
        return _plan_input(in_view, confirmed, now, progress, cancelled)


def _plan_input(
    in_view: Sequence[Mapping[str, Any]],
    confirmed: Sequence[Mapping[str, Any]],
    now: datetime,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> PlanInput:
    requests: list[SelectionRequest] = []
    facts: dict[int, CouncilFacts] = {}
    names: dict[str, str] = {}
    skipped: list[tuple[int, str]] = []
    total = len(in_view)
    for n, doc in enumerate(in_view):
        if n % 200 == 0:
            if cancelled is not None and cancelled():
                raise PlanCancelled
            if progress is not None:
                progress("Reading councils", n, total)
        council_id = int(doc["id"])
        status = str(doc.get("coordinationStatus") or "")
        if status not in PLANNABLE:
            skipped.append((council_id, f"{status.replace('_', ' ') or 'no status'}"))
            continue
        try:
            request = _pending_as_unavailable(selection_request(doc, now))
        except (SchedulingInputError, ValueError) as exc:
            skipped.append((council_id, f"refused by the engine: {exc}"))
            continue
        requests.append(request)
        slots = {}
        for s in doc.get("proposedTimeSlots", []):
            start, end = parse_instant(s.get("start")), parse_instant(s.get("end"))
            if start is not None:
                slots[str(s["id"])] = (start, end or start + timedelta(hours=1))
        facts[council_id] = CouncilFacts(
            council_id,
            str(doc.get("topic") or ""),
            int(doc.get("mentorMinimum") or 1),
            int(doc.get("mentorMaximum") or 1),
            slots,
        )
        for m in doc.get("mentors", []):
            names.setdefault(str(m["mentorId"]), str(m.get("name") or f"Mentor {m['mentorId']}"))
    sessions = [s for doc in confirmed for s in _confirmed_sessions(doc)]
    if progress is not None:
        progress("Reading councils", total, total)
    return PlanInput(tuple(requests), tuple(sessions), facts, names, tuple(skipped))


# --- planning -----------------------------------------------------------------------------


def _planned(problem: Problem, plan: Plan, inp: PlanInput) -> tuple[PlannedCouncil, ...]:
    out = []
    for option_index, mentors in plan:
        option = problem.options[option_index]
        council_id = int(problem.council_ids[option.council])
        fact = inp.facts[council_id]
        start, end = fact.slots[option.slot_id]
        out.append(
            PlannedCouncil(
                council_id,
                fact.topic,
                int(option.slot_id),
                start,
                end,
                tuple(sorted(int(problem.mentor_ids[m]) for m in mentors)),
            )
        )
    return tuple(sorted(out, key=lambda p: (p.start, p.council_id)))


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _free_mentors(
    problem: Problem, index: int, taken: Mapping[int, list[tuple[int, int]]]
) -> set[int]:
    option = problem.options[index]
    span = (option.start, option.end)
    return {m for m in option.mentors if not any(_overlap(span, t) for t in taken.get(m, []))}


def _reasons(problem: Problem, plan: Plan, inp: PlanInput) -> tuple[Unscheduled, ...]:
    confirmed: dict[int, list[tuple[int, int]]] = {}
    for mentor, start, end in problem.confirmed:
        confirmed.setdefault(mentor, []).append((start, end))
    held: dict[int, list[tuple[int, int, int]]] = {}  # mentor → (start, end, council)
    for option_index, mentors in plan:
        option = problem.options[option_index]
        for m in mentors:
            held.setdefault(m, []).append((option.start, option.end, option.council))
    placed = {problem.options[i].council for i, _ in plan}
    by_council: dict[int, list[int]] = {}
    for index, option in enumerate(problem.options):
        by_council.setdefault(option.council, []).append(index)
    out = []
    for c, cid in enumerate(problem.council_ids):
        if c in placed:
            continue
        council_id = int(cid)
        minimum = problem.minimum[c]
        alone = [len(_free_mentors(problem, i, confirmed)) for i in by_council.get(c, [])]
        best = max(alone, default=0)
        if best < minimum:
            reason = f"At best {best} of the {minimum} mentors needed can come"
        else:
            blockers: set[int] = set()
            for index in by_council.get(c, []):
                option = problem.options[index]
                if len(_free_mentors(problem, index, confirmed)) < minimum:
                    continue
                span = (option.start, option.end)
                for m in option.mentors:
                    blockers |= {
                        int(problem.council_ids[o])
                        for s, e, o in held.get(m, [])
                        if _overlap(span, (s, e))
                    }
            names = ", ".join(f"#{b}" for b in sorted(blockers)) or "other planned councils"
            reason = f"Its mentors are booked by {names} at every slot that works"
        out.append(Unscheduled(council_id, inp.facts[council_id].topic, reason))
    return tuple(out)


def _contested(problem: Problem, inp: PlanInput) -> tuple[Contested, ...]:
    wanted: dict[int, list[tuple[int, int, int]]] = {}
    for option in problem.options:
        if len(option.mentors) < problem.minimum[option.council]:
            continue  # a slot that cannot happen wants nobody
        for m in option.mentors:
            wanted.setdefault(m, []).append((option.start, option.end, option.council))
    out = []
    for m, spans in wanted.items():
        councils: set[int] = set()
        ordered = sorted(spans)
        for k, (_start, e, c) in enumerate(ordered):
            for s2, _end, c2 in ordered[k + 1 :]:
                if s2 >= e:
                    break
                if c2 != c:
                    councils |= {c, c2}
        if len(councils) >= 2:
            mentor = problem.mentor_ids[m]
            ids = tuple(sorted(int(problem.council_ids[c]) for c in councils))
            out.append(Contested(int(mentor), inp.mentor_names.get(mentor, mentor), ids))
    return tuple(sorted(out, key=lambda x: (-len(x.council_ids), x.name)))


def plan_councils(
    inp: PlanInput,
    time_limit_s: float = 5.0,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PlanOutcome:
    """Plan ``inp``'s councils: optimiser and greedy side by side (module docstring).
    Raises :class:`PlanCancelled`; a plan failing :func:`violations` raises RuntimeError."""
    with gc_paused():
        return _plan_councils(inp, time_limit_s, progress, cancelled)


def _plan_councils(
    inp: PlanInput,
    time_limit_s: float,
    progress: Progress | None,
    cancelled: Cancelled | None,
) -> PlanOutcome:
    began = time.perf_counter()

    def step(stage: str, done: int) -> None:
        if cancelled is not None and cancelled():
            raise PlanCancelled
        if progress is not None:
            progress(stage, done, 4)

    step("Evaluating slots", 0)
    problem = build_problem(inp.requests, inp.confirmed)
    step("Greedy plan", 1)
    baseline = greedy(problem)
    step("Optimising", 2)
    plan, status, gap, _bound = solve_problem(problem, time_limit_s)
    step("Checking the plan", 3)
    for name, candidate in (("optimised", plan), ("greedy", baseline)):
        problems = check_plan(problem, candidate)
        if problems:
            raise RuntimeError(f"the {name} plan breaks the rules: {problems[0]}")
    outcome = PlanOutcome(
        planned=_planned(problem, plan, inp),
        greedy=_planned(problem, baseline, inp),
        unscheduled=_reasons(problem, plan, inp),
        contested=_contested(problem, inp),
        skipped=inp.skipped,
        considered=len(inp.requests),
        status=status,
        gap=gap,
        seconds=time.perf_counter() - began,
    )
    found = violations(outcome.planned, inp)
    if found:
        raise RuntimeError(f"the plan breaks the rules: {found[0]}")
    if progress is not None:
        progress("Done", 4, 4)
    return outcome


def violations(planned: Sequence[PlannedCouncil], inp: PlanInput) -> list[str]:
    """Every rule ``planned`` breaks, in words (empty: a valid plan): a council planned
    twice or not plannable, a slot it did not propose, seats outside its minimum and
    maximum, a mentor who cannot attend that slot fully (pending counts as no), or a
    mentor in two overlapping sessions (confirmed ones included)."""
    out: list[str] = []
    requests = {int(r.council.id): r for r in inp.requests}
    seen: set[int] = set()
    busy: dict[int, list[tuple[datetime, datetime, str]]] = {}
    for s in inp.confirmed:
        busy.setdefault(int(s.mentor), []).append((s.start, s.end, "a confirmed session"))
    for p in planned:
        if p.council_id in seen or p.council_id not in requests:
            out.append(f"council {p.council_id} planned twice or not plannable")
            continue
        seen.add(p.council_id)
        fact = inp.facts[p.council_id]
        if not fact.minimum <= len(p.mentor_ids) <= fact.maximum:
            out.append(
                f"council {p.council_id} seats {len(p.mentor_ids)} "
                f"(allowed {fact.minimum}–{fact.maximum})"
            )
        request = requests[p.council_id]
        if str(p.slot_id) not in fact.slots:
            out.append(f"council {p.council_id} has no slot {p.slot_id}")
            continue
        for m in p.mentor_ids:
            mentor = next((x for x in request.mentors if x.id == str(m)), None)
            if mentor is None or mentor.answers.get(str(p.slot_id)) != Answer.AVAILABLE:
                out.append(f"mentor {m} has not said yes to council {p.council_id}'s slot")
            for start, end, what in busy.get(m, []):
                if start < p.end and p.start < end:
                    out.append(f"mentor {m} is double-booked: council {p.council_id} and {what}")
            busy.setdefault(m, []).append((p.start, p.end, f"council {p.council_id}"))
    return out


def confirmations(planned: Sequence[PlannedCouncil]) -> list[Write]:
    """One ``confirm`` write per planned council (each goes through the platform's rules)."""
    return [confirm(p.council_id, p.slot_id, list(p.mentor_ids)) for p in planned]
