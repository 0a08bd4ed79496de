"""Queue notifications to a council's participants, and list them
(:mod:`mentra_platform.notifications.service`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Response

from mentra_desktop.models import NotificationKind, utcnow
from mentra_desktop.models.wire.notifications import (
    NotificationBatch,
    NotificationIn,
    NotificationOut,
)
from mentra_platform.http.deps import (
    AppSettings,
    CouncilId,
    CouncilUser,
    ReadSession,
    StaffUser,
    WriteSession,
)
from mentra_platform.http.errors import error_responses
from mentra_platform.http.idempotency import IDEMPOTENT_RESPONSES, Idem
from mentra_platform.notifications import service

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.post(
    "/councils/{council_id}/notifications",
    status_code=201,
    response_model=NotificationBatch,
    responses={**error_responses(400, 401, 403, 404, 409, 422), **IDEMPOTENT_RESPONSES},
    summary="Queue a reminder, confirmation or custom message to the council's participants",
)
def send_notification(
    council_id: CouncilId,
    body: NotificationIn,
    user: StaffUser,
    session: WriteSession,
    settings: AppSettings,
    idem: Idem,
) -> Response:
    out = service.send(session, user, council_id, body, utcnow(), settings)
    return idem.respond(session, out, status_code=201)


@router.get(
    "/councils/{council_id}/notifications",
    response_model=list[NotificationOut],
    responses=error_responses(401, 403, 404, 422),
    summary="Notifications of a council: all for staff, your own for everyone else",
)
def list_notifications(
    council_id: CouncilId,
    user: CouncilUser,
    session: ReadSession,
    kind: Literal["reminder", "confirmation", "custom", "invitation", "alert"] | None = Query(
        default=None
    ),
) -> list[NotificationOut]:
    chosen = NotificationKind(kind) if kind is not None else None
    return service.list_for(session, user, council_id, chosen)
