"""``/api/v1/mentors/{mentorId}/calendars``: a mentor's Calendly and iCalendar connections
(:mod:`mentra_platform.calendars`). The mentor themself or staff. The token or feed address
goes in once and never comes back out (connecting is idempotent with ``Idempotency-Key``);
``POST …/calendars/refresh`` reads them now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from mentra_desktop.models import utcnow
from mentra_desktop.models.base import MAX_ID
from mentra_platform.calendars import connections
from mentra_platform.calendars.refresh import refresh_calendars
from mentra_platform.calendars.schemas import CalendarIn, CalendarList, CalendarOut, RefreshOut
from mentra_platform.core.db import Database
from mentra_platform.http.deps import (
    AppSettings,
    CurrentUser,
    MentorId,
    ReadSession,
    WriteSession,
    get_db,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem

router = APIRouter(prefix="/api/v1", tags=["calendars"])
CalendarId = Annotated[int, Path(ge=1, le=MAX_ID, description="Calendar connection id")]


@router.post(
    "/mentors/{mentor_id}/calendars",
    response_model=CalendarOut,
    status_code=201,
    responses={**error_responses(400, 401, 403, 404, 409, 422), **IDEMPOTENT_RESPONSES},
    summary="Connect a Calendly token or an iCalendar feed (read at the next refresh)",
)
def connect(
    mentor_id: MentorId,
    body: CalendarIn,
    session: WriteSession,
    user: CurrentUser,
    settings: AppSettings,
    idem: Idem,
) -> Response:
    connection = connections.connect(session, settings, user, mentor_id, body, utcnow())
    out = connections.describe(session, [connection])[0]
    return idem.respond(session, out, status_code=201)


@router.get(
    "/mentors/{mentor_id}/calendars",
    response_model=CalendarList,
    responses=error_responses(401, 403, 404, 422),
    summary="The mentor's calendars and their state (never their secret)",
)
def list_calendars(mentor_id: MentorId, session: ReadSession, user: CurrentUser) -> CalendarList:
    connections.check_access(session, user, mentor_id)
    rows = connections.list_connections(session, mentor_id)
    return CalendarList(items=connections.describe(session, rows))


@router.delete(
    "/mentors/{mentor_id}/calendars/{calendar_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
    summary="Disconnect a calendar (its secret and busy time are deleted)",
)
def disconnect(
    mentor_id: MentorId, calendar_id: CalendarId, session: WriteSession, user: CurrentUser
) -> Response:
    connections.disconnect(session, user, mentor_id, calendar_id)
    session.commit()
    return Response(status_code=204)


@router.post(
    "/mentors/{mentor_id}/calendars/refresh",
    response_model=RefreshOut,
    responses=error_responses(401, 403, 404, 422),
    summary="Read the mentor's calendars now",
)
def refresh(
    mentor_id: MentorId,
    user: CurrentUser,
    settings: AppSettings,
    db: Annotated[Database, Depends(get_db)],
) -> RefreshOut:
    with db.read() as session:
        connections.check_access(session, user, mentor_id)
    report = refresh_calendars(db, settings, utcnow(), mentor_id=mentor_id, due_only=False)
    with db.read() as session:
        items = connections.describe(session, connections.list_connections(session, mentor_id))
    return RefreshOut(
        refreshed=report.refreshed,
        unchanged=report.unchanged,
        failed=report.failed,
        conflicts=report.conflicts,
        items=items,
    )
