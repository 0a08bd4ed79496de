"""``POST /api/v1/auth/login`` and ``GET /api/v1/me``."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from mentra_desktop.models import User
from mentra_desktop.models.wire.auth import LoginIn, MeOut, TokenOut, UserOut
from mentra_platform.core.db import Database
from mentra_platform.core.errors import TooManyRequests, Unauthenticated
from mentra_platform.core.security import issue_token, verify_password
from mentra_platform.http.deps import AppSettings, CurrentUser, ReadSession
from mentra_platform.http.errors import error_responses

router = APIRouter(prefix="/api/v1", tags=["auth"])

_DUMMY_HASH_CACHE: dict[str, str] = {}


def _dummy_hash(request: Request) -> str:
    """A real hash to verify against for unknown emails, so timing does not leak them."""
    key = "dummy"
    if key not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[key] = request.app.state.hasher.hash("not-a-real-password")
    return _DUMMY_HASH_CACHE[key]


@router.post(
    "/auth/login",
    response_model=TokenOut,
    responses=error_responses(401, 422, 429),
    summary="Exchange email and password for an expiring bearer token",
)
async def login(body: LoginIn, request: Request, settings: AppSettings) -> TokenOut:
    email = body.email.strip().lower()
    client = request.client.host if request.client else "unknown"
    throttle = request.app.state.login_throttle
    wait = await run_in_threadpool(throttle.attempt, email, client)
    if wait:
        raise TooManyRequests("Too many failed logins; try again later", retry_after=wait)

    db: Database = request.app.state.db

    def _check() -> User | None:
        with db.read() as session:
            user = session.scalar(select(User).where(User.email == email))
            stored = user.password_hash if user is not None else _dummy_hash(request)
            ok = verify_password(request.app.state.hasher, stored, body.password)
            if user is None or not ok or not user.is_active:
                return None
            session.expunge(user)
            return user

    user = await run_in_threadpool(_check)
    if user is None:  # the attempt is already counted as a failure
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
