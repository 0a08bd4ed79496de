"""``/api/v1/alerts``: the coordinators' feed of coordination failures
(:mod:`mentra_platform.alerts.service`). Staff only. New and acknowledged alerts also
appear in ``/events`` (``alert.raised``, ``alert.acknowledged``; staff only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from mentra_desktop.models import utcnow
from mentra_desktop.models.base import MAX_ID
from mentra_platform.alerts import service
from mentra_platform.alerts.schemas import AlertOut, AlertPage
from mentra_platform.core.tables import AlertKind
from mentra_platform.http.deps import ReadSession, StaffUser, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.writes import commit_response

router = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.get(
    "/alerts",
    response_model=AlertPage,
    responses=error_responses(401, 403, 422),
    summary="Coordination alerts, oldest first; filter unacknowledged, by council or kind",
)
def list_alerts(
    session: ReadSession,
    user: StaffUser,
    unacknowledged: bool = False,
    council_id: Annotated[int | None, Query(alias="councilId", ge=1, le=MAX_ID)] = None,
    kind: Annotated[list[AlertKind] | None, Query()] = None,
    after_id: Annotated[int, Query(alias="afterId", ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AlertPage:
    rows = service.list_alerts(
        session,
        unacknowledged=unacknowledged,
        council_id=council_id,
        kinds=[k.value for k in kind or []],
        limit=limit,
        after_id=after_id,
    )
    items = [AlertOut.model_validate(a) for a in rows]
    return AlertPage(items=items, next_after_id=items[-1].id if len(items) == limit else None)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertOut,
    responses=error_responses(401, 403, 404),
    summary="Acknowledge an alert (acknowledging twice keeps the first)",
)
def acknowledge(
    alert_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: WriteSession, user: StaffUser
) -> Response:
    alert = service.acknowledge(session, alert_id, user, utcnow())
    return commit_response(session, AlertOut.model_validate(alert))
