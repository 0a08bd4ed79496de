"""A batch of councils' engine inputs, read with a handful of queries.

The worker decides hundreds of councils per transaction. Rendering each council's JSON
document and loading it as ORM objects costs more than the decision itself, and the
document's busy ranges cover everything from the council's creation to 14 days past its
last slot, so that cost grew with every council confirmed before it. Here one query per
table reads the whole batch (councils, slots, seats with their profiles, answers,
registrations) and one query (:func:`mentra_platform.councils.documents.busy_ranges`, the
same busy-time relation the council document reads) reads the busy ranges the engine can
compare with: those overlapping a council's slots, or the alternatives' horizon after
``now``. Ranges outside both change no decision (the engine only tests a busy range for
overlap with a slot or subtracts it from free time inside that horizon).

Each council's engine request is built by the one bridge
(:func:`mentra_desktop.models.engine_bridge.selection_request`, through
:func:`mentra_platform.coordination.engine.request_for`) from a
:class:`~mentra_desktop.models.wire.councils.CouncilOut` holding the fields it reads, so a
batch decides exactly as ``GET /councils/{id}/decision`` would with the preparation notice.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    CouncilSlot,
    CouncilSlotAnswer,
    MentorProfile,
    Registration,
    SlotAnswerValue,
)
from mentra_desktop.models.wire.councils import CouncilOut
from mentra_desktop.scheduling.alternatives import HORIZON
from mentra_desktop.scheduling.model import SelectionRequest
from mentra_platform.coordination.engine import request_for
from mentra_platform.councils.documents import Busy, busy_ranges

Window = tuple[datetime, datetime]
MAX_WINDOWS = 16
"""At most this many ``[start, end)`` windows go into one busy-range query."""


class AnswerRecord(NamedTuple):
    """A slot answer with the attribute names of
    :class:`~mentra_desktop.models.wire.councils.SlotAnswerOut` that the bridge reads (a
    pydantic object per answer would cost more than the engine run)."""

    slot_id: int
    answer: SlotAnswerValue
    partial_ranges: list[Any]


class SlotRecord(NamedTuple):
    """A slot with the attribute names of :class:`~mentra_desktop.models.wire.councils.SlotOut`
    that the bridge reads."""

    id: int
    start: datetime
    end: datetime
    priority_score: float


class SeatRecord(NamedTuple):
    """A seat with the attribute names of
    :class:`~mentra_desktop.models.wire.councils.CouncilMentorOut` that the bridge reads."""

    mentor_id: int
    slot_answers: list[AnswerRecord]
    timezone: str | None
    seniority: int | None
    expertise_match: float | None
    work_start: str | None
    work_end: str | None
    working_days: list[int] | None
    alternative_proposals: list[Any]
    busy: list[tuple[datetime, datetime]]
    conflict_notes: str


@dataclass(slots=True)
class BatchSlot:
    id: int
    position: int
    starts_at: datetime
    ends_at: datetime
    priority_score: float


@dataclass(slots=True)
class BatchSeat:
    id: int
    mentor_id: int
    is_lead: bool
    availability_response: AvailabilityResponse
    expertise_match: float | None
    alternative_proposals: list[Any]
    conflict_notes: str
    timezone: str | None
    seniority: int | None
    work_start: str | None
    work_end: str | None
    working_days: list[int] | None
    answers: list[AnswerRecord] = field(default_factory=list)


@dataclass(slots=True)
class BatchCouncil:
    """What the deadline decision and its writes need of one council."""

    id: int
    topic: str
    mentee_id: int
    lead_mentor_id: int | None
    deadline: datetime | None
    status: CoordinationStatus
    mentor_minimum: int
    mentor_maximum: int
    collection_round: int
    video_link: str | None
    invite_sequence: int
    version: int
    slots: list[BatchSlot] = field(default_factory=list)
    seats: list[BatchSeat] = field(default_factory=list)
    registrants: list[int] = field(default_factory=list)

    def mentee_ids(self) -> list[int]:
        """The mentee and every registered mentee, once each (as
        :func:`mentra_platform.notifications.messages.mentee_ids`)."""
        return list(dict.fromkeys([self.mentee_id, *self.registrants]))

    def slot(self, slot_id: int) -> BatchSlot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def windows(self, now: datetime) -> list[Window]:
        """The instants the engine compares busy ranges with: each slot over the council's
        duration (its longest slot, rounded up to the minute), and the alternatives'
        horizon after ``now``."""
        longest = max((s.ends_at - s.starts_at for s in self.slots), default=timedelta())
        length = longest + timedelta(minutes=1)
        out = [(s.starts_at, s.starts_at + length) for s in self.slots]
        out.append((now, now + HORIZON + length))
        return out


def _json_text(column: Any) -> Any:
    """A JSON column read as its text, parsed only when it holds something."""
    return cast(column, String)


def _json_list(value: str | None) -> list[Any]:
    if value is None or value in ("[]", "null", ""):
        return []
    parsed = json.loads(value)
    return parsed if isinstance(parsed, list) else []


def load_batch(session: Session, ids: Sequence[int]) -> dict[int, BatchCouncil]:
    """The councils in ``ids`` (missing ones left out) with slots, seats, answers and
    registrations: five queries."""
    c = CouncilSession
    councils = {
        row.id: BatchCouncil(
            id=row.id,
            topic=row.topic,
            mentee_id=row.mentee_id,
            lead_mentor_id=row.lead_mentor_id,
            deadline=row.mentor_response_deadline,
            status=row.coordination_status,
            mentor_minimum=row.mentor_minimum,
            mentor_maximum=row.mentor_maximum,
            collection_round=row.collection_round or 0,
            video_link=row.video_link,
            invite_sequence=row.invite_sequence or 0,
            version=row.version,
        )
        for row in session.execute(
            select(
                c.id,
                c.topic,
                c.mentee_id,
                c.lead_mentor_id,
                c.mentor_response_deadline,
                c.coordination_status,
                c.mentor_minimum,
                c.mentor_maximum,
                c.collection_round,
                c.video_link,
                c.invite_sequence,
                c.version,
            ).where(c.id.in_(list(ids)))
        )
    }
    if not councils:
        return {}
    wanted = list(councils)
    s = CouncilSlot
    for row in session.execute(
        select(s.council_id, s.id, s.position, s.starts_at, s.ends_at, s.priority_score)
        .where(s.council_id.in_(wanted))
        .order_by(s.council_id, s.position)
    ):
        councils[row.council_id].slots.append(
            BatchSlot(row.id, row.position, row.starts_at, row.ends_at, row.priority_score)
        )
    cm, mp = CouncilMentor, MentorProfile
    seats: dict[int, BatchSeat] = {}
    for row in session.execute(
        select(
            cm.council_id,
            cm.id,
            cm.mentor_id,
            cm.is_lead,
            cm.availability_response,
            cm.expertise_match,
            _json_text(cm.alternative_proposals).label("alternative_proposals"),
            cm.conflict_notes,
            mp.timezone,
            mp.seniority,
            mp.work_start,
            mp.work_end,
            mp.working_days,
        )
        .outerjoin(mp, mp.user_id == cm.mentor_id)
        .where(cm.council_id.in_(wanted))
        .order_by(cm.council_id, cm.id)
    ):
        seat = BatchSeat(
            id=row.id,
            mentor_id=row.mentor_id,
            is_lead=bool(row.is_lead),
            availability_response=row.availability_response,
            expertise_match=row.expertise_match,
            alternative_proposals=_json_list(row.alternative_proposals),
            conflict_notes=row.conflict_notes or "",
            timezone=row.timezone,
            seniority=row.seniority,
            work_start=row.work_start,
            work_end=row.work_end,
            working_days=row.working_days,
        )
        seats[seat.id] = seat
        councils[row.council_id].seats.append(seat)
    a = CouncilSlotAnswer
    for seat_id, slot_id, answer, ranges in session.execute(
        select(a.council_mentor_id, a.slot_id, a.answer, _json_text(a.partial_ranges))
        .join(cm, cm.id == a.council_mentor_id)
        .where(cm.council_id.in_(wanted))
        .order_by(a.council_mentor_id, a.slot_id)
    ):
        seats[seat_id].answers.append(AnswerRecord(slot_id, answer, _json_list(ranges)))
    r = Registration
    for council_id, user_id in session.execute(
        select(r.council_id, r.user_id).where(r.council_id.in_(wanted)).order_by(r.id)
    ):
        councils[council_id].registrants.append(user_id)
    return councils


def merged(windows: Iterable[Window], limit: int = MAX_WINDOWS) -> list[Window]:
    """``windows`` merged where they overlap, then where the gaps are smallest, until at
    most ``limit`` remain (a wider window only reads a few more ranges)."""
    out: list[Window] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    while len(out) > limit:
        gap = min(range(len(out) - 1), key=lambda i: out[i + 1][0] - out[i][1])
        out[gap : gap + 2] = [(out[gap][0], max(out[gap][1], out[gap + 1][1]))]
    return out


def batch_busy(
    session: Session, councils: Iterable[BatchCouncil], now: datetime
) -> dict[int, list[Busy]]:
    """The busy ranges of every seated mentor the batch's engine runs can compare with."""
    mentors: set[int] = set()
    windows: list[Window] = []
    for council in councils:
        mentors.update(seat.mentor_id for seat in council.seats)
        windows.extend(council.windows(now))
    return busy_ranges(session, mentors, merged(windows))


