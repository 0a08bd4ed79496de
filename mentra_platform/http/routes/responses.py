"""Invitations (staff) and the authenticated mentor response form.

``POST /councils/{id}/invitations`` moves a draft council to ``collecting``;
``PUT /councils/{id}/responses/me`` records the mentor's own answers. The rules are in
:mod:`mentra_platform.responses.service`.
"""

from __future__ import annotations

from fastapi import APIRouter, Body, Depends, Response

from mentra_desktop.models import Role, User, utcnow
from mentra_desktop.models.wire.responses import (
    InvitationsIn,
    InvitationsOut,
    MentorResponseIn,
    MentorResponseOut,
)
from mentra_platform.core.errors import Forbidden
from mentra_platform.councils.access import etag
from mentra_platform.http.deps import (
    AppSettings,
    CouncilId,
    IfMatch,
    MentorId,
    ReadSession,
    StaffUser,
    WriteSession,
    require_roles,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.http.writes import commit_response
from mentra_platform.responses import service

router = APIRouter(prefix="/api/v1", tags=["responses"])

MentorUser = Depends(require_roles(Role.MENTOR))


@router.post(
    "/councils/{council_id}/invitations",
    response_model=InvitationsOut,
    responses={**error_responses(400, 401, 403, 404, 409, 412, 422, 428), **IDEMPOTENT_RESPONSES},
    summary="Send the invitations: one-click links per mentor and slot; draft → collecting",
)
def send_invitations(
    council_id: CouncilId,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
    if_match: IfMatch = None,
    body: InvitationsIn | None = Body(default=None),  # noqa: B008
) -> Response:
    deadline = body.mentor_response_deadline if body is not None else None
    out = service.send_invitations(
        session, settings, user, council_id, deadline, if_match, utcnow()
    )
    return idem.respond(session, out, headers={"ETag": etag(out.version)})


_RESPONSE_ERRORS = error_responses(401, 403, 404, 409, 422)
_ANSWER_DOC = (
    "Answers close when the council is confirmed or cancelled and at its response deadline "
    "(409 with the deadline). Alternative proposals must be in the future; partial ranges "
    "lie inside their slot. A council you are not a mentor on is a 404."
)


def _answer(
    session: WriteSession,
    settings: AppSettings,
    user: User,
    council_id: int,
    body: MentorResponseIn,
) -> Response:
    out = service.answer(session, user, council_id, body, utcnow(), settings)
    return commit_response(session, out, headers={"ETag": etag(out.version)})


@router.put(
    "/councils/{council_id}/responses/me",
    response_model=MentorResponseOut,
    responses=_RESPONSE_ERRORS,
    summary="Record my availability: per-slot answers, partial ranges, alternatives, notes",
    description=_ANSWER_DOC,
)
def answer_me(
    council_id: CouncilId,
    body: MentorResponseIn,
    session: WriteSession,
    settings: AppSettings,
    user: User = MentorUser,
) -> Response:
    return _answer(session, settings, user, council_id, body)


@router.put(
    "/councils/{council_id}/responses/{mentor_id}",
    response_model=MentorResponseOut,
    responses=_RESPONSE_ERRORS,
    summary="Record availability for a mentor id: only that mentor may (403 otherwise)",
    description=_ANSWER_DOC,
)
def answer_for(
    council_id: CouncilId,
    mentor_id: MentorId,
    body: MentorResponseIn,
    session: WriteSession,
    settings: AppSettings,
    user: User = MentorUser,
) -> Response:
    if mentor_id != user.id:
        raise Forbidden("A mentor can answer only for themself")
    return _answer(session, settings, user, council_id, body)


@router.get(
    "/councils/{council_id}/responses/me",
    response_model=MentorResponseOut,
    responses=error_responses(401, 403, 404),
    summary="My current answers for this council",
)
def my_answers(
    council_id: CouncilId, session: ReadSession, user: User = MentorUser
) -> MentorResponseOut:
    return service.my_answers(session, user, council_id)
