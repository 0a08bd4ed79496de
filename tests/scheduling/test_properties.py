"""Hypothesis properties: feasibility, lead rule, sound early confirmation, determinism, DST."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mentra_desktop.scheduling.attendance import evaluate
from mentra_desktop.scheduling.localtime import outside_minutes
from mentra_desktop.scheduling.model import (
    ALL_DAYS,
    DEFAULT_WEIGHTS,
    WEEKDAYS,
    Answer,
    Council,
    Mentor,
    SelectionRequest,
    Slot,
    WorkingHours,
    zone,
)
from mentra_desktop.scheduling.selection import Status, select

from .factories import DEADLINE, NOW, mentor, request, rng, slots

ANSWER = st.sampled_from(["available", "available", "tentative", "unavailable", None])
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]


@st.composite
def requests(draw: Any, before_deadline: bool | None = None) -> Any:
    n_slots = draw(st.integers(2, 4))
    council_slots = slots(*draw(st.lists(st.integers(0, 72), min_size=n_slots, max_size=n_slots)))
    n = draw(st.integers(3, 5))
    mentors = []
    for i in range(n):
        answers = {s.id: a for s in council_slots if (a := draw(ANSWER)) is not None}
        busy = (
            (rng(draw(st.integers(0, 72)), draw(st.integers(73, 74))),)
            if draw(st.booleans())
            else ()
        )
        mentors.append(
            mentor(
                f"m{i}",
                answers,
                seniority=draw(st.integers(0, 3)),
                expertise_match=draw(st.sampled_from([0.0, 0.5, 1.0])),
                timezone=draw(st.sampled_from(ZONES)),
                working_hours=WorkingHours(time(draw(st.integers(0, 10)), 0), time(18, 0)),
                busy=busy,
            )
        )
    maximum = draw(st.integers(2, 5))
    minimum = draw(st.integers(1, maximum))
    lead = draw(st.sampled_from([None, *(m.id for m in mentors)]))
    early = draw(st.booleans()) if before_deadline is None else before_deadline
    return request(
        mentors, council_slots, minimum=minimum, maximum=maximum, lead=lead,
        now=NOW if early else DEADLINE,
    )  # fmt: skip


@given(requests())
def test_chosen_slot_is_feasible_and_lead_rule_holds(req: Any) -> None:
    d = select(req)
    if d.status is Status.CONFIRMED:
        assert d.ranking[0].feasible and d.slot == d.ranking[0].slot_id
        assert req.council.mentor_minimum <= len(d.mentors) <= req.council.mentor_maximum
        for r in d.explanation.rows:
            if r.slot_id == d.slot:
                assert set(d.mentors) <= set(r.available)
        lead = req.council.lead_mentor
        if lead is not None and not d.lead_included:
            # then no feasible slot seats the lead
            assert not any(r.feasible and lead in r.attendees for r in d.ranking)


@given(requests(before_deadline=True), st.data())
def test_early_confirmation_never_confirms_a_slot_that_could_lose(req: Any, data: Any) -> None:
    d = select(req)
    if d.status is not Status.CONFIRMED:
        return
    resolved = []
    for m in req.mentors:
        answers = dict(m.answers)
        for s in req.council.slots:
            if s.id not in answers:
                answers[s.id] = Answer(
                    data.draw(st.sampled_from(["available", "tentative", "unavailable"]))
                )
        resolved.append(_with_answers(m, answers))
    later = request(
        resolved, req.council.slots, minimum=req.council.mentor_minimum,
        maximum=req.council.mentor_maximum, lead=req.council.lead_mentor, now=DEADLINE,
    )  # fmt: skip
    assert select(later).slot == d.slot


def _with_answers(m: Mentor, answers: dict[str, Answer]) -> Mentor:
    return Mentor(
        m.id, m.timezone, m.seniority, m.expertise_match, m.working_hours, answers, m.partial,
        m.alternatives, m.busy, m.conflict_notes,
    )  # fmt: skip


@given(requests(), st.randoms(use_true_random=False))
def test_deterministic_and_independent_of_mentor_order(req: Any, rnd: Any) -> None:
    shuffled = list(req.mentors)
    rnd.shuffle(shuffled)
    again = request(
        shuffled, req.council.slots, minimum=req.council.mentor_minimum,
        maximum=req.council.mentor_maximum, lead=req.council.lead_mentor, now=req.now,
    )  # fmt: skip
    assert select(req) == select(req) == select(again)


DST_WEEKS = {
    "Europe/Berlin": [datetime(2026, 3, 26, tzinfo=UTC), datetime(2026, 10, 22, tzinfo=UTC)],
    "America/New_York": [datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 10, 29, tzinfo=UTC)],
    "Australia/Sydney": [datetime(2026, 4, 1, tzinfo=UTC), datetime(2026, 9, 30, tzinfo=UTC)],
}


def _brute_outside(start: datetime, minutes: int, tz_name: str, hours: WorkingHours) -> int:
    """Minute by minute on the local wall clock: inside today's working day, or inside
    yesterday's when it runs past midnight, counting only working days."""
    tz = zone(tz_name)
    outside = 0
    for k in range(minutes):
        local = (start + timedelta(minutes=k)).astimezone(tz)
        t, today = local.time(), local.isoweekday()
        yesterday = (today - 2) % 7 + 1
        if hours.overnight:
            inside = (today in hours.days and t >= hours.start) or (
                yesterday in hours.days and t < hours.end
            )
        else:
            end_ok = hours.end == time.max or t < hours.end
            inside = today in hours.days and hours.start <= t and end_ok
        outside += not inside
    return outside


@given(
    st.sampled_from(sorted(DST_WEEKS)),
    st.integers(0, 1),
    st.integers(0, 7 * 48 - 1),
    st.integers(0, 12),
    st.sampled_from([time(17, 0), time(23, 30), time.max, time(2, 0), time(6, 30)]),
    st.sampled_from([60, 90]),
    st.sampled_from([ALL_DAYS, WEEKDAYS, frozenset({5, 6}), frozenset({7})]),
)
def test_outside_minutes_match_minute_by_minute_in_dst_weeks(
    tz_name: str,
    week: int,
    half_hours: int,
    start_hour: int,
    end: time,
    minutes: int,
    days: frozenset[int],
) -> None:
    start = DST_WEEKS[tz_name][week] + timedelta(minutes=30 * half_hours)
    overnight = end < time(12, 0)  # then start at 10:00-22:00, past the end
    hours = WorkingHours(time(start_hour + 10 if overnight else start_hour, 0), end, days)
    assert hours.overnight == overnight
    got = outside_minutes(start, start + timedelta(minutes=minutes), zone(tz_name), hours)
    assert round(got) == _brute_outside(start, minutes, tz_name, hours)
    # and the cached epoch path used by evaluate agrees
    req = request(
        [mentor("a", {"s1": "available"}, timezone=tz_name, working_hours=hours)],
        slots(0), minimum=1, maximum=1, duration=minutes,
    )  # fmt: skip
    council = Council("c", (Slot("s1", start),), 1, 1, None, minutes)
    ev = evaluate(SelectionRequest(NOW, DEADLINE, council, req.mentors), DEFAULT_WEIGHTS)
    assert round(ev.slots[0].cells[0].outside_minutes) == round(got)
