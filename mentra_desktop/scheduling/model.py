"""The engine's input vocabulary: plain frozen dataclasses, validated on construction.

Everything the engine decides is a pure function of these values. Instants are
timezone-aware (naive datetimes are refused), converted to UTC on the way in; time
zones are IANA names resolved with :mod:`zoneinfo`. A value that breaks a rule raises
:class:`SchedulingInputError` naming the offending field, so the CLI and the platform
can report one clear line and change nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_MENTORS = 5
"""A council never seats more than five mentors."""

MAX_DURATION_MINUTES = 24 * 60
"""A session lasts at most a day (a council is normally one hour)."""

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""Slot starts and ``now`` must lie in ``[EARLIEST, LATEST)``: the engine adds durations,
the 14-day alternatives window and a day either side of local working days to them, which
must stay within what :mod:`datetime` can represent. Other instants (busy ranges, say a
"busy until 9999-12-31" sentinel) are only compared and may be anything representable."""


class SchedulingInputError(ValueError):
    """Input the engine refuses; ``field`` is a dotted path to the offending value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Answer(StrEnum):
    """A mentor's answer for one slot; a missing answer is ``PENDING``."""

    AVAILABLE = "available"
    TENTATIVE = "tentative"
    UNAVAILABLE = "unavailable"
    PENDING = "pending"


def require_aware(value: datetime, field_name: str) -> datetime:
    """Return ``value`` in UTC; refuse naive datetimes."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise SchedulingInputError(field_name, "naive datetime; give an offset, e.g. +00:00")
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+01:00 has no UTC representation
        raise SchedulingInputError(field_name, "instant out of range") from exc


def require_schedulable(value: datetime, field_name: str) -> datetime:
    """:func:`require_aware`, and within ``[EARLIEST, LATEST)`` (see :data:`EARLIEST`)."""
    value = require_aware(value, field_name)
    if not EARLIEST <= value < LATEST:
        raise SchedulingInputError(
            field_name, f"must lie between {EARLIEST.year} and {LATEST.year - 1}"
        )
    return value


def require_finite(value: float, field_name: str) -> None:
    """Refuse NaN and infinities: they would poison every score comparison."""
    if not math.isfinite(value):
        raise SchedulingInputError(field_name, "must be a finite number")


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """Resolve an IANA zone name once; unknown names raise ``ZoneInfoNotFoundError``."""
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """A half-open UTC interval ``[start, end)``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", require_aware(self.start, "start"))
        object.__setattr__(self, "end", require_aware(self.end, "end"))
        if self.end <= self.start:
            raise SchedulingInputError("end", "must be after start")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


ALL_DAYS = frozenset(range(1, 8))
WEEKDAYS = frozenset(range(1, 6))
"""ISO weekdays (1 = Monday … 7 = Sunday)."""


def parse_clock(value: str, field_name: str, *, end: bool = False) -> time:
    """``HH:MM`` (24-hour) → :class:`time`; ``24:00`` only as an end (→ ``time.max``)."""
    if end and value == "24:00":
        return time.max
    hours, sep, minutes = value.partition(":")
    if sep and len(minutes) == 2 and hours.isdigit() and minutes.isdigit() and len(hours) <= 2:
        h, m = int(hours), int(minutes)
        if h < 24 and m < 60:
            return time(h, m)
    raise SchedulingInputError(field_name, f"expected HH:MM, got {value!r}")


