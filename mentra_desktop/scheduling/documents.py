"""JSON documents ⇄ engine dataclasses: the public contract of ``mentra-schedule``.

Parsing checks shape and types itself so every refusal names the exact field
(``mentors[m3].timezone``, ``council.slots[1].start``) in a
:class:`~mentra_desktop.scheduling.model.SchedulingInputError`; the dataclasses then
enforce the domain rules. Output instants are ISO 8601 in UTC with an explicit
``+00:00`` offset; scores are rounded to 4 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mentra_desktop.scheduling.model import (
    Answer,
    Council,
    Mentor,
    SchedulingInputError,
    SelectionRequest,
    Slot,
    TimeRange,
    Weights,
    WorkingHours,
    format_clock,
    require_aware,
)
from mentra_desktop.scheduling.selection import Decision

Json = dict[str, Any]


def _get(obj: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
    path = f"{where}.{key}" if where else key
    if key not in obj:
        raise SchedulingInputError(path, "is required")
    return _typed(obj[key], path, kind)


def _opt(obj: Mapping[str, Any], key: str, where: str, kind: Any, default: Any) -> Any:
    if obj.get(key) is None:
        return default
    return _typed(obj[key], f"{where}.{key}" if where else key, kind)


_NAMES = {str: "a string", int: "an integer", dict: "an object", list: "an array"}


def _typed(value: Any, path: str, kind: type | tuple[type, ...]) -> Any:
    if kind is float or kind == (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise SchedulingInputError(path, f"must be a number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:  # an integer beyond float range
            number = math.inf
        if not math.isfinite(number):
            raise SchedulingInputError(path, "must be a finite number")
        return number
    if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
        name = _NAMES.get(kind, str(kind)) if isinstance(kind, type) else str(kind)
        raise SchedulingInputError(path, f"must be {name}, got {type(value).__name__}")
    return value


def parse_instant(value: Any, path: str) -> datetime:
    """An ISO 8601 string with an offset (``Z`` allowed) → aware UTC datetime."""
    text = _typed(value, path, str)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SchedulingInputError(path, f"not an ISO 8601 instant: {text!r}") from exc
    return require_aware(parsed, path)


def _range(value: Any, path: str) -> TimeRange:
    pair = _typed(value, path, list)
    if len(pair) != 2:
        raise SchedulingInputError(path, "expected [start, end]")
    start, end = parse_instant(pair[0], f"{path}[0]"), parse_instant(pair[1], f"{path}[1]")
    if end <= start:
        raise SchedulingInputError(path, "end must be after start")
    return TimeRange(start, end)


def _ranges(value: Any, path: str) -> tuple[TimeRange, ...]:
    return tuple(_range(item, f"{path}[{i}]") for i, item in enumerate(_typed(value, path, list)))


def _working_hours(obj: Mapping[str, Any], where: str) -> WorkingHours:
    """``{"start", "end", "days"}``, each optional (09:00, 18:00, [1, 2, 3, 4, 5])."""
    path = f"{where}.working_hours"
    default = WorkingHours()
    start = _opt(obj, "start", path, str, None)
    end = _opt(obj, "end", path, str, None)
    days = _opt(obj, "days", path, list, None)
    for i, day in enumerate(days or ()):
        _typed(day, f"{path}.days[{i}]", int)
    if days is not None and len(set(days)) != len(days):
        raise SchedulingInputError(f"{path}.days", "each weekday at most once")
    return WorkingHours.parse(
        start if start is not None else format_clock(default.start),
        end if end is not None else format_clock(default.end),
        default.days if days is None else days,
        where=f"{where}.",
    )


def parse_mentor(obj: Any, index: int) -> Mentor:
    """One entry of ``mentors``; errors name ``mentors[ID]`` (or ``mentors[index]``)."""
    obj = _typed(obj, f"mentors[{index}]", dict)
    mid = _get(obj, "id", f"mentors[{index}]", str)
    where = f"mentors[{mid}]"
    hours = _working_hours(_opt(obj, "working_hours", where, dict, {}), where)
    answers: dict[str, Answer] = {}
    for slot_id, answer in _opt(obj, "answers", where, dict, {}).items():
        try:
            answers[slot_id] = Answer(_typed(answer, f"{where}.answers.{slot_id}", str))
        except ValueError as exc:
            raise SchedulingInputError(
                f"{where}.answers.{slot_id}", f"unknown answer {answer!r}"
            ) from exc
    partial = {
        slot_id: _ranges(ranges, f"{where}.partial.{slot_id}")
        for slot_id, ranges in _opt(obj, "partial", where, dict, {}).items()
    }
    return Mentor(
        id=mid,
        timezone=_get(obj, "timezone", where, str),
        seniority=_opt(obj, "seniority", where, float, 1.0),
        expertise_match=_opt(obj, "expertise_match", where, float, 0.5),
        working_hours=hours,
        answers=answers,
        partial=partial,
        alternatives=_ranges(_opt(obj, "alternatives", where, list, []), f"{where}.alternatives"),
        busy=_ranges(_opt(obj, "busy", where, list, []), f"{where}.busy"),
        conflict_notes=_opt(obj, "conflict_notes", where, str, ""),
    )


def parse_council(obj: Any) -> Council:
    obj = _typed(obj, "council", dict)
    slots = []
    for i, item in enumerate(_get(obj, "slots", "council", list)):
        item = _typed(item, f"council.slots[{i}]", dict)
        sid = _get(item, "id", f"council.slots[{i}]", str)
        slots.append(
            Slot(
                sid,
                parse_instant(item.get("start"), f"council.slots[{sid}].start"),
                _opt(item, "priority", f"council.slots[{sid}]", float, 0.0),
            )
        )
    return Council(
        id=_get(obj, "id", "council", str),
        slots=tuple(slots),
        mentor_minimum=_get(obj, "mentor_minimum", "council", int),
        mentor_maximum=_get(obj, "mentor_maximum", "council", int),
        lead_mentor=_opt(obj, "lead_mentor", "council", str, None),
        duration_minutes=_opt(obj, "duration_minutes", "council", int, 60),
    )


def parse_weights(obj: Any) -> Weights:
    """Optional ``weights`` object; unknown keys are refused, missing keys keep defaults."""
    obj = _typed(obj, "weights", dict)
    known = set(Weights.__slots__)
    for key in obj:
        if key not in known:
            raise SchedulingInputError(f"weights.{key}", "unknown weight")
    return Weights(**{key: _typed(value, f"weights.{key}", float) for key, value in obj.items()})


def parse_request(doc: Any, now: datetime | None = None) -> SelectionRequest:
    """A select document (or one entry of an optimise document's ``councils``, whose
    ``now`` is passed in) → :class:`SelectionRequest`."""
    doc = _typed(doc, "document", dict)
    when = now if now is not None else parse_instant(_get(doc, "now", "", str), "now")
    mentors = tuple(parse_mentor(m, i) for i, m in enumerate(_get(doc, "mentors", "", list)))
    deadline = parse_instant(_get(doc, "deadline", "", str), "deadline")
    council = parse_council(_get(doc, "council", "", dict))
    return SelectionRequest(when, deadline, council, mentors)


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def decision_to_json(decision: Decision) -> Json:
    """The ``select`` output document."""
    return {
        "status": decision.status.value,
        "slot": decision.slot,
        "start": _instant(decision.start),
        "mentors": list(decision.mentors),
        "lead_included": decision.lead_included,
        "ranking": [
            {
                "slot": r.slot_id,
                "start": r.start.isoformat(),
                "feasible": r.feasible,
                "attendees": list(r.attendees),
                "score": round(r.score, 4),
            }
            for r in decision.ranking
        ],
        "alternatives": [
            {
                "start": a.start.isoformat(),
                "end": a.end.isoformat(),
                "likely_attendees": list(a.likely_attendees),
                "reaches_minimum": a.reaches_minimum,
                "lead_included": a.lead_included,
            }
            for a in decision.alternatives
        ],
        "explanation": {
            "reason": decision.explanation.reason,
            "table": [
                {
                    "rank": row.rank,
                    "slot": row.slot_id,
                    "start": row.start.isoformat(),
                    "feasible": row.feasible,
                    "attending": list(row.attendees),
                    "available": list(row.available),
                    "tentative": list(row.tentative),
                    "partial": {m: round(f, 4) for m, f in row.partial},
                    "busy": list(row.busy),
                    "unavailable": list(row.unavailable),
                    "pending": list(row.pending),
                    "score_parts": {
                        "answers": round(row.answers, 4),
                        "priority": round(row.priority, 4),
                        "penalty": round(row.penalty, 4),
                    },
                    "score": round(row.score, 4),
                }
                for row in decision.explanation.rows
            ],
        },
    }
