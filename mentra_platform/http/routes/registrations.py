"""Mentee registrations for a council: goals and questions, Council plan only.

Only mentees register (staff and mentors have nothing to register for); a mentee without
the Council plan gets 403 like on every council feature. One registration per mentee and
council (409 on a second), idempotent with ``Idempotency-Key``. Listing: a mentee sees
their own, the council's mentors and staff see all.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentra_desktop.models import CoordinationStatus, Registration, Role
from mentra_desktop.models.wire.registrations import (
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Forbidden, NotFound
from mentra_platform.councils.access import load_council, seat_of
from mentra_platform.http.deps import CouncilId, CouncilUser, ReadSession, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem

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
    if user.role != Role.MENTEE:
        raise Forbidden("Only mentees register for councils")
    council = load_council(session, council_id, lock=True)  # council row first, as every writer
    if council.mentee_id != user.id:
        # A council is booked for one mentee; anyone else must not learn it exists.
        raise NotFound("Council not found")
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("The council is cancelled")
    existing = session.scalar(
        select(Registration.id).where(
            Registration.council_id == council.id, Registration.user_id == user.id
        )
    )
    if existing is not None:
        raise Conflict("You are already registered for this council")
    reg = Registration(
        council_id=council.id, user_id=user.id, goals=body.goals, questions=body.questions
    )
    session.add(reg)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent duplicate on PostgreSQL
        session.rollback()
        raise Conflict("You are already registered for this council") from exc
    record_change(
        session,
        council_id=council.id,
        kind="registration.created",
        entity="registration",
        entity_id=reg.id,
        payload={"userId": user.id},
    )
    out = RegistrationOut.model_validate(reg)
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
    council = load_council(session, council_id)
    stmt = select(Registration).where(Registration.council_id == council.id)
    if user.role == Role.MENTEE:
        if council.mentee_id != user.id:
            raise NotFound("Council not found")
        stmt = stmt.where(Registration.user_id == user.id)
    elif user.role == Role.MENTOR and seat_of(council, user.id) is None:
        raise Forbidden("You are not a mentor on this council")
    rows = session.scalars(stmt.order_by(Registration.id)).all()
    return RegistrationList(items=[RegistrationOut.model_validate(r) for r in rows])
