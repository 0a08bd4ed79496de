"""Dashboard figures computed from known council documents (no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mentra_desktop.models.dashboard_figures import (
    compute_figures,
    histogram,
    median,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def seat(
    mentor_id: int, replied: datetime | None = None, attending: bool = False
) -> dict[str, Any]:
    return {
        "mentorId": mentor_id,
        "name": f"Mentor {mentor_id}",
        "responseDate": iso(replied) if replied else None,
        "attending": attending,
    }


def council(
    cid: int,
    status: str,
    created: datetime,
    invited: datetime | None,
    updated: datetime,
    mentors: list[dict[str, Any]],
    final: datetime | None = None,
) -> dict[str, Any]:
    slots = [{"id": cid * 10, "start": iso(final)}] if final else []
    return {
        "id": cid,
        "coordinationStatus": status,
        "createdAt": iso(created),
        "invitationsSentAt": iso(invited) if invited else None,
        "updatedAt": iso(updated),
        "mentors": mentors,
        "proposedTimeSlots": slots,
        "finalSlotId": cid * 10 if final else None,
    }


def day(d: int, h: int = 9) -> datetime:
    return datetime(2026, 11, d, h, tzinfo=UTC)


DOCS = [
    # invited Mon 16 Nov, confirmed Thu 19 Nov 09:00 (72 h), session Tue 1 Dec with 1 and 2
    council(
        1,
        "confirmed",
        day(16, 8),
        day(16),
        day(19),
        [seat(1, day(16, 20), True), seat(2, day(18, 10), True), seat(3)],
        final=datetime(2026, 12, 1, 15, tzinfo=UTC),
    ),
    # invited Tue 17 Nov, confirmed 24 h later; session next week (Wed 9 Dec) with 1
    council(
        2,
        "confirmed",
        day(17, 8),
        day(17),
        day(18),
        [seat(1, day(17, 10), True), seat(4, day(17, 12))],
        final=datetime(2026, 12, 9, 15, tzinfo=UTC),
    ),
    # invited Mon 23 Nov, still collecting; nobody answered yet
    council(3, "collecting", day(23, 8), day(23), day(23), [seat(5), seat(6)]),
    # a draft created Wed 25 Nov
    council(4, "draft", day(25), None, day(25), []),
    # confirmed, but the session was last week: not in the coming load
    council(
        5,
        "confirmed",
        day(2),
        day(2),
        day(5),
        [seat(7, day(2, 12), True)],
        final=day(10),
    ),
]


def test_councils_by_phase_over_time() -> None:
    figures = compute_figures(DOCS, NOW, BERLIN)
    series = figures.phases
    assert series.days[0] == date(2026, 11, 2) and series.days[-1] == date(2026, 11, 26)
    at = {d: i for i, d in enumerate(series.days)}
    # End of 16 Nov: council 5 confirmed, council 1 collecting.
    assert series.counts["confirmed"][at[date(2026, 11, 16)]] == 1
    assert series.counts["collecting"][at[date(2026, 11, 16)]] == 1
    # End of 18 Nov: council 2 confirmed (18 Nov 09:00), council 1 still collecting.
    assert series.counts["confirmed"][at[date(2026, 11, 18)]] == 2
    assert series.counts["collecting"][at[date(2026, 11, 18)]] == 1
    # Today: 3 confirmed, 1 collecting, 1 draft; every council counted once a day.
    last = len(series.days) - 1
    assert {p: c[last] for p, c in series.counts.items() if c[last]} == {
        "confirmed": 3,
        "collecting": 1,
        "draft": 1,
    }
    assert series.ends[-1] == NOW  # today ends now
    assert series.counts["draft"][at[date(2026, 11, 24)]] == 0


def test_answer_rate_by_week_of_invitation() -> None:
    weeks = {w.week: w for w in compute_figures(DOCS, NOW, BERLIN).answer_rate}
    assert set(weeks) == {date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 23)}
    mid = weeks[date(2026, 11, 16)]
    # 5 seats invited that week; 4 answered; within 48 h: 16 Nov 20:00, 17 Nov 10:00 and
    # 12:00 (not 18 Nov 10:00: 49 h after the invitation).
    assert (mid.invited, mid.answered, mid.quick) == (5, 4, 3)
    assert mid.rate == pytest.approx(0.8) and mid.quick_rate == pytest.approx(0.6)
    assert weeks[date(2026, 11, 23)].rate == 0.0
    assert weeks[date(2026, 11, 16)].starts == datetime(2026, 11, 15, 23, tzinfo=UTC)


def test_time_from_invitation_to_confirmation() -> None:
    hours = compute_figures(DOCS, NOW, BERLIN).confirmation_hours
    assert hours == (24.0, 72.0, 72.0)
    edges, counts = histogram(hours, 24)
    assert edges == [0, 24, 48, 72, 96] and counts == [0, 1, 0, 2]
    assert median(hours) == 72.0 and median(()) is None


def test_mentor_load_in_the_coming_weeks() -> None:
    figures = compute_figures(DOCS, NOW, BERLIN)
    assert figures.load_weeks == (
        date(2026, 11, 23),
        date(2026, 11, 30),
        date(2026, 12, 7),
        date(2026, 12, 14),
    )
    assert [(m.mentor_id, m.per_week) for m in figures.load] == [
        (1, (0, 1, 1, 0)),
        (2, (0, 1, 0, 0)),
    ]
    assert figures.mentors_with_sessions == 2


def test_naive_instants_are_refused() -> None:
    bad = dict(DOCS[0], createdAt="2026-11-16T08:00:00")
    with pytest.raises(ValueError, match="naive"):
        compute_figures([bad], NOW, BERLIN)
    with pytest.raises(ValueError, match="aware"):
        compute_figures(DOCS, NOW.replace(tzinfo=None), BERLIN)


def test_no_councils() -> None:
    figures = compute_figures([], NOW, BERLIN)
    assert figures.phases.days == () and figures.answer_rate == () and figures.load == ()


def move(source: str, target: str, at: datetime, cause: str) -> dict[str, Any]:
    return {"from": source, "status": target, "at": iso(at), "cause": cause}


def test_phases_and_confirmation_from_the_phase_history() -> None:
    """The audited moves, not createdAt/updatedAt: a phase passed through (selecting) is
    counted on its days, and the confirmation is the move into confirmed even when the
    council changed later (``updatedAt`` today)."""
    doc = council(
        6, "confirmed", day(9, 8), day(9), NOW, [seat(8, day(9, 12), True)], final=day(30)
    )
    doc["phaseHistory"] = [
        move("draft", "collecting", day(9), "invitations"),
        move("collecting", "selecting", day(12), "deadline"),
        move("selecting", "confirmed", day(13, 15), "confirm"),
    ]
    figures = compute_figures([doc], NOW, BERLIN)
    series = figures.phases
    at = {d: i for i, d in enumerate(series.days)}
    phase_on = {d: next(p for p, c in series.counts.items() if c[i]) for d, i in at.items()}
    assert phase_on[date(2026, 11, 9)] == "collecting"
    assert phase_on[date(2026, 11, 12)] == "selecting"
    assert phase_on[date(2026, 11, 13)] == phase_on[date(2026, 11, 26)] == "confirmed"
    assert figures.confirmation_hours == (4 * 24 + 6,)  # 9 Nov 09:00 → 13 Nov 15:00

    # Without the history (an older platform) the same document falls back to its last
    # change: confirmed only today, 17 days after the invitations.
    legacy = compute_figures([dict(doc, phaseHistory=[])], NOW, BERLIN)
    assert legacy.phases.counts["confirmed"][-2] == 0
    assert legacy.confirmation_hours == (17 * 24 + 3,)


def test_a_history_that_does_not_explain_the_phase_is_not_trusted() -> None:
    """Invitations sent before they were audited: the first move leaves collecting (drawn
    from invitationsSentAt); moves ending elsewhere than the current phase fall back."""
    doc = council(7, "selecting", day(2, 8), day(3), NOW, [])
    doc["phaseHistory"] = [move("collecting", "selecting", day(6), "deadline")]
    series = compute_figures([doc], NOW, BERLIN).phases
    at = {d: i for i, d in enumerate(series.days)}
    assert series.counts["draft"][at[date(2026, 11, 2)]] == 1
    assert series.counts["collecting"][at[date(2026, 11, 4)]] == 1
    assert series.counts["selecting"][at[date(2026, 11, 6)]] == 1
    stale = dict(doc, coordinationStatus="confirmed")  # a move the platform did not audit
    series = compute_figures([stale], NOW, BERLIN).phases
    assert series.counts["selecting"][at[date(2026, 11, 6)]] == 0  # reconstructed instead
    assert series.counts["collecting"][at[date(2026, 11, 6)]] == 1
