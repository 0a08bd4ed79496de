"""What can go wrong talking to the platform, as types the outbox and the views can act on.

* :class:`TransportError` — no answer (refused, reset, timed out): retry later.
* :class:`RetryableStatus` — 429, 502, 503, 504 (and 409 "Idempotency-Key still running"):
  retry after ``retry_after`` seconds when the platform said so.
* :class:`AuthExpired` — 401: sign in again; nothing is retried meanwhile.
* :class:`VersionConflict` — 412: the council changed since the ETag the write was based
  on; carries the server's current document so a dialog can compare theirs and yours.
* :class:`Refused` — any other non-2xx answer: the platform's ``detail`` and field
  ``errors``. Never retried.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
_IDEMPOTENCY_RUNNING = "Idempotency-Key is still running"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class PlatformError(Exception):
    """Base of every error :class:`~mentra_desktop.client.api.PlatformClient` raises."""


class TransportError(PlatformError):
    """The request got no HTTP answer (connection refused or reset, timeout). Retryable."""


class RetryableStatus(PlatformError):
    """An answer that says "later": ``retry_after`` seconds from Retry-After, or None."""

    def __init__(self, status: int, detail: str, retry_after: float | None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


class AuthExpired(PlatformError):
    """401: the token is missing, expired or revoked (or the login was wrong)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Refused(PlatformError):
    """A final refusal (4xx other than 401/412/429, or a 5xx that is not retryable)."""

    def __init__(self, status: int, detail: str, errors: list[FieldError]) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
        self.errors = errors

    def message(self) -> str:
        """One line for a status bar: the detail, then each field's message."""
        parts = [self.detail, *(f"{e.field}: {e.message}" for e in self.errors)]
        return "; ".join(p for p in parts if p)


class VersionConflict(PlatformError):
    """412: ``If-Match`` was stale. ``current`` is the council as the server has it now
    (fetched right after the 412; None when it could not be fetched), ``etag`` its ETag."""

    def __init__(self, detail: str, current: dict[str, Any] | None, etag: str | None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.current = current
        self.etag = etag


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP-date (RFC 9110); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_body(response: httpx.Response) -> tuple[str, list[FieldError]]:
    """The platform's ``{"detail", "errors": [{"field", "message"}]}``, tolerating others."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.reason_phrase or f"HTTP {response.status_code}", []
    if not isinstance(body, dict):
        return f"HTTP {response.status_code}", []
    detail = body.get("detail")
    errors = [
        FieldError(str(e.get("field", "")), str(e.get("message", "")))
        for e in body.get("errors") or []
        if isinstance(e, dict)
    ]
    if isinstance(detail, str):
        return detail, errors
    return json.dumps(detail) if detail is not None else f"HTTP {response.status_code}", errors


def error_for(response: httpx.Response) -> PlatformError:
    """The error a non-2xx response stands for (412 without its document; see the client)."""
    status = response.status_code
    detail, errors = error_body(response)
    if status == 401:
        return AuthExpired(detail)
    if status in RETRYABLE_STATUSES:
        return RetryableStatus(
            status, detail, retry_after_seconds(response.headers.get("Retry-After"))
        )
    if status == 409 and _IDEMPOTENCY_RUNNING in detail:
        # The first request with this key is still being processed: its outcome will be
        # replayed to us once it finishes.
        return RetryableStatus(status, detail, 1.0)
    if status == 412:
        return VersionConflict(detail, None, None)
    return Refused(status, detail, errors)
