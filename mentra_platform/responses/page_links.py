"""Signed, expiring links to a mentor's response page (pure part: no database, no web).

The invitation and every reminder carry one such link per mentor seat. Unlike a one-click
link it is not spent: the mentor may change their answers through it until the council's
response deadline. The token names the council, the seat *and* the mentor, so a seat
that was removed (and its id reused for someone else) no longer matches::

    f1.<council_id>.<council_mentor_id>.<mentor_id>.<expires_epoch>.<signature>

The signature is HMAC-SHA256 with ``SECRET_KEY`` over a purpose label and every other
field (so neither a one-click token nor a bearer token can ever pass as one), compared in
constant time before anything else is read. Tokens are credentials; never log them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from mentra_platform.responses.one_click import (
    TokenExpired,
    TokenInvalid,
    mac_text,
    signed_fields,
)

VERSION: Final = "f1"
PURPOSE: Final = b"mentra-response-page"
PATH_PREFIX: Final = "/respond/"


@dataclass(frozen=True)
class PageClaims:
    """Which mentor seat of which council the link opens, and until when."""

    council_id: int
    council_mentor_id: int
    mentor_id: int
    expires_at: datetime


def _fields(claims: PageClaims) -> tuple[str, ...]:
    return (
        VERSION,
        str(claims.council_id),
        str(claims.council_mentor_id),
        str(claims.mentor_id),
        str(int(claims.expires_at.timestamp())),
    )


def _signature(secret: bytes, fields: tuple[str, ...]) -> str:
    return mac_text(secret, PURPOSE + b"|" + "|".join(fields).encode())


def sign_page_token(secret: bytes, claims: PageClaims) -> str:
    if not secret:
        raise ValueError("SECRET_KEY must not be empty")
    if claims.expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    fields = _fields(claims)
    return ".".join((*fields, _signature(secret, fields)))


def make_page_claims(
    council_id: int, council_mentor_id: int, mentor_id: int, *, now: datetime, lifetime: timedelta
) -> PageClaims:
    """Claims expiring ``lifetime`` after ``now`` (whole seconds, UTC)."""
    expires = (now + lifetime).astimezone(UTC).replace(microsecond=0)
    return PageClaims(council_id, council_mentor_id, mentor_id, expires)


def verify_page_token(secret: bytes, token: str, *, now: datetime) -> PageClaims:
    """The claims of a genuine, unexpired token; ``TokenInvalid`` / ``TokenExpired`` else.

    Whether the seat still exists, still belongs to that mentor and may still answer is the
    caller's database question (:mod:`mentra_platform.responses.page`).
    """
    fields = signed_fields(token, 5, lambda f: _signature(secret, f))
    version, council_id, seat_id, mentor_id, expires = fields
    if version != VERSION or not all(
        f.isdigit() and len(f) <= 12 for f in (council_id, seat_id, mentor_id, expires)
    ):
        raise TokenInvalid
    expires_at = datetime.fromtimestamp(int(expires), tz=UTC)
    if now >= expires_at:
        raise TokenExpired
    return PageClaims(int(council_id), int(seat_id), int(mentor_id), expires_at)


def page_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url}{PATH_PREFIX}{token}"


__all__ = [
    "PATH_PREFIX",
    "PageClaims",
    "make_page_claims",
    "page_url",
    "sign_page_token",
    "verify_page_token",
]
