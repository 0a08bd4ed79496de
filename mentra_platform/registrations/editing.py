"""A mentee's goals and questions from their council page: create, or change until confirmed.

:func:`mentra_platform.registrations.service.register` creates a registration once (the
API's POST, 409 on a second). The web page has one form that both creates and edits, so
:func:`save` registers when there is nothing yet and otherwise updates the goals and
questions — until the council is confirmed (the mentors then prepare with what they got)
or cancelled: a change after that is a 409. Flushes, never commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import CoordinationStatus, Registration, Role, User
from mentra_desktop.models.wire.registrations import RegistrationIn, RegistrationOut
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Forbidden
from mentra_platform.councils.access import load_visible
from mentra_platform.registrations import service


def save(session: Session, user: User, council_id: int, body: RegistrationIn) -> RegistrationOut:
    """Create the mentee's registration, or replace its goals and questions."""
    if user.role != Role.MENTEE:
        raise Forbidden("Only mentees register for councils")
    council = load_visible(session, user, council_id, lock=True)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("The council is cancelled")
    existing = session.scalar(
        select(Registration).where(
            Registration.council_id == council.id, Registration.user_id == user.id
        )
    )
    if existing is None:
        return service.create(session, user, council, body)
    if council.coordination_status == CoordinationStatus.CONFIRMED:
        raise Conflict(
            "The council is confirmed: your goals and questions went to the mentors and "
            "can no longer be changed"
        )
    existing.goals, existing.questions = body.goals, body.questions
    session.flush()
    record_change(
        session,
        council_id=council.id,
        kind="registration.updated",
        entity="registration",
        entity_id=existing.id,
        payload={"userId": user.id},
    )
    return RegistrationOut.model_validate(existing)


__all__ = ["save"]