class BusyIndex:
    """Every mentor's busy ranges, by start, searchable by window; the batch adds each
    session it confirms, so later councils of the same batch see it."""

    def __init__(self, busy: dict[int, list[Busy]]) -> None:
        self._ranges: dict[int, list[Busy]] = {}
        self._starts: dict[int, list[datetime]] = {}
        self._longest = timedelta()
        for mentor_id, ranges in busy.items():
            for b in ranges:
                self.add(mentor_id, b)

    def add(self, mentor_id: int, busy: Busy) -> None:
        starts = self._starts.setdefault(mentor_id, [])
        at = bisect_right(starts, busy.start)
        starts.insert(at, busy.start)
        self._ranges.setdefault(mentor_id, []).insert(at, busy)
        self._longest = max(self._longest, busy.end - busy.start)

    def overlapping(self, mentor_id: int, lo: datetime, hi: datetime) -> list[Busy]:
        """The mentor's ranges overlapping ``[lo, hi)``, by start."""
        starts = self._starts.get(mentor_id)
        if not starts:
            return []
        ranges = self._ranges[mentor_id]
        first = bisect_left(starts, lo - self._longest)
        last = bisect_left(starts, hi)
        return [b for b in ranges[first:last] if b.end > lo]

    def for_council(
        self, council: BatchCouncil, now: datetime
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Per seated mentor, the ranges this council's engine run can compare with (never
        the council's own session), by start."""
        windows = merged(council.windows(now))
        out: dict[int, list[tuple[datetime, datetime]]] = {}
        for seat in council.seats:
            found: dict[Busy, None] = {}
            for lo, hi in windows:
                for b in self.overlapping(seat.mentor_id, lo, hi):
                    if b.council_id != council.id:
                        found[b] = None
            out[seat.mentor_id] = [(b.start, b.end) for b in sorted(found)]
        return out

    def bookings(self, mentor_id: int, lo: datetime, hi: datetime, council_id: int) -> list[Busy]:
        """The mentor's confirmed sessions of other councils overlapping ``[lo, hi)``."""
        return [
            b
            for b in self.overlapping(mentor_id, lo, hi)
            if b.council_id is not None and b.council_id != council_id
        ]


def document(council: BatchCouncil, busy: dict[int, list[tuple[datetime, datetime]]]) -> CouncilOut:
    """The council document holding the engine's inputs: exactly the fields the bridge
    reads, unvalidated (the rows are the database's own, already valid). Seats, answers
    and slots are :class:`SeatRecord`/:class:`AnswerRecord`/:class:`SlotRecord`, the
    council a pydantic object built without validation: a validated document per council
    would cost more than the engine run. ``tests/platform/test_worker_batch.py`` checks
    that a batch decides every kind of input exactly as the rendered document does."""
    fields: dict[str, Any] = {
        "id": council.id,
        "lead_mentor_id": council.lead_mentor_id,
        "mentor_response_deadline": council.deadline,
        "mentor_minimum": council.mentor_minimum,
        "mentor_maximum": council.mentor_maximum,
        "proposed_time_slots": [
            SlotRecord(s.id, s.starts_at, s.ends_at, s.priority_score) for s in council.slots
        ],
        "mentors": [
            SeatRecord(
                seat.mentor_id,
                seat.answers,
                seat.timezone,
                seat.seniority,
                seat.expertise_match,
                seat.work_start,
                seat.work_end,
                seat.working_days,
                seat.alternative_proposals,
                busy.get(seat.mentor_id, []),
                seat.conflict_notes,
            )
            for seat in council.seats
        ],
    }
    return _blank_document().model_copy(update=fields)


@cache
def _blank_document() -> CouncilOut:
    """An empty document to copy: ``model_construct`` computes every default again on each
    call (an ``inspect.signature`` per ``default_factory``), a copy does not."""
    nothing: dict[str, Any] = {}
    return CouncilOut.model_construct(**nothing)


def engine_request(
    council: BatchCouncil,
    busy: dict[int, list[tuple[datetime, datetime]]],
    now: datetime,
    notice: timedelta,
) -> SelectionRequest:
    """The engine's request for ``council`` at ``now`` with the preparation notice."""
    return request_for(document(council, busy), now, notice)


__all__ = [
    "BatchCouncil",
    "BatchSeat",
    "BatchSlot",
    "BusyIndex",
    "batch_busy",
    "document",
    "engine_request",
    "load_batch",
    "merged",
]
