"""Deciding a claimed batch of councils whose deadline passed, set-based.

The rules are :mod:`mentra_platform.coordination.deadlines`'s; this module applies them to a
whole batch with a handful of statements instead of a few dozen per council:

1. **Read** the batch's engine inputs and the involved mentors' busy ranges
   (:mod:`.batch_inputs`: a handful of queries).
2. **Plan** in id order, in memory: the engine decides each council with the preparation
   notice; a council whose best feasible slot is free for every attendee is *confirmed*
   and its session is added to the busy ranges the next councils of the batch see, so two
   councils of one batch never book one mentor twice.
3. **Stage** the confirmations' rows that no other transaction reads as bookings (audit,
   alerts, seats, queued mail: :func:`.bulk_confirm.stage_confirmations`), in a savepoint.
4. **Guard** (PostgreSQL): lock every seated mentor's user row in id order — the lock every
   confirmation takes (:func:`mentra_platform.assignment.bookings.lock_mentors`) — and
   read their busy ranges again. If another worker or a coordinator confirmed something
   meanwhile, roll the savepoint back and plan and stage again on what is now committed;
   with the locks held nothing can change it before this transaction commits. On SQLite
   the write transaction (``BEGIN IMMEDIATE``) excludes every other writer from the start.
5. **Finish**: change events, then the council rows (:func:`.bulk_confirm.finish_confirmations`),
   and commit. Only steps 4–5 hold the mentor locks (and the change log's lock), so
   another worker plans and stages its batch meanwhile.
6. Councils without a bookable slot (needs alternatives, the engine refused the council)
   are then decided one by one in a transaction of their own, exactly as before the batch
   path existed: claimed again (``SKIP LOCKED``; one decided meanwhile is skipped), the
   engine run on the rendered council document, and
   :func:`~mentra_platform.coordination.deadlines.decide_at_deadline` in a savepoint each.
   Keeping them out of the batch keeps their heavier writes (new slots, links,
   invitations) out of the locked tail.

Bulk writes that fail are rolled back to their savepoint and those councils go the
per-council way, which rolls back and logs a failing council alone. Every council is
decided whole in one transaction or not at all; a worker killed between the two
transactions leaves the second's councils due for the next pass.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mentra_desktop.models import CoordinationStatus, CouncilMentor, CouncilSession
from mentra_platform.assignment.bookings import lock_mentors
from mentra_platform.coordination.batch_inputs import (
    BatchCouncil,
    BatchSlot,
    BusyIndex,
    batch_busy,
    document,
    load_batch,
)
from mentra_platform.coordination.bulk_confirm import (
    Confirmation,
    Staged,
    finish_confirmations,
    stage_confirmations,
)
from mentra_platform.coordination.deadlines import decide_at_deadline
from mentra_platform.coordination.engine import Verdict, verdict
from mentra_platform.coordination.service import OPEN, first_feasible, notice
from mentra_platform.core.config import Settings
from mentra_platform.councils.documents import Busy

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """What the batch will do: bulk confirmations, and verdicts for the per-council path."""

    confirmations: list[Confirmation] = field(default_factory=list)
    others: dict[int, Verdict] = field(default_factory=dict)
    failed: list[int] = field(default_factory=list)


@dataclass
class BatchReport:
    decided: dict[int, str] = field(default_factory=dict)
    """Council id → its new phase."""
    errors: int = 0


def _free(index: BusyIndex, council: BatchCouncil, slot: BatchSlot, mentors: list[int]) -> bool:
    return not any(index.bookings(m, slot.starts_at, slot.ends_at, council.id) for m in mentors)


def plan(
    councils: Sequence[BatchCouncil], busy: dict[int, list[Busy]], now: datetime, wait: timedelta
) -> Plan:
    """Decide ``councils`` in order (see the module docstring, step 2); pure."""
    index = BusyIndex(busy)
    out = Plan()
    for council in councils:
        try:
            doc = document(council, index.for_council(council, now))
            decided = verdict(council.id, doc, now, wait)
        except Exception:
            log.exception("Deciding council %s at its deadline failed", council.id)
            out.failed.append(council.id)
            continue
        decision = decided.decision
        if decision is None:
            out.others[council.id] = decided
            continue
        pick = first_feasible(decision)
        slot = council.slot(pick[0]) if pick is not None else None
        if pick is None or slot is None:
            out.others[council.id] = Verdict(council.id, decision)
            continue
        mentors = list(dict.fromkeys(pick[1]))
        if not _free(index, council, slot, mentors):  # never expected: the engine saw them
            out.others[council.id] = Verdict(council.id, decision)
            continue
        for m in mentors:
            index.add(m, Busy(slot.starts_at, slot.ends_at, council.id))
        out.confirmations.append(Confirmation(council, slot, mentors, decision))
    return out


def _due(
    councils: dict[int, BatchCouncil], ids: Sequence[int], now: datetime
) -> list[BatchCouncil]:
    """The claimed councils still open with their deadline passed, in id order."""
    out = []
    for cid in ids:
        c = councils.get(cid)
        if c is not None and c.status in OPEN and c.deadline is not None and c.deadline <= now:
            out.append(c)
    return out


def _verdicts(
    session: Session, ids: Sequence[int], now: datetime, wait: timedelta
) -> dict[int, Verdict]:
    """Each council's verdict on what is committed (as
    :func:`mentra_platform.coordination.engine.decide` gives from the rendered documents,
    from the batch's narrower reads)."""
    councils = list(load_batch(session, ids).values())
    index = BusyIndex(batch_busy(session, councils, now))
    return {
        c.id: verdict(c.id, document(c, index.for_council(c, now)), now, wait) for c in councils
    }


