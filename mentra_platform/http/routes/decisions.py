"""Decision routes: the engine's decision (read), confirm (staff) and override (admin).

Confirm and override need ``If-Match`` and honour ``Idempotency-Key``; the rules, the audit
entry and the change event live in :mod:`mentra_platform.decisions.service`.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Response

from mentra_desktop.models import utcnow
from mentra_desktop.models.wire.decisions import (
    ConfirmIn,
    DecisionOut,
    EngineDecisionOut,
    OverrideIn,
)
from mentra_platform.councils.access import etag
from mentra_platform.decisions import service
from mentra_platform.http.deps import (
    AdminUser,
    CouncilId,
    CouncilUser,
    IfMatch,
    ReadSession,
    StaffUser,
    WriteSession,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem

router = APIRouter(prefix="/api/v1", tags=["decisions"])

_ERRORS = {**error_responses(400, 401, 403, 404, 409, 412, 422, 428), **IDEMPOTENT_RESPONSES}


@router.get(
    "/councils/{council_id}/decision",
    response_model=EngineDecisionOut,
    responses=error_responses(401, 403, 404, 409),
    summary="The scheduling engine's decision as of now (staff and the council's mentors)",
)
def get_decision(
    council_id: CouncilId, user: CouncilUser, session: ReadSession
) -> EngineDecisionOut:
    return service.engine_decision(session, council_id, user, utcnow())


@router.post(
    "/councils/{council_id}/confirm",
    response_model=DecisionOut,
    responses=_ERRORS,
    summary="Confirm the final slot and attendees by the rules (no body slot: the engine's "
    "decision); notifies mentors and mentees",
)
def confirm(
    council_id: CouncilId,
    user: StaffUser,
    session: WriteSession,
    idem: Idem,
    if_match: IfMatch = None,
    body: ConfirmIn | None = Body(default=None),  # noqa: B008 - no body: the engine's decision
) -> Response:
    body = body or ConfirmIn()
    out = service.confirm(
        session,
        council_id,
        user,
        if_match=if_match,
        slot_id=body.slot_id,
        attending_mentor_ids=body.attending_mentor_ids,
        video_link=body.video_link,
        note=body.note,
        now=utcnow(),
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


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
    fields = {name: getattr(body, name) for name in body.model_fields_set if name != "reason"}
    out = service.override(
        session,
        council_id,
        user,
        if_match=if_match,
        reason=body.reason,
        fields=fields,
        now=utcnow(),
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})
