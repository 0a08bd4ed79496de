"""Checking an e-mail and password: the one sequence for the API login and the sign-in page.

Order matters and is the same for both callers: a place in the password-check queue is
taken first (:class:`Unavailable` when it is full, before anything is counted), then the
attempt is counted by the login throttle (:class:`TooManyRequests` with ``retry_after``
seconds past a limit), then the password is checked on the password threads; a wrong
password, an unknown address and a deactivated account are one :class:`Unauthenticated`
(already counted as a failure). Only a success clears the throttle's count. The client is
``request.client``, the address the client-address middleware derived.
"""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select

from mentra_desktop.models import User
from mentra_platform.auth.throttle import LoginThrottle
from mentra_platform.core.db import Database
from mentra_platform.core.errors import TooManyRequests, Unauthenticated
from mentra_platform.core.security import PasswordChecks
from mentra_platform.http.deps import app_db


def _find(db: Database, email: str) -> User | None:
    with db.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            session.expunge(user)
        return user


async def authenticate(request: Request, email: str, password: str) -> User:
    """The active user with this (normalised) ``email`` and ``password``, else the errors
    above."""
    client = request.client.host if request.client else "unknown"
    throttle: LoginThrottle = request.app.state.login_throttle
    checks: PasswordChecks = request.app.state.password_checks
    slot = checks.reserve()
    try:
        wait = await run_in_threadpool(throttle.attempt, email, client)
        if wait:
            raise TooManyRequests("Too many failed logins; try again later", retry_after=wait)
        user = await run_in_threadpool(_find, app_db(request), email)
        stored = user.password_hash if user is not None else None
        ok = await asyncio.wrap_future(slot.submit(checks.check, stored, password))
    finally:
        slot.release()
    if user is None or not ok or not user.is_active:  # already counted as a failure
        raise Unauthenticated("Wrong email or password")
    await run_in_threadpool(throttle.succeeded, email, client)
    return user


__all__ = ["authenticate"]
