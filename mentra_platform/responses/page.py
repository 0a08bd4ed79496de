"""Opening a mentor's response page from its signed link: who may, and what it shows.

:func:`open_page` resolves a link to the mentor's seat or raises a ``OneClickError``
refusal whose ``reason`` the page explains in plain words: ``invalid`` (tampered, signed
elsewhere), ``expired``, ``removed`` (the mentor no longer holds that seat), ``inactive``
(deactivated account), ``closed`` (cancelled council) and ``deadline`` (answers closed and
the council not confirmed). A confirmed council still opens, read-only, so the mentor sees
the final time. Recording answers is :func:`mentra_platform.responses.service.answer`, the
same rules as the JSON API; this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentra_desktop.models import (
    AvailabilityResponse,
    CoordinationStatus,
    CouncilMentor,
    CouncilSession,
    Registration,
    User,
)
from mentra_platform.councils.access import display_name
from mentra_platform.responses.one_click import (
    CouncilClosed,
    DeadlinePassed,
    MentorInactive,
    OneClickError,
    TokenInvalid,
    format_instant_local,
)
from mentra_platform.responses.page_links import PageClaims, verify_page_token


class SeatRemoved(OneClickError):
    """The mentor was taken off the council (or swapped) after the link went out."""

    reason = "removed"


@dataclass(frozen=True)
class OpenedPage:
    """The seat a link opens, with what the page shows beside the form."""

    claims: PageClaims
    seat: CouncilMentor
    council: CouncilSession
    mentor: User
    zone: str
    accepting: bool
    """False once the council is confirmed (the page is then read-only)."""
    other_mentors: list[str]
    """First names of the council's other mentors."""
    answered: int
    invited: int
    registrations: list[Registration]


def mentor_zone(mentor: User) -> str:
    """The zone the mentor is scheduled in: the profile's, else their own, else UTC."""
    if mentor.mentor_profile is not None and mentor.mentor_profile.timezone:
        return mentor.mentor_profile.timezone
    return mentor.timezone or "UTC"


def _first_name(user: User) -> str:
    return display_name(user).split(" ", 1)[0]


def open_page(session: Session, secret: bytes, token: str, now: datetime) -> OpenedPage:
    """The seat behind ``token`` if its mentor may see the page now, else a refusal."""
    claims = verify_page_token(secret, token, now=now)
    council = session.get(CouncilSession, claims.council_id)
    if council is None:
        raise TokenInvalid
    seat = session.get(CouncilMentor, claims.council_mentor_id)
    if seat is None or seat.council_id != council.id or seat.mentor_id != claims.mentor_id:
        raise SeatRemoved
    mentor = seat.mentor
    if not mentor.is_active:
        raise MentorInactive
    status = council.coordination_status
    if status == CoordinationStatus.CANCELLED:
        raise CouncilClosed
    zone = mentor_zone(mentor)
    confirmed = status == CoordinationStatus.CONFIRMED
    deadline = council.mentor_response_deadline
    if not confirmed and deadline is not None and now >= deadline:
        raise DeadlinePassed(format_instant_local(deadline, zone))
    others = [_first_name(cm.mentor) for cm in council.mentors if cm.id != seat.id]
    answered = sum(
        1 for cm in council.mentors if cm.availability_response != AvailabilityResponse.PENDING
    )
    regs = list(
        session.scalars(
            select(Registration)
            .where(Registration.council_id == council.id)
            .order_by(Registration.id)
        )
    )
    return OpenedPage(
        claims=claims,
        seat=seat,
        council=council,
        mentor=mentor,
        zone=zone,
        accepting=not confirmed,
        other_mentors=others,
        answered=answered,
        invited=len(council.mentors),
        registrations=regs,
    )


__all__ = ["OpenedPage", "SeatRemoved", "mentor_zone", "open_page"]
