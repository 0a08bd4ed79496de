"""The engine's decision for the automation, with the preparation-time rule applied.

The automation decides on the same document ``GET /councils/{id}`` serves and the same
bridge as :func:`mentra_platform.decisions.service.engine_decision`, with one addition: a
council is only confirmed for a slot that starts at least ``CONFIRMATION_NOTICE_HOURS`` after
the decision. The request marks every mentor busy from long before ``now`` until
``now + notice``, so a slot starting sooner (or already started) has nobody who can attend
it: it is infeasible, and the engine's alternatives never start inside the notice either.
The manual confirm endpoint keeps its own rules (the coordinator decides deliberately).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mentra_desktop.models.engine_bridge import council_document, selection_request
from mentra_desktop.models.wire.councils import CouncilOut
from mentra_desktop.scheduling.model import SchedulingInputError, SelectionRequest, TimeRange
from mentra_desktop.scheduling.selection import Decision, select
from mentra_platform.councils.documents import council_documents

_PAST = timedelta(days=3660)


@dataclass(frozen=True)
class Verdict:
    """The engine's decision for one council, or why it could not decide."""

    council_id: int
    decision: Decision | None
    error: str | None = None


def with_notice(request: SelectionRequest, notice: timedelta) -> SelectionRequest:
    """``request`` with every mentor busy until ``now + notice`` (see the module docstring)."""
    blocked = TimeRange(request.now - _PAST, request.now + notice)
    mentors = tuple(replace(m, busy=(*m.busy, blocked)) for m in request.mentors)
    return replace(request, mentors=mentors)


def request_for(
    doc: CouncilOut | dict[str, Any], now: datetime, notice: timedelta
) -> SelectionRequest:
    return with_notice(selection_request(council_document(doc), now), notice)


def verdict(
    council_id: int, doc: CouncilOut | dict[str, Any], now: datetime, notice: timedelta
) -> Verdict:
    """The engine's decision on ``doc`` at ``now`` with the notice; inputs the engine
    refuses (:class:`SchedulingInputError`) give a verdict carrying why, not an error."""
    try:
        return Verdict(council_id, select(request_for(doc, now, notice)))
    except SchedulingInputError as exc:
        return Verdict(council_id, None, f"The engine cannot decide this council: {exc}")


def decide(
    session: Session, council_ids: Sequence[int], now: datetime, notice: timedelta
) -> dict[int, Verdict]:
    """The verdict for each council, from one query for all their documents."""
    verdicts: dict[int, Verdict] = {}
    for text in council_documents(session, council_ids):
        raw = json.loads(text)
        cid = int(raw["id"])
        verdicts[cid] = verdict(cid, raw, now, notice)
    return verdicts


__all__ = ["Verdict", "decide", "request_for", "verdict", "with_notice"]
