"""Password hashing (argon2id) and signed, expiring bearer tokens.

Password checks run on a few threads of their own (:class:`PasswordChecks`): a flood of
logins can use those threads and no more, so every other request keeps the threadpool and
most of the CPU; when they are busy and their queue is full a login is refused at once
(:class:`~mentra_platform.core.errors.Unavailable`, 503 with ``Retry-After``).

Tokens are ``<base64url(json claims)>.<base64url(HMAC-SHA256)>`` signed with
``SECRET_KEY``; claims are ``sub`` (user id), ``iat`` and ``exp`` (epoch seconds).
They are stateless, so any API process with the same secret accepts them.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Unavailable

T = TypeVar("T")


def password_hasher(settings: Settings) -> PasswordHasher:
    return PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost,
        parallelism=settings.argon2_parallelism,
    )


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return str(hasher.hash(password))


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return bool(hasher.verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


class PasswordSlot:
    """A place in the password-check queue, held from :meth:`PasswordChecks.reserve` until
    the submitted check finishes (or :meth:`release`, when nothing was submitted)."""

    def __init__(self, checks: PasswordChecks) -> None:
        self._checks = checks
        self._held = True

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Run ``fn(*args)`` on a password thread; the slot is freed when it finishes."""
        if not self._held:
            raise RuntimeError("slot already released")
        self._held = False
        try:
            future = self._checks.executor.submit(fn, *args)
        except BaseException:
            self._checks.slots.release()
            raise
        future.add_done_callback(lambda _f: self._checks.slots.release())
        return future

    def release(self) -> None:
        if self._held:
            self._held = False
            self._checks.slots.release()


PASSWORD_THREAD_NICENESS = 10
"""Password threads run this much below the request threads (Linux; argon2's own worker
threads inherit it), so a burst of logins takes the CPU other requests leave idle."""


def _lower_priority() -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PASSWORD_THREAD_NICENESS)


class PasswordChecks:
    """argon2 verification on ``workers`` threads of its own, with ``queue`` more waiting.

    :meth:`reserve` never blocks: with every place taken it raises ``Unavailable`` (the
    caller answers 503 with ``Retry-After``). Unknown e-mails are checked against a real
    hash of the same cost (:meth:`check` with ``None``), so timing does not tell them apart.
    """

    RETRY_AFTER_SECONDS = 1

    def __init__(self, hasher: PasswordHasher, workers: int, queue: int) -> None:
        self.hasher = hasher
        self.executor = ThreadPoolExecutor(
            max_workers=max(1, workers),
            thread_name_prefix="password-check",
            initializer=_lower_priority,
        )
        self.slots = threading.BoundedSemaphore(max(1, workers) + max(0, queue))
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    def reserve(self) -> PasswordSlot:
        if not self.slots.acquire(blocking=False):
            raise Unavailable(
                "Too many logins at once; retry shortly", retry_after=self.RETRY_AFTER_SECONDS
            )
        return PasswordSlot(self)

    def check(self, stored_hash: str | None, password: str) -> bool:
        """Verify ``password`` (on a password thread); ``None`` checks a dummy and fails."""
        if stored_hash is None:
            with self._dummy_lock:
                if self._dummy is None:
                    self._dummy = hash_password(self.hasher, "not-a-real-password")
            verify_password(self.hasher, self._dummy, password)
            return False
        return verify_password(self.hasher, stored_hash, password)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), b"mentra-access." + payload.encode(), hashlib.sha256)
    return _b64(mac.digest())


@dataclass(frozen=True)
class AccessToken:
    token: str
    user_id: int
    expires_at: int


def issue_token(
    secret: str, user_id: int, ttl_seconds: int, now: float | None = None
) -> AccessToken:
    issued = int(time.time() if now is None else now)
    exp = issued + ttl_seconds
    payload = _b64(json.dumps({"sub": user_id, "iat": issued, "exp": exp}).encode())
    return AccessToken(f"{payload}.{_sign(secret, payload)}", user_id, exp)


class TokenError(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    expires_at: int
    """Epoch seconds; a long-lived use of the token (an event stream) ends then."""


def read_token_claims(secret: str, token: str, now: float | None = None) -> TokenClaims:
    """The claims of a valid, unexpired token; :class:`TokenError` otherwise.

    Anything but printable ASCII is malformed (a header may carry any latin-1 byte, and
    ``hmac.compare_digest`` refuses non-ASCII strings).
    """
    if len(token) > 1024 or not token.isascii() or not token.isprintable():
        raise TokenError("malformed token")
    if token.count(".") != 1:
        raise TokenError("malformed token")
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature.encode(), _sign(secret, payload).encode()):
        raise TokenError("bad signature")
    try:
        claims = json.loads(_unb64(payload))
        user_id, exp = int(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed claims") from exc
    if exp <= int(time.time() if now is None else now):
        raise TokenError("token expired")
    return TokenClaims(user_id, exp)


def read_token(secret: str, token: str, now: float | None = None) -> int:
    """The user id a valid, unexpired token names; :class:`TokenError` otherwise."""
    return read_token_claims(secret, token, now).user_id
