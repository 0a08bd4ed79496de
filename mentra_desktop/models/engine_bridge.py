"""The one bridge from a council document to the scheduling engine and back.

The platform's ``GET /councils/{id}/decision`` and the desktop cache both hold the same
council document (:class:`~mentra_desktop.models.wire.councils.CouncilOut`, as served by
``GET /councils/{id}``), so both decide a council by the same two steps here:
:func:`selection_request` (document + ``now`` → the engine's
:class:`~mentra_desktop.scheduling.model.SelectionRequest`) and :func:`decision_view`
(the engine's :class:`~mentra_desktop.scheduling.selection.Decision` → the wire
:class:`~mentra_desktop.models.wire.decisions.EngineDecisionOut`). Nothing else is read:
a reader holding only the document reproduces the platform's decision exactly.

The mapping, field by field:

* slots → engine slots with id ``str(slot id)`` and ``priority = priorityScore``; the engine
  gives every slot one duration, the council's longest slot in whole minutes (every slot is
  60 minutes unless a coordinator made them differ);
* seats → engine mentors with id ``str(mentorId)``: the profile's ``timezone``,
  ``seniority``, working hours and days (the engine's defaults where the mentor has no
  profile), the seat's ``expertiseMatch`` (0.5 when unknown), per-slot answers (pending
  ones left out, as the engine reads a missing answer), partial ranges, alternative
  proposals, ``busy`` and conflict notes;
* ``leadMentorId`` → the lead when that mentor holds a seat;
* ``mentorResponseDeadline`` → the deadline; a council without one (a draft) has no
  deadline yet, so pending answers stay pending.

Qt-free and platform-free.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from mentra_desktop.models.wire.councils import CouncilMentorOut, CouncilOut
from mentra_desktop.models.wire.decisions import (
    AlternativeOut,
    EngineDecisionOut,
    ExplanationOut,
    ExplanationRowOut,
    PartialOut,
    RankedSlotOut,
    ScorePartsOut,
)
from mentra_desktop.scheduling.model import (
    MAX_DURATION_MINUTES,
    Answer,
    Council,
    Mentor,
    SchedulingInputError,
    SelectionRequest,
    Slot,
    TimeRange,
    WorkingHours,
)
from mentra_desktop.scheduling.selection import Decision, select

NO_DEADLINE = datetime.max.replace(tzinfo=UTC)
"""The engine's deadline for a council whose answers have no deadline yet."""


