"""``POST /api/v1/auth/login`` and ``GET /api/v1/me``."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from mentra_desktop.models import User
from mentra_desktop.models.wire.auth import LoginIn, MeOut, TokenOut, UserOut
from mentra_platform.core.errors import Unauthenticated
from mentra_platform.core.security import issue_token
from mentra_platform.http.deps import AppSettings, CurrentUser, ReadSession
from mentra_platform.http.errors import error_responses
from mentra_platform.http.sign_in import authenticate

router = APIRouter(prefix="/api/v1", tags=["auth"])


@router.post(
    "/auth/login",
    response_model=TokenOut,
    responses=error_responses(401, 422, 429, 503),
    summary="Exchange email and password for an expiring bearer token",
)
async def login(body: LoginIn, request: Request, settings: AppSettings) -> TokenOut:
    """A place in the password-check queue is taken first (503 when it is full, before
    anything is counted), then the attempt is counted (429 past a limit), then the
    password is checked on the password threads. ``request.client`` is the address the
    client-address middleware derived (``TRUSTED_PROXIES``)."""
    user = await authenticate(request, body.email.strip().lower(), body.password)
    token = issue_token(settings.secret_key, user.id, settings.token_ttl_seconds)
    return TokenOut(
        access_token=token.token,
        expires_at=datetime.fromtimestamp(token.expires_at, UTC),
        expires_in=settings.token_ttl_seconds,
        user=UserOut.model_validate(user),
    )


@router.get("/me", response_model=MeOut, responses=error_responses(401))
def me(user: CurrentUser, session: ReadSession) -> MeOut:
    fresh = session.get(User, user.id)
    if fresh is None:  # pragma: no cover - deleted between the two reads
        raise Unauthenticated("Unknown user")
    return MeOut.model_validate(fresh)
