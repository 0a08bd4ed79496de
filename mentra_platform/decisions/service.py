"""Decisions: what the engine decides for a council, confirming by the rules, and overriding.

* :func:`engine_decision` renders the council document (the same one ``GET /councils/{id}``
  serves), turns it into the engine's request with the one bridge
  (:mod:`mentra_desktop.models.engine_bridge`) and runs ``select`` as of ``now``. Staff and
  the council's own mentors may read it (mentors already read every input: the council
  document with every seat's answers); mentees may not (403), other mentors get 404.
* :func:`confirm` without a slot confirms the engine's decision as of now: its confirmed
  slot, or — while it is ``waiting`` — its current leader when that slot is feasible (the
  coordinator closes the collection early); ``needs_alternatives`` or a leader that is not
  feasible is a 409 carrying the engine's reason. With a slot and attendees, the confirmation
  is accepted only when (1) the council is collecting or selecting — a draft never sent
  invitations; (2) the slot is the council's and the attendees hold seats; (3)
  ``mentorMinimum ≤ attendees ≤ mentorMaximum``; (4) nobody is double-booked
  (:mod:`mentra_platform.assignment.bookings`, 409 naming the mentor and the other council);
  (5) every attendee answered available for the whole slot — partial ranges covering it
  count, exactly the engine's "attends fully"; (6) the lead is seated when the lead can
  attend. The way past any rule is :func:`override` (admin, reason required, audited), which
  still never double-books anyone.

Every write records an :class:`AuditLog` entry (who, when, why, before/after) and a change
event in the same transaction. Services flush, never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilSession,
    CouncilSlot,
    NotificationKind,
    Role,
    User,
)
from mentra_desktop.models.engine_bridge import (
    council_document,
    decision_view,
    selection_request,
)
from mentra_desktop.models.wire.decisions import AuditOut, DecisionOut, EngineDecisionOut
from mentra_desktop.scheduling.attendance import CellStatus, evaluate
from mentra_desktop.scheduling.model import DEFAULT_WEIGHTS, SchedulingInputError, SelectionRequest
from mentra_desktop.scheduling.selection import Decision, Status, select
from mentra_platform.assignment.bookings import refuse_double_booking
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Forbidden, NotFound, field_error
from mentra_platform.councils import phases
from mentra_platform.councils.access import check_if_match, load_council, slot_of, snapshot
from mentra_platform.councils.documents import council_dicts
from mentra_platform.councils.queries import can_see
from mentra_platform.notifications.messages import confirmation_text, mentee_ids, queue

VIDEO_BASE = "https://meet.mentra.app/c/"


def _engine_view(session: Session, council_id: int, now: datetime) -> tuple[Any, SelectionRequest]:
    """The council's document (as ``GET /councils/{id}`` renders it) and the engine request."""
    docs = council_dicts(session, [council_id])
    if not docs:
        raise NotFound("Council not found")
    doc = council_document(docs[0])
    try:
        return doc, selection_request(doc, now)
    except SchedulingInputError as exc:
        raise Conflict(f"The engine cannot decide this council: {exc}") from exc


def engine_decision(
    session: Session, council_id: int, reader: User, now: datetime
) -> EngineDecisionOut:
    """The engine's decision for the council as of ``now`` (see the module docstring)."""
    if reader.role == Role.MENTEE:
        raise Forbidden("The engine's decision is for staff and the council's mentors")
    if not can_see(session, reader, council_id):
        raise NotFound("Council not found")
    doc, request = _engine_view(session, council_id, now)
    return decision_view(doc, now, select(request))


def _ensure_video_link(council: CouncilSession) -> None:
    if not council.video_link:
        council.video_link = f"{VIDEO_BASE}{council.id}-{secrets.token_urlsafe(9)}"


