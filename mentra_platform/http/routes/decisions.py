"""Decisions: confirm a slot with its attending mentors (staff) or override (admin only).

Both need ``If-Match``, honour ``Idempotency-Key``, write an :class:`AuditLog` entry (who,
when, why, before/after JSON) and a change event in the same transaction as the change.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Response
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AuditLog,
    CoordinationStatus,
    CouncilSession,
    NotificationKind,
    SlotAnswerValue,
    User,
    utcnow,
)
from mentra_desktop.models.wire.decisions import AuditOut, ConfirmIn, DecisionOut, OverrideIn
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, field_error
from mentra_platform.councils.access import (
    check_if_match,
    etag,
    load_council,
    slot_of,
    snapshot,
)
from mentra_platform.http.deps import AdminUser, CouncilId, IfMatch, StaffUser, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.notifications.messages import confirmation_text, mentee_ids, queue

router = APIRouter(prefix="/api/v1", tags=["decisions"])

_ERRORS = {**error_responses(400, 401, 403, 404, 409, 412, 422, 428), **IDEMPOTENT_RESPONSES}
VIDEO_BASE = "https://meet.mentra.app/c/"


def _check_attendees(council: CouncilSession, ids: list[int]) -> None:
    assigned = {cm.mentor_id for cm in council.mentors}
    missing = [i for i in ids if i not in assigned]
    if missing:
        names = ", ".join(str(i) for i in missing)
        raise field_error("attendingMentorIds", f"not assigned to this council: {names}")


def _set_attending(council: CouncilSession, ids: list[int]) -> None:
    chosen = set(ids)
    for cm in council.mentors:
        cm.attending = cm.mentor_id in chosen


def _ensure_video_link(council: CouncilSession) -> None:
    if not council.video_link:
        council.video_link = f"{VIDEO_BASE}{council.id}-{secrets.token_urlsafe(9)}"


def _finish(
    session: Session,
    idem: Idem,
    council: CouncilSession,
    actor: User,
    action: str,
    reason: str,
    before: dict[str, object],
    queued: int,
) -> Response:
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
        at=utcnow(),
    )
    session.add(entry)
    session.flush()
    out = DecisionOut(
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
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/confirm",
    response_model=DecisionOut,
    responses=_ERRORS,
    summary="Confirm the final slot and attending mentors; notifies mentors and mentees",
)
def confirm(
    council_id: CouncilId,
    body: ConfirmIn,
    user: StaffUser,
    session: WriteSession,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    if council.coordination_status in (CoordinationStatus.CONFIRMED, CoordinationStatus.CANCELLED):
        raise Conflict(f"The council is {council.coordination_status}; an admin override is needed")
    slot = slot_of(council, body.slot_id)
    if slot is None:
        raise field_error("slotId", f"slot {body.slot_id} is not on this council")
    ids = body.attending_mentor_ids
    _check_attendees(council, ids)
    if not council.mentor_minimum <= len(ids) <= council.mentor_maximum:
        raise field_error(
            "attendingMentorIds",
            f"needs {council.mentor_minimum}–{council.mentor_maximum} mentors, got {len(ids)}",
        )
    declined = [
        cm.mentor_id
        for cm in council.mentors
        if cm.mentor_id in ids
        and any(
            a.slot_id == slot.id and a.answer == SlotAnswerValue.UNAVAILABLE
            for a in cm.slot_answers
        )
    ]
    if declined:
        names = ", ".join(str(i) for i in declined)
        raise field_error("attendingMentorIds", f"declined this slot: {names}")
    before = snapshot(council)
    council.final_slot_id = slot.id
    council.final_time_confirmed = True
    council.coordination_status = CoordinationStatus.CONFIRMED
    if body.video_link:
        council.video_link = body.video_link
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
    return _finish(session, idem, council, user, "council.confirmed", body.note, before, len(notes))


@router.post(
    "/councils/{council_id}/override",
    response_model=DecisionOut,
    responses=_ERRORS,
    summary="Admin override of status, final slot and attendees (reason required, audited)",
)
def override(
    council_id: CouncilId,
    body: OverrideIn,
    user: AdminUser,
    session: WriteSession,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    council = load_council(session, council_id, lock=True)
    check_if_match(if_match, council.version)
    fields = body.model_fields_set
    before = snapshot(council)
    if "slot_id" in fields:
        if body.slot_id is not None and slot_of(council, body.slot_id) is None:
            raise field_error("slotId", f"slot {body.slot_id} is not on this council")
        council.final_slot_id = body.slot_id
    if "attending_mentor_ids" in fields:
        ids = body.attending_mentor_ids or []
        _check_attendees(council, ids)
        _set_attending(council, ids)
    if body.coordination_status is not None:
        council.coordination_status = body.coordination_status
    confirmed = council.coordination_status == CoordinationStatus.CONFIRMED
    if confirmed and council.final_slot_id is None:
        raise field_error("slotId", "a confirmed council needs a final slot")
    council.final_time_confirmed = confirmed
    if confirmed:
        _ensure_video_link(council)
    return _finish(session, idem, council, user, "council.overridden", body.reason, before, 0)
