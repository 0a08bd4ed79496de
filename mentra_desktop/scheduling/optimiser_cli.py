"""``mentra-schedule optimise FILE.json``: the JSON contract of the cross-council optimiser.

Input::

    {"now": ISO, "councils": [select document without "now": {"deadline", "council",
     "mentors"}, ...], "confirmed": [{"mentor", "start", "end"}], "time_limit_s": 10,
     "weights": {...optional, as for select}}

Output::

    {"status": "optimal"|"feasible", "scheduled": [{"council", "slot", "mentors"}],
     "unscheduled": [council ids], "objective": {"scheduled", "attendees", "score"},
     "gap": relative gap of the first level (scheduled, attendees, score) not proven
            optimal, 0 exactly when "optimal",
     "scheduled_bound": proven upper bound on schedulable councils}

Each council entry is parsed by :func:`.documents.parse_request`; its errors are
re-raised with the ``councils[i].`` prefix so the one stderr line names the field.
Timings are left out so the same input always prints the same document.
"""

from __future__ import annotations

import math
from typing import Any

from mentra_desktop.scheduling.documents import parse_instant, parse_request, parse_weights
from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS, SchedulingInputError
from mentra_desktop.scheduling.optimiser import ConfirmedSession, optimise

DEFAULT_TIME_LIMIT_S = 10.0


def _optional_list(value: Any) -> Any:
    """``confirmed`` may be missing or ``null``; any other non-list is refused (not read
    as "none", which ``0`` or ``{}`` would be with a truthiness test)."""
    return [] if value is None else value


def _confirmed(value: Any) -> list[ConfirmedSession]:
    if not isinstance(value, list):
        raise SchedulingInputError("confirmed", "must be a list")
    sessions = []
    for i, item in enumerate(value):
        where = f"confirmed[{i}]"
        if not isinstance(item, dict):
            raise SchedulingInputError(where, "must be an object")
        mentor = item.get("mentor")
        if not isinstance(mentor, str) or not mentor:
            raise SchedulingInputError(f"{where}.mentor", "must be a non-empty string")
        start = parse_instant(item.get("start"), f"{where}.start")
        end = parse_instant(item.get("end"), f"{where}.end")
        if end <= start:
            raise SchedulingInputError(f"{where}.end", "must be after start")
        sessions.append(ConfirmedSession(mentor, start, end))
    return sessions


def _time_limit(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SchedulingInputError("time_limit_s", "must be a number of seconds")
    try:
        seconds = float(value)
    except OverflowError:  # an integer beyond float range
        seconds = math.inf
    if not math.isfinite(seconds):
        raise SchedulingInputError("time_limit_s", "must be a finite number of seconds")
    if seconds <= 0:
        raise SchedulingInputError("time_limit_s", "must be positive")
    return seconds


def run(document: dict[str, Any]) -> dict[str, Any]:
    """Parse an optimise document, plan, and return the output document."""
    if not isinstance(document, dict):
        raise SchedulingInputError("document", "must be an object")
    if "now" not in document:
        raise SchedulingInputError("now", "is required")
    now = parse_instant(document["now"], "now")
    councils = document.get("councils")
    if not isinstance(councils, list):
        raise SchedulingInputError("councils", "must be a list")
    requests = []
    for i, entry in enumerate(councils):
        try:
            requests.append(parse_request(entry, now))
        except SchedulingInputError as exc:
            raise SchedulingInputError(f"councils[{i}].{exc.field}", exc.message) from exc
    weights = DEFAULT_WEIGHTS
    if document.get("weights") is not None:
        weights = parse_weights(document["weights"])
    limit = _time_limit(document.get("time_limit_s", DEFAULT_TIME_LIMIT_S))
    confirmed = _confirmed(_optional_list(document.get("confirmed")))
    result = optimise(requests, confirmed, limit, weights)
    return {
        "status": result.status,
        "scheduled": [
            {"council": s.council, "slot": s.slot, "mentors": list(s.mentors)}
            for s in result.scheduled
        ],
        "unscheduled": list(result.unscheduled),
        "objective": {
            "scheduled": result.objective["scheduled"],
            "attendees": result.objective["attendees"],
            "score": round(result.objective["score"], 4),
        },
        "gap": round(result.gap, 9),
        "scheduled_bound": result.scheduled_bound,
    }
