"""Coordination endpoints a mentor calls: withdrawing from a confirmed council
(:mod:`mentra_platform.coordination.withdrawal`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from mentra_desktop.models import Role, User, utcnow
from mentra_platform.alerts.schemas import WithdrawalIn, WithdrawalOut
from mentra_platform.coordination.withdrawal import withdraw
from mentra_platform.councils.access import etag
from mentra_platform.http.deps import AppSettings, CouncilId, WriteSession, require_roles
from mentra_platform.http.errors import error_responses
from mentra_platform.http.writes import commit_response

router = APIRouter(prefix="/api/v1", tags=["coordination"])
MentorUser = Depends(require_roles(Role.MENTOR))


@router.post(
    "/councils/{council_id}/responses/me/withdraw",
    response_model=WithdrawalOut,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Withdraw from a confirmed council before its session",
    description=(
        "Still at its minimum, the council stays confirmed and everyone is told; below it, "
        "the council goes back to collecting with new links and coordinators are alerted."
    ),
)
def withdraw_me(
    council_id: CouncilId,
    session: WriteSession,
    settings: AppSettings,
    body: WithdrawalIn | None = None,
    user: User = MentorUser,
) -> Response:
    result = withdraw(session, settings, user, council_id, (body.reason if body else ""), utcnow())
    out = WithdrawalOut(
        council_id=result.council_id,
        coordination_status=result.coordination_status.value,
        attending_mentor_ids=result.attending_mentor_ids,
        invite_sequence=result.invite_sequence,
        version=result.version,
    )
    return commit_response(session, out, headers={"ETag": etag(result.version)})
