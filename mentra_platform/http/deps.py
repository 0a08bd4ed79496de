"""FastAPI dependencies: database sessions, the current user, role and plan checks.

Use the ``Annotated`` aliases in route signatures::

    @router.get("/x", responses=error_responses(401, 403))
    def x(user: CouncilUser, session: ReadSession) -> ...: ...

    @router.post("/y", dependencies=[Depends(require_roles(Role.ADMIN, Role.COORDINATOR))])
    def y(user: CurrentUser, session: WriteSession) -> ...:
        ...
        session.commit()

``CurrentUser`` is a *detached* :class:`User` (its ``plan`` is loaded); re-fetch with
``session.get(User, user.id)`` when you need other relationships. ``WriteSession`` is
the only session that may write (on SQLite it holds the write lock from its first
statement); commit it yourself. Both sessions are closed (rolled back) after the request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from mentra_desktop.models import MAX_ID, STAFF_ROLES, Role, User
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database
from mentra_platform.core.security import TokenError, read_token_claims
from mentra_platform.http.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/v1/auth/login")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def app_db(request: Request) -> Database:
    """The app's database (``app.state.db``); callable from sync code such as the pages."""
    db: Database = request.app.state.db
    return db


def app_settings(request: Request) -> Settings:
    """The app's current settings (``app.state.settings``, re-pointed by ``bind_state``)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    return app_db(request)


async def get_app_settings(request: Request) -> Settings:
    return app_settings(request)


def get_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    """A read session (a deferred transaction: never blocks writers on SQLite)."""
    with db.read() as session:
        yield session


def get_write_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    """A session for writes; commit explicitly, anything uncommitted is rolled back."""
    with db.write() as session:
        yield session


class UserCache:
    """Detached users by id with a short time-to-live, so a token check costs no query.

    A deactivation or role change takes effect within ``Settings.user_cache_seconds``.
    """

    def __init__(self, ttl_seconds: float) -> None:
        self._ttl = ttl_seconds
        self._users: dict[int, tuple[float, User]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: int) -> User | None:
        with self._lock:
            entry = self._users.get(user_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, user: User) -> None:
        with self._lock:
            if len(self._users) > 10_000:
                self._users.clear()
            self._users[user.id] = (time.monotonic() + self._ttl, user)


def load_user(db: Database, cache: UserCache, user_id: int) -> User | None:
    """The user (detached, ``plan`` loaded) through the short-lived cache; None if gone."""
    user = cache.get(user_id)
    if user is None:
        with db.read() as session:
            user = session.get(User, user_id)
            if user is None:
                return None
            session.expunge(user)
        cache.put(user)
    return user


def current_user(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    settings: Annotated[Settings, Depends(get_app_settings)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The active user named by a valid bearer token, else 401.

    The token's expiry is kept in ``request.state.token_expires_at`` (epoch seconds) for
    requests that outlive a moment, like the event stream.
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(401, "Not authenticated", headers=_CHALLENGE)
    try:
        claims = read_token_claims(settings.secret_key, credentials.credentials)
    except TokenError as exc:
        raise ApiError(401, f"Invalid token: {exc}", headers=_CHALLENGE) from exc
    user = load_user(db, request.app.state.user_cache, claims.user_id)
    if user is None or not user.is_active:
        raise ApiError(401, "Unknown or inactive user", headers=_CHALLENGE)
    request.state.token_expires_at = claims.expires_at
    return user


CouncilId = Annotated[int, Path(ge=1, le=MAX_ID, description="Council id")]
"""Path parameter type for every ``{council_id}``: out-of-range ids are a 422, never a 500."""

MentorId = Annotated[int, Path(ge=1, le=MAX_ID, description="Mentor (user) id")]
"""Path parameter type for every ``{mentor_id}``."""

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='Required: the council\'s ETag from GET, e.g. "3" (missing → 428, stale → 412)',
    ),
]
"""The ``If-Match`` header of every council write; the rule itself is
:func:`mentra_platform.councils.access.check_if_match`."""

CurrentUser = Annotated[User, Depends(current_user)]
ReadSession = Annotated[Session, Depends(get_session)]
WriteSession = Annotated[Session, Depends(get_write_session)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


def require_roles(*roles: Role) -> Callable[[User], Awaitable[User]]:
    """A dependency returning the current user if their role is one of ``roles``, else 403."""
    allowed = frozenset(roles)

    async def _check(user: CurrentUser) -> User:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ApiError(403, f"Requires role: {names}")
        return user

    return _check


async def require_council_plan(user: CurrentUser) -> User:
    """Council features: staff and mentors always; mentees need a plan with council access."""
    if not user.has_council_access:
        raise ApiError(403, "Council features need the Council plan")
    return user


CouncilUser = Annotated[User, Depends(require_council_plan)]
StaffUser = Annotated[User, Depends(require_roles(*STAFF_ROLES))]
AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