def _names(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _check_attendees(council: CouncilSession, ids: Sequence[int]) -> None:
    assigned = {cm.mentor_id for cm in council.mentors}
    missing = [i for i in ids if i not in assigned]
    if missing:
        raise field_error("attendingMentorIds", f"not assigned to this council: {_names(missing)}")


def _set_attending(council: CouncilSession, ids: Sequence[int]) -> None:
    chosen = set(ids)
    for cm in council.mentors:
        cm.attending = cm.mentor_id in chosen


def _check_answers(request: SelectionRequest, slot: CouncilSlot, ids: Sequence[int]) -> None:
    """Every attendee can attend the whole slot by the engine's own reading; the lead is
    seated when the lead can attend."""
    evaluation = evaluate(request, DEFAULT_WEIGHTS)
    cells = next(se for se in evaluation.slots if se.slot.id == str(slot.id)).cells
    status = {int(c.mentor_id): c.status for c in cells}
    short = [i for i in ids if status.get(i) != CellStatus.FULL]
    if short:
        detail = ", ".join(f"{i} ({status.get(i, CellStatus.PENDING).value})" for i in short)
        raise field_error(
            "attendingMentorIds",
            f"not available for the whole slot: {detail}; only mentors who answered available "
            "for all of it (partial ranges covering it count) can be confirmed",
        )
    lead = request.council.lead_mentor
    if lead is not None and status.get(int(lead)) == CellStatus.FULL and int(lead) not in ids:
        raise field_error(
            "attendingMentorIds", f"the lead mentor {lead} can attend this slot and must be seated"
        )


def _from_engine(decision: Decision) -> tuple[int, list[int]]:
    if decision.slot is None or decision.status is Status.NEEDS_ALTERNATIVES:
        raise Conflict(
            f"The engine has no slot to confirm ({decision.status.value}): {decision.reason} "
            "Confirm a slot explicitly or use an admin override.",
        )
    return int(decision.slot), [int(m) for m in decision.mentors]


def _finish(
    session: Session,
    council: CouncilSession,
    actor: User,
    action: str,
    reason: str,
    before: dict[str, object],
    queued: int,
    now: datetime,
) -> DecisionOut:
    record_change(
        session,
        council_id=council.id,
        kind=action,
        payload={"status": council.coordination_status.value, "finalSlotId": council.final_slot_id},
    )
    entry = AuditLog(
        actor_id=actor.id,
        action=action,
        council_id=council.id,
        reason=reason,
        before=before,
        after=snapshot(council),
        at=now,
    )
    session.add(entry)
    session.flush()
    return DecisionOut(
        council_id=council.id,
        version=council.version,
        coordination_status=council.coordination_status,
        final_time_confirmed=council.final_time_confirmed,
        final_slot_id=council.final_slot_id,
        video_link=council.video_link,
        attending_mentor_ids=sorted(cm.mentor_id for cm in council.mentors if cm.attending),
        notifications_queued=queued,
        audit=AuditOut.model_validate(entry),
    )


def confirm(
    session: Session,
    council_id: int,
    actor: User,
    *,
    if_match: str | None,
    slot_id: int | None,
    attending_mentor_ids: Sequence[int] | None,
    video_link: str | None,
    note: str,
    now: datetime,
) -> DecisionOut:
    """Confirm the final slot and attendees by the rules; notifies mentors and mentees."""
    if slot_id is not None and attending_mentor_ids is None:
        raise field_error("attendingMentorIds", "give the attending mentors with slotId")
    if attending_mentor_ids is not None and slot_id is None:
        raise field_error("slotId", "give the slot with attendingMentorIds")
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    if council.coordination_status == CoordinationStatus.DRAFT:
        raise Conflict(
            "A draft cannot be confirmed: its invitations were never sent; "
            "an admin override is the way past this"
        )
    phases.check(council, CoordinationStatus.CONFIRMED, phases.Trigger.CONFIRM, now)
    _, request = _engine_view(session, council.id, now)
    if slot_id is None:
        slot_id, ids = _from_engine(select(request))
    else:
        ids = list(attending_mentor_ids or [])
    slot = slot_of(council, slot_id)
    if slot is None:
        raise field_error("slotId", f"slot {slot_id} is not on this council")
    _check_attendees(council, ids)
    if not council.mentor_minimum <= len(ids) <= council.mentor_maximum:
        raise field_error(
            "attendingMentorIds",
            f"needs {council.mentor_minimum}–{council.mentor_maximum} mentors, got {len(ids)}",
        )
    refuse_double_booking(session, ids, slot.starts_at, slot.ends_at, council_id=council.id)
    _check_answers(request, slot, ids)
    before = snapshot(council)
    council.final_slot_id = slot.id
    council.final_time_confirmed = True
    phases.move(council, CoordinationStatus.CONFIRMED, phases.Trigger.CONFIRM, now)
    if video_link:
        council.video_link = video_link
    _ensure_video_link(council)
    _set_attending(council, ids)
    subject, text = confirmation_text(council)
    notes = queue(
        session,
        council,
        NotificationKind.CONFIRMATION,
        [*ids, *mentee_ids(session, council)],
        subject,
        text,
    )
    return _finish(session, council, actor, "council.confirmed", note, before, len(notes), now)


def override(
    session: Session,
    council_id: int,
    actor: User,
    *,
    if_match: str | None,
    reason: str,
    fields: dict[str, Any],
    now: datetime,
) -> DecisionOut:
    """Admin override of status, final slot and attendees (``fields`` holds only the keys
    given: ``coordination_status``, ``slot_id``, ``attending_mentor_ids``). A confirmed
    result still never double-books an attendee."""
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    before = snapshot(council)
    if "slot_id" in fields:
        slot_id = fields["slot_id"]
        if slot_id is not None and slot_of(council, slot_id) is None:
            raise field_error("slotId", f"slot {slot_id} is not on this council")
        council.final_slot_id = slot_id
    if "attending_mentor_ids" in fields:
        ids = fields["attending_mentor_ids"] or []
        _check_attendees(council, ids)
        _set_attending(council, ids)
    if fields.get("coordination_status") is not None:
        council.coordination_status = fields["coordination_status"]
    confirmed = council.coordination_status == CoordinationStatus.CONFIRMED
    if confirmed:
        slot = slot_of(council, council.final_slot_id) if council.final_slot_id else None
        if slot is None:
            raise field_error("slotId", "a confirmed council needs a final slot")
        attending = [cm.mentor_id for cm in council.mentors if cm.attending]
        refuse_double_booking(
            session, attending, slot.starts_at, slot.ends_at, council_id=council.id
        )
    if confirmed or before["coordinationStatus"] == CoordinationStatus.CONFIRMED.value:
        council.invite_sequence += 1  # the calendar invite changes (RFC 5545 SEQUENCE)
    council.final_time_confirmed = confirmed
    if confirmed:
        _ensure_video_link(council)
    return _finish(session, council, actor, "council.overridden", reason, before, 0, now)
