"""Connecting, listing and disconnecting a mentor's calendars.

Who: the mentor themself, or staff (admin, coordinator) on their behalf; anyone else is
refused (403), and an id that is not a mentor is 404. The token or feed address is sealed
(:mod:`.crypto`) before it is stored and never returned: a connection is shown by its kind,
a label (``Calendly``, ``iCalendar feed (calendar.google.com)``) and its refresh state.
Validation errors name the field, never echo the value.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentra_desktop.models import STAFF_ROLES, Role, User
from mentra_platform.calendars.addresses import PRIVATE_MESSAGE, literal_private
from mentra_platform.calendars.crypto import seal
from mentra_platform.calendars.schemas import CalendarIn, CalendarOut
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Forbidden, NotFound, field_error
from mentra_platform.core.tables import CalendarBusy, CalendarConnection, CalendarKind

MAX_PER_MENTOR = 10


def check_access(session: Session, actor: User, mentor_id: int) -> User:
    """The mentor, when ``actor`` may manage their calendars (see the module docstring)."""
    if actor.role not in STAFF_ROLES and actor.id != mentor_id:
        raise Forbidden("Only the mentor or staff may manage a mentor's calendars")
    mentor = session.get(User, mentor_id)
    if mentor is None or mentor.role != Role.MENTOR:
        raise NotFound("Mentor not found")
    return mentor


def feed_address(raw: str, *, allow_private: bool = False) -> str:
    """The feed's fetchable address (``webcal://`` is https); refuses anything else, and a
    host on this machine or a private network unless ``allow_private``
    (:mod:`.addresses`)."""
    url = raw.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "webcal":
            url = "https://" + url.split("://", 1)[1]
            parts = urlsplit(url)
        elif scheme not in ("https", "http"):
            raise field_error("url", "must be an https:// (or webcal://) address")
        host = parts.hostname
        _ = parts.port  # a port that is not a number is refused here
    except ValueError:
        raise field_error("url", "is not a valid address") from None
    if not host:
        raise field_error("url", "must name a host")
    if not allow_private and literal_private(host):
        raise field_error("url", PRIVATE_MESSAGE)
    if any(c.isspace() for c in url):
        raise field_error("url", "must not contain spaces")
    return url


def _validated(body: CalendarIn, settings: Settings) -> tuple[CalendarKind, str, str]:
    if body.kind == "calendly":
        if body.url is not None:
            raise field_error("url", "is for an ics calendar; a Calendly calendar takes a token")
        token = (body.token or "").strip()
        if not token:
            raise field_error("token", "is required for a Calendly calendar")
        if any(c.isspace() for c in token):
            raise field_error("token", "must not contain spaces")
        return CalendarKind.CALENDLY, token, "Calendly"
    if body.token is not None:
        raise field_error("token", "is for a Calendly calendar; an ics calendar takes a url")
    if not body.url:
        raise field_error("url", "is required for an ics calendar")
    url = feed_address(body.url, allow_private=settings.calendar_allow_private_feeds)
    return CalendarKind.ICS, url, f"iCalendar feed ({urlsplit(url).hostname})"[:200]


def connect(
    session: Session,
    settings: Settings,
    actor: User,
    mentor_id: int,
    body: CalendarIn,
    now: datetime,
) -> CalendarConnection:
    """Store a new connection, due for its first refresh now."""
    check_access(session, actor, mentor_id)
    kind, secret, label = _validated(body, settings)
    count = session.scalar(select(func.count()).where(CalendarConnection.mentor_id == mentor_id))
    if (count or 0) >= MAX_PER_MENTOR:
        raise field_error("kind", f"a mentor may connect at most {MAX_PER_MENTOR} calendars")
    connection = CalendarConnection(
        mentor_id=mentor_id,
        kind=kind,
        secret=seal(settings, secret),
        label=label,
        next_refresh_at=now,
        created_at=now,
    )
    session.add(connection)
    session.flush()
    return connection


def list_connections(session: Session, mentor_id: int) -> list[CalendarConnection]:
    return list(
        session.scalars(
            select(CalendarConnection)
            .where(CalendarConnection.mentor_id == mentor_id)
            .order_by(CalendarConnection.id)
        ).all()
    )


def describe(session: Session, connections: list[CalendarConnection]) -> list[CalendarOut]:
    """The connections' public state (never the secret)."""
    ids = [c.id for c in connections]
    counts: dict[int, int] = {}
    if ids:
        counts = {
            int(cid): int(n)
            for cid, n in session.execute(
                select(CalendarBusy.connection_id, func.count())
                .where(CalendarBusy.connection_id.in_(ids))
                .group_by(CalendarBusy.connection_id)
            ).all()
        }
    return [
        CalendarOut(
            id=c.id,
            mentor_id=c.mentor_id,
            kind=c.kind.value,
            label=c.label,
            last_refresh_at=c.last_refresh_at,
            next_refresh_at=c.next_refresh_at,
            last_error=c.last_error,
            error_since=c.error_since,
            busy_ranges=counts.get(c.id, 0),
            has_availability_schedule=c.availability is not None,
            created_at=c.created_at,
        )
        for c in connections
    ]


def disconnect(session: Session, actor: User, mentor_id: int, connection_id: int) -> None:
    """Forget the connection, its secret and its busy time."""
    check_access(session, actor, mentor_id)
    connection = session.get(CalendarConnection, connection_id)
    if connection is None or connection.mentor_id != mentor_id:
        raise NotFound("Calendar not found")
    session.execute(delete(CalendarBusy).where(CalendarBusy.connection_id == connection_id))
    session.delete(connection)
    session.flush()


__all__ = ["check_access", "connect", "describe", "disconnect", "feed_address", "list_connections"]
