"""Password hashing (argon2id) and signed, expiring bearer tokens.

Tokens are ``<base64url(json claims)>.<base64url(HMAC-SHA256)>`` signed with
``SECRET_KEY``; claims are ``sub`` (user id), ``iat`` and ``exp`` (epoch seconds).
They are stateless, so any API process with the same secret accepts them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mentra_platform.core.config import Settings


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


def read_token(secret: str, token: str, now: float | None = None) -> int:
    """The user id a valid, unexpired token names; :class:`TokenError` otherwise."""
    if len(token) > 1024 or token.count(".") != 1:
        raise TokenError("malformed token")
    payload, signature = token.split(".")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise TokenError("bad signature")
    try:
        claims = json.loads(_unb64(payload))
        user_id, exp = int(claims["sub"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TokenError("malformed claims") from exc
    if exp <= int(time.time() if now is None else now):
        raise TokenError("token expired")
    return user_id
