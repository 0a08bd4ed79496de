"""Choose 3–5 mentors for a council (pure: plain dataclasses in, a ranked choice out).

Each candidate gets a base score in [0, 1]::

    0.50 * expertise match   (share of the topic's terms the mentor's tags cover)
  + 0.20 * seniority         (level / highest level among the candidates)
  + 0.15 * load              (1 / (1 + active councils): fewer is better)
  + 0.15 * hours coverage    (share of proposed slot minutes inside local working hours)

Mentors are then picked greedily. At every step the base score is adjusted by the pick's
contribution to the team: a bonus for covering slots no chosen mentor's working hours cover
yet, and a penalty per already-chosen mentor in the same UTC offset. Both are small, so they
only decide between comparable candidates; a far better expert is never displaced. Ties break
on user id, so the result is deterministic. Working hours are the engine's
:class:`~mentra_desktop.scheduling.model.WorkingHours` (working days, overnight days),
evaluated by the engine's own :func:`~mentra_desktop.scheduling.localtime.working_intervals`
on each slot's own date, so assignment and the slot decision never disagree about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mentra_desktop.scheduling.localtime import working_intervals
from mentra_desktop.scheduling.model import WorkingHours

W_EXPERTISE: Final = 0.50
W_SENIORITY: Final = 0.20
W_LOAD: Final = 0.15
W_HOURS: Final = 0.15
SLOT_COVER_BONUS: Final = 0.10
SAME_OFFSET_PENALTY: Final = 0.06

_STOPWORD_TEXT: Final = (
    "a an and are as at be by for from how in into is it of on or our the their to with your "
    "we you vs via council session mentoring"
)
_STOPWORDS: Final = frozenset(_STOPWORD_TEXT.split())
_WORD: Final = re.compile(r"[a-z0-9+#]+")


@dataclass(frozen=True)
class Slot:
    """A proposed slot (aware datetimes) and its id."""

    slot_id: int
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("slot times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("slot end must be after its start")


@dataclass(frozen=True)
class Candidate:
    """A mentor as the assigner sees them; ``hours`` in the mentor's ``timezone``.

    ``booked_slot_ids``: slots the mentor cannot take (confirmed for another council then);
    they count as not covered.
    """

    user_id: int
    name: str
    expertise: tuple[str, ...]
    seniority: int
    timezone: str
    active_councils: int = 0
    hours: WorkingHours = field(default_factory=WorkingHours)
    booked_slot_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Pick:
    """One chosen mentor, the score components and human-readable reasons."""

    rank: int
    user_id: int
    score: float
    expertise_match: float
    seniority: float
    load: float
    hours_coverage: float
    covered_slot_ids: tuple[int, ...]
    utc_offset_minutes: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Assignment:
    """The ranked choice; ``meets_minimum`` is False when too few candidates exist."""

    picks: tuple[Pick, ...]
    meets_minimum: bool
    uncovered_slot_ids: tuple[int, ...]


def terms(text: str) -> frozenset[str]:
    """Lower-case content words with a crude plural fold (``teams`` → ``team``)."""
    words = (w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS)
    return frozenset(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def expertise_match(topic_terms: frozenset[str], tags: Iterable[str]) -> tuple[float, list[str]]:
    """Share of the topic's terms covered by the tags, and the tags that matched."""
    if not topic_terms:
        return 0.0, []
    covered: set[str] = set()
    matched: list[str] = []
    for tag in tags:
        hit = terms(tag) & topic_terms
        if hit:
            covered |= hit
            matched.append(tag)
    return len(covered) / len(topic_terms), sorted(matched)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def covered_fraction(cand: Candidate, slot: Slot) -> float:
    """Share of the slot inside the candidate's local working hours (DST-correct)."""
    inside = sum(
        (
            hi - lo
            for lo, hi in working_intervals(slot.start, slot.end, _zone(cand.timezone), cand.hours)
        ),
        timedelta(),
    )
    return min(1.0, inside / (slot.end - slot.start))


def topic_match(topic: str, tags: Iterable[str], topic_tags: Sequence[str] = ()) -> float:
    """The expertise match a seat is assigned with: :func:`expertise_match` of the topic."""
    return round(expertise_match(terms(" ".join((topic, *topic_tags))), tags)[0], 4)


@dataclass(frozen=True)
class _Scored:
    cand: Candidate
    base: float
    expertise: float
    matched: tuple[str, ...]
    seniority: float
    load: float
    hours: float
    covered: frozenset[int]
    offset: int


