"""Domain errors: what the services raise when a rule refuses a request.

Services know nothing of HTTP. They raise one of these with a sentence a coordinator can
read and, for bad input, field-level problems; :mod:`mentra_platform.http.errors` is the one
place that maps each class to a status code and the JSON error body. The worker and the CLI
catch the same classes.
"""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """Base class. ``errors`` are ``(field, message)`` pairs (wire field names, camelCase)."""

    default_detail = "Request refused"

    def __init__(
        self,
        detail: str | None = None,
        errors: Sequence[tuple[str, str]] = (),
        *,
        retry_after: int | None = None,
    ) -> None:
        self.detail = detail or self.default_detail
        super().__init__(self.detail)
        self.errors = list(errors)
        self.retry_after = retry_after


class BadRequest(DomainError):
    """Malformed input that is not a field of a document (a header, an encoding)."""


class Unauthenticated(DomainError):
    default_detail = "Not authenticated"


class Forbidden(DomainError):
    """Authenticated, but the role, plan or ownership does not allow it."""


class NotFound(DomainError):
    """Absent, or not visible to the caller (the two are never told apart)."""


class Conflict(DomainError):
    """The current state does not allow the change (a phase rule, a double booking)."""


class Gone(DomainError):
    """A one-time thing already used or expired (a one-click link)."""


class PreconditionFailed(DomainError):
    """The caller's version (If-Match) is not the current one."""


class PreconditionRequired(DomainError):
    """The caller must say which version they changed (If-Match)."""


class Invalid(DomainError):
    """Input that breaks a rule, named field by field."""

    default_detail = "Validation failed"


class TooManyRequests(DomainError):
    """Throttled; ``retry_after`` seconds."""


class Unavailable(DomainError):
    """A dependency (the database) is down or saturated; ``retry_after`` seconds."""


def field_error(field: str, message: str) -> Invalid:
    """The one way to refuse one field: ``raise field_error("slotId", "not on this council")``."""
    return Invalid(errors=[(field, message)])