def format_clock(value: time) -> str:
    """The inverse of :func:`parse_clock` (``time.max`` → ``24:00``)."""
    return "24:00" if value == time.max else f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """A mentor's local working day: the one definition, shared by the engine and assignment.

    ``start``/``end`` are local wall-clock times in the mentor's zone and ``days`` the ISO
    weekdays (1 = Monday) on which a working day *starts*. An ``end`` at or before
    ``start`` runs past local midnight (22:00–06:00 on a Friday covers Saturday 00:00–06:00
    too); ``time.max`` as an end means 24:00. Defaults: 09:00–18:00, Monday to Friday
    (a mentor profile has the same defaults). ``start == end`` is refused: it would be
    either no time at all or a whole day, so say 00:00–24:00 for the latter.
    """

    start: time = time(9, 0)
    end: time = time(18, 0)
    days: frozenset[int] = WEEKDAYS

    def __post_init__(self) -> None:
        if self.start == time.max:
            raise SchedulingInputError("working_hours.start", "24:00 is only allowed as an end")
        if self.end == self.start:
            raise SchedulingInputError(
                "working_hours.end", "must differ from the start (00:00–24:00 is a whole day)"
            )
        days = self.days
        if not isinstance(days, frozenset):
            days = frozenset(days)
            object.__setattr__(self, "days", days)
        if not days:
            raise SchedulingInputError("working_hours.days", "at least one working day is required")
        if not days <= ALL_DAYS or any(type(d) is not int for d in days):
            raise SchedulingInputError(
                "working_hours.days", "ISO weekdays are 1 (Monday) to 7 (Sunday)"
            )

    @property
    def overnight(self) -> bool:
        """True when the working day runs past local midnight."""
        return self.end != time.max and self.end < self.start

    @classmethod
    def parse(
        cls, start: str, end: str, days: Iterable[int] = WEEKDAYS, *, where: str = ""
    ) -> WorkingHours:
        """From ``HH:MM`` texts and ISO weekdays; errors name ``<where>working_hours…``."""
        try:
            return cls(
                parse_clock(start, "working_hours.start"),
                parse_clock(end, "working_hours.end", end=True),
                frozenset(days),
            )
        except SchedulingInputError as exc:
            raise SchedulingInputError(where + exc.field, exc.message) from exc
        except TypeError as exc:  # e.g. a day that is not hashable
            raise SchedulingInputError(
                where + "working_hours.days", "must be ISO weekdays"
            ) from exc


@dataclass(frozen=True, slots=True)
class Slot:
    """One proposed start time; the slot lasts the council's ``duration_minutes``."""

    id: str
    start: datetime
    priority: float = 0.0

    def __post_init__(self) -> None:
        if not self.id:
            raise SchedulingInputError("slot.id", "must be a non-empty string")
        object.__setattr__(
            self, "start", require_schedulable(self.start, f"council.slots[{self.id}].start")
        )
        require_finite(self.priority, f"council.slots[{self.id}].priority")


@dataclass(frozen=True, slots=True)
class Mentor:
    """A mentor invited to a council, with their answers and constraints.

    ``answers`` maps slot id to :class:`Answer`; ``partial`` maps slot id to the
    ranges inside that slot the mentor can attend; ``alternatives`` are ranges the
    mentor proposes instead; ``busy`` are ranges in which the mentor is taken
    (another confirmed session or a calendar busy range) whatever they answered.
    ``seniority`` is a non-negative level (higher is more senior) and
    ``expertise_match`` a score in [0, 1].
    """

    id: str
    timezone: str = "UTC"
    seniority: float = 1.0
    expertise_match: float = 0.5
    working_hours: WorkingHours = field(default_factory=WorkingHours)
    answers: Mapping[str, Answer] = field(default_factory=dict)
    partial: Mapping[str, tuple[TimeRange, ...]] = field(default_factory=dict)
    alternatives: tuple[TimeRange, ...] = ()
    busy: tuple[TimeRange, ...] = ()
    conflict_notes: str = ""

    def __post_init__(self) -> None:
        where = f"mentors[{self.id}]"
        if not self.id:
            raise SchedulingInputError("mentors.id", "must be a non-empty string")
        try:
            zone(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            # OSError: a name that is a tzdata directory ("Europe") or too long for a path
            raise SchedulingInputError(
                f"{where}.timezone", f"unknown IANA time zone {self.timezone!r}"
            ) from exc
        require_finite(self.seniority, f"{where}.seniority")
        if not 0.0 <= self.expertise_match <= 1.0:
            raise SchedulingInputError(f"{where}.expertise_match", "must be within [0, 1]")
        if self.seniority < 0:
            raise SchedulingInputError(f"{where}.seniority", "must not be negative")
        for slot_id, answer in self.answers.items():
            if not isinstance(answer, Answer):
                raise SchedulingInputError(
                    f"{where}.answers.{slot_id}", f"unknown answer {answer!r}"
                )

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)

    def answer_for(self, slot_id: str) -> Answer:
        return self.answers.get(slot_id, Answer.PENDING)


