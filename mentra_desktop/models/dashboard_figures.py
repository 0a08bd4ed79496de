"""The dashboard's figures, computed from the cached council documents (no Qt).

Each figure answers one coordinator question. What the cache can honestly tell:

* **Councils by phase over time** — from the document's ``phaseHistory`` (the platform's
  audited moves ``{from, status, at, cause}``, oldest first): the first move's source
  phase from ``createdAt`` (``collecting`` from ``invitationsSentAt`` when the invitations
  predate their audit), then each move. A document without a history that explains its
  phase (from a platform that predates it, or a council invited before the invitations
  were audited) is reconstructed as before: ``draft`` from ``createdAt``, ``collecting``
  from ``invitationsSentAt``, its current phase from ``updatedAt`` (its last change).
* **Mentor answer rate** — per week of invitation (the coordinator's weeks, Monday
  first): of the mentor seats invited that week, the share that has answered
  (``responseDate``) and the share that answered within 48 hours.
* **Invitation → confirmation** — for confirmed councils, the last move into
  ``confirmed`` minus the invitations (the move out of ``draft``, else
  ``invitationsSentAt``), in hours; without
  a history, ``updatedAt`` (the last change) minus ``invitationsSentAt``.
* **Mentor load** — confirmed councils whose final slot starts in the coming weeks:
  sessions per attending mentor per week, the busiest mentors first.

:func:`compute_figures` is a pure function of the documents, ``now`` and the zone.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from mentra_desktop.models.councils import PHASE_ORDER
from mentra_desktop.scheduling.documents import parse_instant

PHASES = PHASE_ORDER
MAX_DAYS = 120
"""The phase chart covers at most the last 120 days."""
QUICK = timedelta(hours=48)
_INVITED = ("draft", "collecting")
"""The move the invitations make (a later move into collecting is a second round)."""
WEEKS_AHEAD = 4
TOP_MENTORS = 12

Doc = Mapping[str, Any]


def _instant(value: Any) -> datetime | None:
    """An optional instant of a council document (None when absent); naive ones refused."""
    return parse_instant(value, "council document") if value else None


def _day_start(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def _week_start(moment: datetime, zone: tzinfo) -> date:
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.isoweekday() - 1)


@dataclass(frozen=True)
class PhaseSeries:
    """``counts[phase][i]``: councils in ``phase`` at the end of local day ``days[i]``
    (``ends[i]`` is that instant, the next local midnight, in UTC)."""

    days: tuple[date, ...]
    ends: tuple[datetime, ...]
    counts: dict[str, tuple[int, ...]]


@dataclass(frozen=True)
class AnswerRateWeek:
    week: date
    starts: datetime
    invited: int
    answered: int
    quick: int

    @property
    def rate(self) -> float:
        return self.answered / self.invited if self.invited else 0.0

    @property
    def quick_rate(self) -> float:
        return self.quick / self.invited if self.invited else 0.0


@dataclass(frozen=True)
class MentorLoad:
    """Sessions of one mentor in each of the coming weeks (``per_week[0]`` is this week)."""

    mentor_id: int
    name: str
    per_week: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_week)


@dataclass(frozen=True)
class DashboardFigures:
    now: datetime
    councils: int
    phases: PhaseSeries
    answer_rate: tuple[AnswerRateWeek, ...]
    confirmation_hours: tuple[float, ...]
    load_weeks: tuple[date, ...]
    load: tuple[MentorLoad, ...]
    mentors_with_sessions: int


def _moves(doc: Doc) -> list[tuple[datetime, str, str]]:
    """``(at, from, to)`` of the document's ``phaseHistory`` (empty without one); a move
    into the phase the council is already in is no move."""
    moves: list[tuple[datetime, str, str]] = []
    for move in doc.get("phaseHistory") or ():
        at = _instant(move.get("at"))
        if at is not None and move.get("status") and move.get("status") != move.get("from"):
            moves.append((at, str(move.get("from") or "draft"), str(move["status"])))
    return moves


def _history_timeline(doc: Doc, created: datetime) -> list[tuple[datetime, str]] | None:
    """The steps the audited moves tell, or None when they do not end in the council's
    current phase (no history, or moves the platform did not audit)."""
    moves = _moves(doc)
    if not moves or moves[-1][2] != doc.get("coordinationStatus"):
        return None
    first = moves[0][1]
    steps: list[tuple[datetime, str]] = [(created, first)]
    invited = _instant(doc.get("invitationsSentAt"))
    if first == "collecting" and invited is not None and created < invited <= moves[0][0]:
        steps = [(created, "draft"), (invited, "collecting")]
    for at, _, target in moves:
        steps.append((max(at, steps[-1][0]), target))
    return steps


def _phase_timeline(doc: Doc) -> list[tuple[datetime, str]]:
    """``(from, phase)`` steps of one council, as far as its document tells."""
    created = _instant(doc.get("createdAt"))
    if created is None:
        return []
    history = _history_timeline(doc, created)
    if history is not None:
        return history
    status = str(doc.get("coordinationStatus", "draft"))
    invited = _instant(doc.get("invitationsSentAt"))
    changed = _instant(doc.get("updatedAt")) or created
    steps: list[tuple[datetime, str]] = [(created, "draft")]
    if invited is not None and status != "draft":
        steps.append((max(invited, created), "collecting"))
    steps.append((max(changed, steps[-1][0]), status))
    return steps


def _phase_at(steps: list[tuple[datetime, str]], moment: datetime) -> str | None:
    phase: str | None = None
    for start, name in steps:
        if start <= moment:
            phase = name
    return phase


def phase_series(docs: Iterable[Doc], now: datetime, zone: tzinfo) -> PhaseSeries:
    timelines = [t for t in (_phase_timeline(d) for d in docs) if t]
    today = now.astimezone(zone).date()
    if not timelines:
        return PhaseSeries((), (), {p: () for p in PHASES})
    first = min(t[0][0] for t in timelines).astimezone(zone).date()
    first = max(first, today - timedelta(days=MAX_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    ends = [min(_day_start(d + timedelta(days=1), zone), now) for d in days]
    counts: dict[str, list[int]] = {p: [0] * len(days) for p in PHASES}
    for steps in timelines:
        for i, end in enumerate(ends):
            phase = _phase_at(steps, end)
            if phase is not None:
                counts.setdefault(phase, [0] * len(days))[i] += 1
    return PhaseSeries(tuple(days), tuple(ends), {p: tuple(c) for p, c in counts.items()})


def answer_rates(docs: Iterable[Doc], zone: tzinfo) -> tuple[AnswerRateWeek, ...]:
    invited: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    quick: Counter[date] = Counter()
    for doc in docs:
        sent = _instant(doc.get("invitationsSentAt"))
        if sent is None:
            continue
        week = _week_start(sent, zone)
        for seat in doc.get("mentors", ()):
            invited[week] += 1
            replied = _instant(seat.get("responseDate"))
            if replied is not None:
                answered[week] += 1
                if replied - sent <= QUICK:
                    quick[week] += 1
    return tuple(
        AnswerRateWeek(w, _day_start(w, zone), invited[w], answered[w], quick[w])
        for w in sorted(invited)
    )


def confirmation_hours(docs: Iterable[Doc]) -> tuple[float, ...]:
    hours: list[float] = []
    for doc in docs:
        if doc.get("coordinationStatus") != "confirmed":
            continue
        sent = _instant(doc.get("invitationsSentAt"))
        changed = _instant(doc.get("updatedAt"))
        moves = _moves(doc)
        confirmed = [at for at, _, target in moves if target == "confirmed"]
        if confirmed:
            invited = [at for at, source, target in moves if (source, target) == _INVITED]
            sent, changed = (invited[0] if invited else sent), confirmed[-1]
        if sent is None or changed is None or changed < sent:
            continue
        hours.append((changed - sent).total_seconds() / 3600)
    return tuple(sorted(hours))


def mentor_load(
    docs: Iterable[Doc], now: datetime, zone: tzinfo, weeks: int = WEEKS_AHEAD
) -> tuple[tuple[date, ...], tuple[MentorLoad, ...], int]:
    """Weeks (this one first), the busiest :data:`TOP_MENTORS` mentors, and how many
    mentors have any session in those weeks."""
    first = _week_start(now, zone)
    week_days = tuple(first + timedelta(weeks=i) for i in range(weeks))
    horizon = _day_start(first + timedelta(weeks=weeks), zone)
    per: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    names: dict[int, str] = {}
    for doc in docs:
        if doc.get("coordinationStatus") != "confirmed" or doc.get("finalSlotId") is None:
            continue
        slot = next(
            (s for s in doc.get("proposedTimeSlots", ()) if s["id"] == doc["finalSlotId"]), None
        )
        start = _instant(slot["start"]) if slot is not None else None
        if start is None or not now <= start < horizon:
            continue
        index = (_week_start(start, zone) - first).days // 7
        for seat in doc.get("mentors", ()):
            if seat.get("attending"):
                mentor = int(seat["mentorId"])
                per[mentor][index] += 1
                names[mentor] = str(seat.get("name") or mentor)
    loads = sorted(
        (MentorLoad(m, names[m], tuple(c)) for m, c in per.items()),
        key=lambda load: (-load.total, load.name, load.mentor_id),
    )
    return week_days, tuple(loads[:TOP_MENTORS]), len(loads)


def compute_figures(docs: Iterable[Doc], now: datetime, zone: tzinfo) -> DashboardFigures:
    """Every figure from one pass over ``docs`` (a list is read several times)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    docs = list(docs)
    weeks, load, busy_mentors = mentor_load(docs, now, zone)
    return DashboardFigures(
        now=now,
        councils=len(docs),
        phases=phase_series(docs, now, zone),
        answer_rate=answer_rates(docs, zone),
        confirmation_hours=confirmation_hours(docs),
        load_weeks=weeks,
        load=load,
        mentors_with_sessions=busy_mentors,
    )


def histogram(values: tuple[float, ...], width: float) -> tuple[list[float], list[int]]:
    """Bin edges (0, width, 2·width, …) and counts covering every value."""
    if not values:
        return [0.0, width], [0]
    bins = int(max(values) // width) + 1
    counts = [0] * bins
    for v in values:
        counts[min(int(v // width), bins - 1)] += 1
    return [i * width for i in range(bins + 1)], counts


def median(values: tuple[float, ...]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
