"""The response deadline: pending answers count as unavailable and the engine decides.

For a council collecting, selecting or rescheduling whose deadline passed:

* collecting → selecting (cause: the deadline), then
* a feasible slot → confirmed, with every mentor who can attend (at least the minimum: the
  engine falls back to the best slot that reaches it);
* otherwise → needs_alternatives with a ``no_feasible_slot`` alert, and when the engine
  generated alternatives (and this was not already a rescheduling round) → rescheduling at
  once (:mod:`mentra_platform.coordination.alternatives`).

Mentors still silent raise ``deadline_silent_mentors`` naming them; a lead who can attend no
slot raises ``lead_unavailable_everywhere``. All of it happens in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from mentra_desktop.models import AvailabilityResponse, CoordinationStatus, CouncilSession
from mentra_platform.alerts.service import raise_alert
from mentra_platform.coordination.alternatives import send_alternatives
from mentra_platform.coordination.engine import Verdict
from mentra_platform.coordination.service import advance, confirm_slot, first_feasible
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict
from mentra_platform.core.tables import AlertKind
from mentra_platform.councils import phases

P = CoordinationStatus
T = phases.Trigger


def decide_at_deadline(
    session: Session, settings: Settings, council: CouncilSession, verdict: Verdict, now: datetime
) -> CoordinationStatus:
    """Decide one council whose deadline passed; returns its new phase.

    The alerts are raised, in their order, just before the decision's own change event
    (:func:`~mentra_platform.coordination.service.confirm_slot`'s or
    :func:`~mentra_platform.coordination.alternatives.send_alternatives`'s ``before_change``):
    the first change event takes the change log's lock, held until the commit, so the
    heavy part of the decision runs before it and other writers wait less."""
    cid, rnd = council.id, council.collection_round
    rescheduling = council.coordination_status == P.RESCHEDULING
    if council.coordination_status == P.COLLECTING:
        advance(session, council, P.SELECTING, T.DEADLINE, "the response deadline passed", now)
    alerts: list[Callable[[], object]] = []
    silent = [
        seat.mentor_id
        for seat in council.mentors
        if seat.availability_response == AvailabilityResponse.PENDING
    ]
    if silent:
        alerts.append(
            partial(
                raise_alert,
                session,
                AlertKind.DEADLINE_SILENT_MENTORS,
                council_id=cid,
                message=(
                    f"The deadline of \u201c{council.topic}\u201d passed without an answer "
                    f"from mentor(s) {', '.join(str(m) for m in silent)}"
                ),
                now=now,
                details={"mentorIds": silent},
                dedupe_key=f"silent:{cid}:{rnd}",
            )
        )
    decision = verdict.decision
    lead = council.lead_mentor_id
    if decision is not None and lead is not None and not any(r[3] for r in decision.ranking_rows):
        alerts.append(
            partial(
                raise_alert,
                session,
                AlertKind.LEAD_UNAVAILABLE_EVERYWHERE,
                council_id=cid,
                message=(
                    f"The lead mentor {council.lead_mentor_id} of \u201c{council.topic}\u201d "
                    "cannot attend any proposed time"
                ),
                now=now,
                details={"mentorId": council.lead_mentor_id},
                dedupe_key=f"lead_unavailable:{cid}:{rnd}",
            )
        )

    def raise_alerts() -> None:
        for alert in alerts:
            alert()
        alerts.clear()

    pick = first_feasible(decision) if decision is not None else None
    if pick is not None:
        try:
            with session.begin_nested():
                confirm_slot(
                    session,
                    council,
                    pick[0],
                    pick[1],
                    T.DEADLINE,
                    "the response deadline",
                    now,
                    before_change=raise_alerts,
                )
            return P.CONFIRMED
        except Conflict:
            pass  # an attendee was booked elsewhere meanwhile: no slot to confirm
    reason = verdict.error or (decision.reason if decision is not None else "")
    advance(
        session, council, P.NEEDS_ALTERNATIVES, T.DEADLINE, "no feasible slot at the deadline", now
    )
    alerts.append(
        partial(
            raise_alert,
            session,
            AlertKind.NO_FEASIBLE_SLOT,
            council_id=cid,
            message=(
                f"No proposed time of \u201c{council.topic}\u201d reaches the minimum. {reason}"
            ),
            now=now,
            details={"round": rnd},
            dedupe_key=f"no_feasible:{cid}:{rnd}",
        )
    )
    if decision is not None and decision.alternatives and not rescheduling:
        send_alternatives(
            session, settings, council, decision.alternatives, now, before_change=raise_alerts
        )
    raise_alerts()
    return council.coordination_status


__all__ = ["decide_at_deadline"]
