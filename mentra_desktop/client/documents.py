"""Council documents as the cache holds them, and the local changes layered on them.

A **patch** is how the outbox describes a write's optimistic effect so it can be laid
again on top of a newer server document (a sync that lands while the write is unsent)::

    {"fields": {"coordinatorNotes": "…"},          # top-level fields to set
     "mentors": {"17": {"attending": true}}}        # per mentorId: seat fields to set

An **expectation** names what the server document shows once a write has been applied,
to recognise a resend that finds its own earlier success (a 412 after a crash mid-send):
top-level fields, plus the derived keys ``mentorIds`` and ``attendingMentorIds`` (sorted).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

CouncilDoc = dict[str, Any]
Patch = dict[str, Any]


def apply_patches(server_doc: Mapping[str, Any], patches: Iterable[Patch]) -> CouncilDoc:
    """``server_doc`` with each patch applied in order (the input is not modified)."""
    doc: CouncilDoc = copy.deepcopy(dict(server_doc))
    for patch in patches:
        doc.update(patch.get("fields") or {})
        seats: Mapping[str, Mapping[str, Any]] = patch.get("mentors") or {}
        if seats:
            for mentor in doc.get("mentors") or []:
                change = seats.get(str(mentor.get("mentorId")))
                if change:
                    mentor.update(change)
    return doc


def _derived(doc: Mapping[str, Any], key: str) -> Any:
    mentors = doc.get("mentors") or []
    if key == "mentorIds":
        return sorted(int(m["mentorId"]) for m in mentors)
    if key == "attendingMentorIds":
        return sorted(int(m["mentorId"]) for m in mentors if m.get("attending"))
    return doc.get(key)


def _same(actual: Any, wanted: Any) -> bool:
    if actual == wanted:
        return True
    if isinstance(actual, str) and isinstance(wanted, str):
        a, w = parse_instant(actual), parse_instant(wanted)
        return a is not None and a == w
    return False


def shows(doc: Mapping[str, Any], expect: Mapping[str, Any]) -> bool:
    """Whether ``doc`` already shows every expected value (instants compared as instants)."""
    return all(_same(_derived(doc, key), value) for key, value in expect.items())


def parse_instant(value: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 (``Z`` allowed); None for None or non-instants."""
    if not value or len(value) < 19 or value[4] != "-":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def sortable_instant(value: str | None) -> str | None:
    """Fixed-width UTC text (``2026-11-28T17:00:00.000000Z``) that sorts as time does.

    The platform drops zero microseconds, so its own strings do not sort reliably.
    """
    parsed = parse_instant(value)
    if parsed is None:
        return None
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc_text(moment: datetime) -> str:
    """An aware instant as ISO 8601 UTC, the way the cache stores its own times."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: use an aware UTC instant")
    return moment.astimezone(UTC).isoformat()
