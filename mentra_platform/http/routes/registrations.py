"""Mentee registrations for a council (:mod:`mentra_platform.registrations.service`).

Idempotent with ``Idempotency-Key``; a mentee without the Council plan gets 403 like on every
council feature; a council the caller cannot see is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from mentra_desktop.models.wire.registrations import (
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
)
from mentra_platform.http.deps import CouncilId, CouncilUser, ReadSession, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.registrations import service

router = APIRouter(prefix="/api/v1", tags=["registrations"])


@router.post(
    "/councils/{council_id}/registrations",
    status_code=201,
    response_model=RegistrationOut,
    responses={**error_responses(400, 401, 403, 404, 409, 422), **IDEMPOTENT_RESPONSES},
    summary="Register for your council with goals and questions (its Council-plan mentee)",
)
def register(
    council_id: CouncilId,
    body: RegistrationIn,
    user: CouncilUser,
    session: WriteSession,
    idem: Idem,
) -> Response:
    out = service.register(session, user, council_id, body)
    return idem.respond(session, out, status_code=201)


@router.get(
    "/councils/{council_id}/registrations",
    response_model=RegistrationList,
    responses=error_responses(401, 403, 404),
    summary="Registrations: your own as a mentee; all for staff and the council's mentors",
)
def list_registrations(
    council_id: CouncilId, user: CouncilUser, session: ReadSession
) -> RegistrationList:
    return service.list_for(session, user, council_id)