def _one_by_one(
    session: Session, settings: Settings, ids: Sequence[int], now: datetime, report: BatchReport
) -> None:
    """Step 6: the per-council path, in the caller's (new) transaction."""
    if not ids:
        return
    claim = select(CouncilSession.id).where(
        CouncilSession.id.in_(sorted(ids)),
        CouncilSession.coordination_status.in_(OPEN),
        CouncilSession.mentor_response_deadline <= now,
    )
    if session.get_bind().dialect.name == "postgresql":
        claim = claim.with_for_update(skip_locked=True)
    due = list(session.scalars(claim.order_by(CouncilSession.id)))
    if not due:
        return
    loaded = select(CouncilSession).where(CouncilSession.id.in_(due))
    eager = (
        selectinload(CouncilSession.mentors).selectinload(CouncilMentor.mentor),
        selectinload(CouncilSession.slots),
    )
    councils = {c.id: c for c in session.scalars(loaded.options(*eager))}
    verdicts = _verdicts(session, due, now, notice(settings))
    for cid in due:
        council, verdict = councils.get(cid), verdicts.get(cid)
        if council is None or verdict is None:
            continue
        try:
            with session.begin_nested():
                phase = decide_at_deadline(session, settings, council, verdict, now)
        except Exception:
            log.exception("Deciding council %s at its deadline failed", cid)
            report.errors += 1
            continue
        report.decided[cid] = phase.value


def _stage(session: Session, planned: Plan, now: datetime) -> list[Staged] | None:
    """Stage the plan's confirmations in a savepoint; ``None`` when that failed (logged)."""
    if not planned.confirmations:
        return []
    try:
        with session.begin_nested():
            return stage_confirmations(session, planned.confirmations, now)
    except Exception:
        log.exception("Bulk confirmation failed; deciding those councils one by one")
        return None


def decide_batch(
    session: Session, settings: Settings, ids: Sequence[int], now: datetime
) -> BatchReport:
    """Decide the claimed councils ``ids`` at ``now``: the batch in the caller's
    transaction, committed here, then the rest in a second one (the caller commits)."""
    report = BatchReport()
    wait = notice(settings)
    councils = _due(load_batch(session, ids), ids, now)
    if not councils:
        return report
    busy = batch_busy(session, councils, now)
    planned = plan(councils, busy, now, wait)
    savepoint = session.begin_nested()
    staged = _stage(session, planned, now)
    if staged and session.get_bind().dialect.name == "postgresql":
        lock_mentors(session, {seat.mentor_id for c in councils for seat in c.seats})
        now_busy = batch_busy(session, councils, now)
        if now_busy != busy:
            log.info("Busy ranges changed while planning; planning the batch again")
            savepoint.rollback()
            savepoint = session.begin_nested()
            planned = plan(councils, now_busy, now, wait)
            staged = _stage(session, planned, now)
    slow = sorted(planned.others)
    if staged is None:
        slow += [c.council.id for c in planned.confirmations]
    elif staged:
        finish_confirmations(session, staged)
        for c in planned.confirmations:
            report.decided[c.council.id] = CoordinationStatus.CONFIRMED.value
    if savepoint.is_active:
        savepoint.commit()
    report.errors += len(planned.failed)
    session.commit()
    _one_by_one(session, settings, sorted(slow), now, report)
    return report


__all__ = ["BatchReport", "Plan", "decide_batch", "plan"]