def _instant(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise SchedulingInputError(where, f"not an ISO 8601 instant: {value!r}") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise SchedulingInputError(where, "naive datetime")
    return parsed.astimezone(UTC)


def _ranges(value: Any, where: str) -> tuple[TimeRange, ...]:
    """``[[start, end], ...]`` (ISO texts or datetimes) → engine ranges."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise SchedulingInputError(where, "expected a list of [start, end] pairs")
    out = []
    for i, pair in enumerate(value):
        if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
            raise SchedulingInputError(f"{where}[{i}]", "expected [start, end]")
        start, end = _instant(pair[0], f"{where}[{i}][0]"), _instant(pair[1], f"{where}[{i}][1]")
        if end <= start:
            raise SchedulingInputError(f"{where}[{i}]", "end must be after start")
        out.append(TimeRange(start, end))
    return tuple(out)


def _duration_minutes(council: CouncilOut) -> int:
    longest = max((s.end - s.start for s in council.proposed_time_slots), default=timedelta())
    return min(max(1, math.ceil(longest / timedelta(minutes=1))), MAX_DURATION_MINUTES + 1)


def _mentor(seat: CouncilMentorOut, slot_ids: set[str]) -> Mentor:
    where = f"mentors[{seat.mentor_id}]"
    answers: dict[str, Answer] = {}
    partial: dict[str, tuple[TimeRange, ...]] = {}
    for a in seat.slot_answers:
        sid = str(a.slot_id)
        if sid not in slot_ids:
            continue
        if a.answer.value != Answer.PENDING.value:
            answers[sid] = Answer(a.answer.value)
        if a.partial_ranges:
            partial[sid] = _ranges(a.partial_ranges, f"{where}.partial.{sid}")
    hours = WorkingHours()
    if seat.work_start is not None and seat.work_end is not None:
        days = seat.working_days if seat.working_days is not None else sorted(hours.days)
        hours = WorkingHours.parse(seat.work_start, seat.work_end, days, where=f"{where}.")
    return Mentor(
        id=str(seat.mentor_id),
        timezone=seat.timezone or "UTC",
        seniority=1.0 if seat.seniority is None else float(seat.seniority),
        expertise_match=0.5 if seat.expertise_match is None else seat.expertise_match,
        working_hours=hours,
        answers=answers,
        partial=partial,
        alternatives=_ranges(seat.alternative_proposals, f"{where}.alternatives"),
        busy=tuple(TimeRange(a, b) for a, b in seat.busy),
        conflict_notes=seat.conflict_notes,
    )


def council_document(council: CouncilOut | Mapping[str, Any]) -> CouncilOut:
    """The wire document, validated (from the JSON dict the API serves, or as is)."""
    return council if isinstance(council, CouncilOut) else CouncilOut.model_validate(council)


def selection_request(council: CouncilOut | Mapping[str, Any], now: datetime) -> SelectionRequest:
    """The engine's view of ``council`` at ``now``.

    Raises :class:`SchedulingInputError` (naming the field) for a document the engine
    refuses, e.g. a mentor with an unknown time zone or slots longer than a day.
    """
    doc = council_document(council)
    slots = tuple(Slot(str(s.id), s.start, s.priority_score) for s in doc.proposed_time_slots)
    slot_ids = {s.id for s in slots}
    mentors = tuple(_mentor(seat, slot_ids) for seat in doc.mentors)
    seated = {m.id for m in mentors}
    lead = str(doc.lead_mentor_id) if doc.lead_mentor_id is not None else None
    return SelectionRequest(
        now=now,
        deadline=doc.mentor_response_deadline or NO_DEADLINE,
        council=Council(
            id=str(doc.id),
            slots=slots,
            mentor_minimum=doc.mentor_minimum,
            mentor_maximum=doc.mentor_maximum,
            lead_mentor=lead if lead in seated else None,
            duration_minutes=_duration_minutes(doc),
        ),
        mentors=mentors,
    )


def _ids(values: Sequence[str]) -> list[int]:
    return [int(v) for v in values]


def decision_view(council: CouncilOut, now: datetime, decision: Decision) -> EngineDecisionOut:
    """The engine's decision in the API's vocabulary (platform ids, scores to 4 decimals)."""
    return EngineDecisionOut(
        council_id=council.id,
        version=council.version,
        as_of=now.astimezone(UTC),
        status=decision.status.value,
        slot_id=int(decision.slot) if decision.slot is not None else None,
        start=decision.start,
        mentor_ids=_ids(decision.mentors),
        lead_included=decision.lead_included,
        ranking=[
            RankedSlotOut(
                slot_id=int(r.slot_id),
                start=r.start,
                feasible=r.feasible,
                lead_attends=r.lead_attends,
                attendee_ids=_ids(r.attendees),
                score=round(r.score, 4),
            )
            for r in decision.ranking
        ],
        alternatives=[
            AlternativeOut(
                start=a.start,
                end=a.end,
                likely_attendee_ids=_ids(a.likely_attendees),
                reaches_minimum=a.reaches_minimum,
                lead_included=a.lead_included,
            )
            for a in decision.alternatives
        ],
        explanation=ExplanationOut(
            reason=decision.explanation.reason,
            table=[
                ExplanationRowOut(
                    rank=row.rank,
                    slot_id=int(row.slot_id),
                    start=row.start,
                    feasible=row.feasible,
                    attending=_ids(row.attendees),
                    available=_ids(row.available),
                    tentative=_ids(row.tentative),
                    partial=[
                        PartialOut(mentor_id=int(m), fraction=round(f, 4)) for m, f in row.partial
                    ],
                    busy=_ids(row.busy),
                    unavailable=_ids(row.unavailable),
                    pending=_ids(row.pending),
                    score_parts=ScorePartsOut(
                        answers=round(row.answers, 4),
                        priority=round(row.priority, 4),
                        penalty=round(row.penalty, 4),
                    ),
                    score=round(row.score, 4),
                )
                for row in decision.explanation.rows
            ],
        ),
    )


def decide(council: CouncilOut | Mapping[str, Any], now: datetime) -> EngineDecisionOut:
    """Decide ``council`` as of ``now``: the request, ``select``, the view."""
    doc = council_document(council)
    return decision_view(doc, now, select(selection_request(doc, now)))
