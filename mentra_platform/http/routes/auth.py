"""``POST /api/v1/auth/login`` and ``GET /api/v1/me``."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from mentra_desktop.models import User
from mentra_desktop.models.wire.auth import LoginIn, MeOut, TokenOut, UserOut
from mentra_platform.auth.throttle import LoginThrottle
from mentra_platform.core.db import Database
from mentra_platform.core.errors import TooManyRequests, Unauthenticated
from mentra_platform.core.security import PasswordChecks, issue_token
from mentra_platform.http.deps import AppSettings, CurrentUser, ReadSession
from mentra_platform.http.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["auth"])


def _find(db: Database, email: str) -> User | None:
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            session.expunge(user)
        return user


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
    email = body.email.strip().lower()
    client = request.client.host if request.client else "unknown"
    throttle: LoginThrottle = request.app.state.login_throttle
    checks: PasswordChecks = request.app.state.password_checks
    db: Database = request.app.state.db
    slot = checks.reserve()
    try:
        wait = await run_in_threadpool(throttle.attempt, email, client)
        if wait:
            raise TooManyRequests("Too many failed logins; try again later", retry_after=wait)
        user = await run_in_threadpool(_find, db, email)
        stored = user.password_hash if user is not None else None
        ok = await asyncio.wrap_future(slot.submit(checks.check, stored, body.password))
    finally:
        slot.release()
    if user is None or not ok or not user.is_active:  # already counted as a failure
        raise Unauthenticated("Wrong email or password")
    await run_in_threadpool(throttle.succeeded, email, client)
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
