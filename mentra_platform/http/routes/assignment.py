"""Mentor assignment routes (admin/coordinator): parse, one service call, respond.

Every route here changes the council, so each needs ``If-Match``; the POSTs that create a
seat also honour ``Idempotency-Key``. The rules live in
:mod:`mentra_platform.assignment.service`.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Response
from sqlalchemy.orm import Session

from mentra_desktop.models import utcnow
from mentra_desktop.models.wire.assignment import (
    AddMentorIn,
    AutoAssignIn,
    MentorsOut,
    SwapMentorIn,
)
from mentra_platform.assignment import service
from mentra_platform.councils.access import etag
from mentra_platform.http.deps import (
    AppSettings,
    CouncilId,
    IfMatch,
    MentorId,
    StaffUser,
    WriteSession,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.http.writes import commit_response

router = APIRouter(prefix="/api/v1", tags=["assignment"])

_ERRORS = error_responses(400, 401, 403, 404, 409, 412, 422, 428)
_IDEMPOTENT_ERRORS = {**_ERRORS, **IDEMPOTENT_RESPONSES}


def _done(session: Session, out: MentorsOut) -> Response:
    return commit_response(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/mentors/auto-assign",
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Fill the council's mentor seats by expertise, seniority, load and time zones",
)
def auto_assign(
    council_id: CouncilId,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
    body: AutoAssignIn | None = Body(default=None),  # noqa: B008
) -> Response:
    out = service.auto_assign(
        session,
        settings,
        council_id,
        if_match=if_match,
        target=body.target if body else None,
        now=utcnow(),
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/mentors",
    status_code=201,
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Add one mentor to the council (409 when booked over every proposed slot)",
)
def add_mentor(
    council_id: CouncilId,
    body: AddMentorIn,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    out = service.add_mentor(
        session,
        settings,
        council_id,
        if_match=if_match,
        mentor_id=body.mentor_id,
        is_lead=body.is_lead,
        now=utcnow(),
    )
    return idem.respond(session, out, status_code=201, headers={"ETag": etag(out.version)})


@router.delete(
    "/councils/{council_id}/mentors/{mentor_id}",
    response_model=MentorsOut,
    responses=_ERRORS,
    summary="Remove a mentor from the council",
)
def remove_mentor(
    council_id: CouncilId,
    mentor_id: MentorId,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    out = service.remove_mentor(session, council_id, if_match=if_match, mentor_id=mentor_id)
    return _done(session, out)


@router.post(
    "/councils/{council_id}/mentors/{mentor_id}/swap",
    response_model=MentorsOut,
    responses=_IDEMPOTENT_ERRORS,
    summary="Replace one mentor by another (the lead flag moves to the replacement)",
)
def swap_mentor(
    council_id: CouncilId,
    mentor_id: MentorId,
    body: SwapMentorIn,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
) -> Response:
    out = service.swap_mentor(
        session,
        settings,
        council_id,
        if_match=if_match,
        mentor_id=mentor_id,
        replacement_id=body.replacement_id,
        now=utcnow(),
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


@router.post(
    "/councils/{council_id}/mentors/{mentor_id}/lead",
    response_model=MentorsOut,
    responses=_ERRORS,
    summary="Mark this council mentor as the lead (clears any other lead)",
)
def mark_lead(
    council_id: CouncilId,
    mentor_id: MentorId,
    user: StaffUser,
    session: WriteSession,
    if_match: IfMatch = None,
) -> Response:
    out = service.mark_lead(session, council_id, if_match=if_match, mentor_id=mentor_id)
    return _done(session, out)