def _score(
    cand: Candidate, topic_terms: frozenset[str], slots: Sequence[Slot], top_level: int
) -> _Scored:
    exp, matched = expertise_match(topic_terms, cand.expertise)
    sen = max(0, cand.seniority) / top_level if top_level > 0 else 0.0
    load = 1.0 / (1 + max(0, cand.active_councils))
    fractions = {
        s.slot_id: 0.0 if s.slot_id in cand.booked_slot_ids else covered_fraction(cand, s)
        for s in slots
    }
    hours = sum(fractions.values()) / len(slots) if slots else 0.0
    covered = frozenset(sid for sid, f in fractions.items() if f >= 0.999)
    ref = slots[0].start if slots else None
    offset_td = ref.astimezone(_zone(cand.timezone)).utcoffset() if ref else None
    offset = int(offset_td.total_seconds() // 60) if offset_td is not None else 0
    base = W_EXPERTISE * exp + W_SENIORITY * sen + W_LOAD * load + W_HOURS * hours
    return _Scored(cand, base, exp, tuple(matched), sen, load, hours, covered, offset)


def _reasons(s: _Scored, slots: Sequence[Slot], new_slots: int, new_offset: bool) -> list[str]:
    c = s.cand
    out = [
        f"expertise match {s.expertise:.2f}"
        + (f" ({', '.join(s.matched)})" if s.matched else " (no tag matches the topic)"),
        f"seniority level {c.seniority}",
        f"load: {c.active_councils} active council{'s' if c.active_councils != 1 else ''}",
        f"working hours ({c.timezone}) cover {len(s.covered)}/{len(slots)} slots",
    ]
    booked = len(c.booked_slot_ids & {s.slot_id for s in slots})
    if booked:
        out.append(f"booked elsewhere over {booked} slot{'s' if booked != 1 else ''}")
    if new_slots:
        out.append(f"covers {new_slots} slot{'s' if new_slots != 1 else ''} no other pick covers")
    if new_offset:
        sign = "+" if s.offset >= 0 else "-"
        out.append(f"adds time zone UTC{sign}{abs(s.offset) // 60:02d}:{abs(s.offset) % 60:02d}")
    return out


def _adjusted(s: _Scored, covered: set[int], offsets: list[int], n_slots: int) -> float:
    """Base score plus the team effect: new slot coverage, minus same-offset crowding."""
    gain = len(s.covered - covered) / n_slots if n_slots else 0.0
    return s.base + SLOT_COVER_BONUS * gain - SAME_OFFSET_PENALTY * offsets.count(s.offset)


def assign_mentors(
    topic: str,
    candidates: Sequence[Candidate],
    slots: Sequence[Slot],
    *,
    target: int,
    minimum: int,
    topic_tags: Sequence[str] = (),
    already_chosen: Sequence[Candidate] = (),
) -> Assignment:
    """Pick up to ``target`` mentors (beyond ``already_chosen``), best team first.

    ``already_chosen`` mentors keep their seats and count toward ``target``, slot coverage and
    time-zone spread; they are not repeated in ``picks``. Candidates with no expertise match
    are only used when needed to reach ``minimum``.
    """
    if minimum > target:
        raise ValueError("minimum must not exceed target")
    topic_terms = terms(" ".join((topic, *topic_tags)))
    chosen_ids = {c.user_id for c in already_chosen}
    pool = [c for c in candidates if c.user_id not in chosen_ids]
    top_level = max((c.seniority for c in (*pool, *already_chosen)), default=0)
    scored = [_score(c, topic_terms, slots, top_level) for c in pool]
    seeded = [_score(c, topic_terms, slots, top_level) for c in already_chosen]
    covered: set[int] = set().union(*(s.covered for s in seeded))
    offsets: list[int] = [s.offset for s in seeded]
    seats = max(0, target - len(already_chosen))
    picks: list[Pick] = []
    remaining = sorted(scored, key=lambda s: s.cand.user_id)
    while remaining and len(picks) < seats:
        need_fill = len(already_chosen) + len(picks) < minimum
        eligible = [s for s in remaining if s.expertise > 0] or (remaining if need_fill else [])
        if not eligible:
            break

        best = max(
            eligible,
            key=lambda s: (round(_adjusted(s, covered, offsets, len(slots)), 9), -s.cand.user_id),
        )
        new_slots = len(best.covered - covered)
        reasons = _reasons(best, slots, new_slots, best.offset not in offsets)
        picks.append(
            Pick(
                rank=len(picks) + 1,
                user_id=best.cand.user_id,
                score=round(best.base, 4),
                expertise_match=round(best.expertise, 4),
                seniority=round(best.seniority, 4),
                load=round(best.load, 4),
                hours_coverage=round(best.hours, 4),
                covered_slot_ids=tuple(sorted(best.covered)),
                utc_offset_minutes=best.offset,
                reasons=tuple(reasons),
            )
        )
        covered |= best.covered
        offsets.append(best.offset)
        remaining.remove(best)
    total = len(already_chosen) + len(picks)
    uncovered = tuple(sorted(s.slot_id for s in slots if s.slot_id not in covered))
    return Assignment(tuple(picks), total >= minimum, uncovered)
