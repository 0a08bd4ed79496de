"""The signed-in user's in-app notifications and delivery preferences
(:mod:`mentra_platform.notifications.inbox`)."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Response

from mentra_desktop.models import MAX_ID, User, utcnow
from mentra_desktop.models.wire.inbox import (
    DeliverySettingsIn,
    DeliverySettingsOut,
    InboxItemOut,
    InboxPage,
)
from mentra_platform.http.deps import CurrentUser, ReadSession, WriteSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.writes import commit_response
from mentra_platform.notifications import inbox

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get(
    "/me/notifications",
    response_model=InboxPage,
    responses=error_responses(401, 422),
    summary="Your in-app notifications, newest first, with the unread count",
)
def list_inbox(
    user: CurrentUser,
    session: ReadSession,
    unread: bool = Query(default=False, description="Only unread ones"),
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=1_000_000),
) -> InboxPage:
    return inbox.inbox(session, user, unread_only=unread, limit=limit, offset=offset)


@router.post(
    "/me/notifications/{notification_id}/read",
    response_model=InboxItemOut,
    responses=error_responses(401, 404, 422),
    summary="Mark one of your notifications read",
)
def mark_read(
    user: CurrentUser,
    session: WriteSession,
    notification_id: int = Path(ge=1, le=MAX_ID),
) -> Response:
    return commit_response(session, inbox.mark_read(session, user, notification_id, utcnow()))


@router.get(
    "/me/notification-settings",
    response_model=DeliverySettingsOut,
    responses=error_responses(401),
    summary="Your time zone and delivery channels",
)
def get_settings(user: CurrentUser, session: ReadSession) -> DeliverySettingsOut:
    return inbox.settings_of(session.get(User, user.id) or user)


@router.patch(
    "/me/notification-settings",
    response_model=DeliverySettingsOut,
    responses=error_responses(401, 422),
    summary="Change your time zone and delivery channels (e-mail, in-app, signed webhook)",
)
def update_settings(body: DeliverySettingsIn, user: CurrentUser, session: WriteSession) -> Response:
    return commit_response(session, inbox.update_settings(session, user, body))
