"""Mentee registrations for a council: goals and questions, Council plan only.

Only mentees register (staff and mentors have nothing to register for). A council is booked
for one mentee: only they register, once (409 on a second). Listing: a mentee sees their
own, the council's mentors and staff see all. A council the caller cannot see is a 404, the
same as one that does not exist. Functions flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mentra_desktop.models import CoordinationStatus, CouncilSession, Registration, Role, User
from mentra_desktop.models.wire.registrations import (
    RegistrationIn,
    RegistrationList,
    RegistrationOut,
)
from mentra_platform.core.changes import record_change
from mentra_platform.core.errors import Conflict, Forbidden
from mentra_platform.councils.access import load_visible

_DUPLICATE = "You are already registered for this council"


def register(
    session: Session, user: User, council_id: int, body: RegistrationIn
) -> RegistrationOut:
    """The council's own mentee registers once with goals and questions."""
    if user.role != Role.MENTEE:
        raise Forbidden("Only mentees register for councils")
    # A mentee sees only the council booked for them: anyone else's is a 404. The council
    # row is locked first, as by every writer.
    council = load_visible(session, user, council_id, lock=True)
    if council.coordination_status == CoordinationStatus.CANCELLED:
        raise Conflict("The council is cancelled")
    existing = session.scalar(
        select(Registration.id).where(
            Registration.council_id == council.id, Registration.user_id == user.id
        )
    )
    if existing is not None:
        raise Conflict(_DUPLICATE)
    return create(session, user, council, body)


def create(
    session: Session, user: User, council: CouncilSession, body: RegistrationIn
) -> RegistrationOut:
    """Add ``user``'s first registration to ``council``: the caller locked it and checked it
    is not cancelled and that the user has none yet.

    A concurrent duplicate (PostgreSQL's unique constraint) is a 409, as in :func:`register`.
    """
    reg = Registration(
        council_id=council.id, user_id=user.id, goals=body.goals, questions=body.questions
    )
    session.add(reg)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent duplicate on PostgreSQL
        session.rollback()
        raise Conflict(_DUPLICATE) from exc
    record_change(
        session,
        council_id=council.id,
        kind="registration.created",
        entity="registration",
        entity_id=reg.id,
        payload={"userId": user.id},
    )
    return RegistrationOut.model_validate(reg)


def list_for(session: Session, user: User, council_id: int) -> RegistrationList:
    """A mentee's own registration; every registration for staff and the council's mentors."""
    council = load_visible(session, user, council_id)
    stmt = select(Registration).where(Registration.council_id == council.id)
    if user.role == Role.MENTEE:
        stmt = stmt.where(Registration.user_id == user.id)
    rows = session.scalars(stmt.order_by(Registration.id)).all()
    return RegistrationList(items=[RegistrationOut.model_validate(r) for r in rows])


__all__ = ["create", "list_for", "register"]