@dataclass(frozen=True, slots=True)
class Council:
    """One council: 3–5 proposed slots and how many mentors it seats."""

    id: str
    slots: tuple[Slot, ...]
    mentor_minimum: int = 3
    mentor_maximum: int = 5
    lead_mentor: str | None = None
    duration_minutes: int = 60

    def __post_init__(self) -> None:
        if not self.id:
            raise SchedulingInputError("council.id", "must be a non-empty string")
        if not self.slots:
            raise SchedulingInputError("council.slots", "at least one slot is required")
        if self.mentor_maximum > MAX_MENTORS or self.mentor_maximum < 1:
            raise SchedulingInputError("council.mentor_maximum", f"must be within 1..{MAX_MENTORS}")
        if not 1 <= self.mentor_minimum <= self.mentor_maximum:
            raise SchedulingInputError("council.mentor_minimum", "must be within 1..mentor_maximum")
        if not 0 < self.duration_minutes <= MAX_DURATION_MINUTES:
            raise SchedulingInputError(
                "council.duration_minutes", f"must be within 1..{MAX_DURATION_MINUTES}"
            )
        seen: set[str] = set()
        for slot in self.slots:
            if slot.id in seen:
                raise SchedulingInputError("council.slots", f"duplicate slot id {slot.id!r}")
            seen.add(slot.id)

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class SelectionRequest:
    """Everything needed to decide one council at instant ``now``."""

    now: datetime
    deadline: datetime
    council: Council
    mentors: tuple[Mentor, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", require_schedulable(self.now, "now"))
        object.__setattr__(self, "deadline", require_aware(self.deadline, "deadline"))
        slot_ids = {slot.id for slot in self.council.slots}
        seen: set[str] = set()
        for mentor in self.mentors:
            if mentor.id in seen:
                raise SchedulingInputError("mentors", f"duplicate mentor id {mentor.id!r}")
            seen.add(mentor.id)
            for kind, keys in (("answers", mentor.answers), ("partial", mentor.partial)):
                for slot_id in keys:
                    if slot_id not in slot_ids:
                        raise SchedulingInputError(
                            f"mentors[{mentor.id}].{kind}.{slot_id}", "unknown slot id"
                        )
        lead = self.council.lead_mentor
        if lead is not None and lead not in seen:
            raise SchedulingInputError("council.lead_mentor", f"{lead!r} is not among the mentors")


@dataclass(frozen=True, slots=True)
class Weights:
    """Scoring weights (documented defaults; every decision uses one ``Weights``).

    A mentor's weight is ``base + seniority_weight * seniority + expertise_weight *
    expertise_match``; an answer contributes ``mentor weight * value`` where value is
    ``available`` / ``tentative`` or ``partial × covered fraction``. A slot adds
    ``priority_weight * priority`` and subtracts ``outside_hours_penalty`` per
    attending mentor-hour outside that mentor's local working hours.
    """

    base: float = 1.0
    seniority_weight: float = 0.2
    expertise_weight: float = 1.0
    available: float = 1.0
    tentative: float = 0.5
    partial: float = 0.5
    priority_weight: float = 1.0
    outside_hours_penalty: float = 0.5

    def __post_init__(self) -> None:
        for name in self.__slots__:
            require_finite(getattr(self, name), f"weights.{name}")
            if getattr(self, name) < 0:
                raise SchedulingInputError(f"weights.{name}", "must not be negative")
        # Early confirmation relies on "available" being the best possible answer.
        for name in ("tentative", "partial"):
            if getattr(self, name) > self.available:
                raise SchedulingInputError(f"weights.{name}", "must not exceed weights.available")

    def mentor_weight(self, mentor: Mentor) -> float:
        return (
            self.base
            + self.seniority_weight * mentor.seniority
            + self.expertise_weight * mentor.expertise_match
        )


DEFAULT_WEIGHTS = Weights()
