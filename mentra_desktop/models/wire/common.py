"""The base model and the field types every wire document shares.

Input is refused here, field by field, before any service, database or mailer sees it:

* :data:`Id` — a row id the database can hold (1…``MAX_ID``), so a huge id is a 422
  naming its field, never an overflow in the driver.
* :data:`Instant` — an aware instant, returned in UTC, between :data:`MIN_INSTANT` and
  :data:`MAX_INSTANT`: "0001-01-01T00:30:00+01:00" (year 0 in UTC) or
  "9999-12-31T23:59:59-01:00" (year 10000) cannot overflow a later conversion or
  ``+ 1 hour``.
* :data:`SingleLine` — text that becomes a mail subject or header: no line breaks and no
  control characters (CR/LF would let it write headers of its own).
* :data:`HttpsUrl` — an absolute ``https://`` URL with a host, no whitespace, no user info.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from mentra_desktop.models.base import MAX_ID

MIN_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        from_attributes=True,
        serialize_by_alias=True,
    )


def _utc_in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not MIN_INSTANT <= utc <= MAX_INSTANT:
        raise ValueError(f"must be between {MIN_INSTANT:%Y-%m-%d} and {MAX_INSTANT:%Y-%m-%d} (UTC)")
    return utc


def _forbidden_character(value: str) -> str | None:
    """The first line break or control character in ``value``, as ``U+XXXX``."""
    for char in value:
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return f"U+{ord(char):04X}"
    return None


def _single_line(value: str) -> str:
    found = _forbidden_character(value)
    if found is not None:
        raise ValueError(f"must be one line without control characters (found {found})")
    return value


def _https_url(value: str) -> str:
    if _forbidden_character(value) is not None or any(c.isspace() for c in value):
        raise ValueError("must not contain spaces, line breaks or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise ValueError("must be an absolute https:// URL") from exc
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ValueError("must be an absolute https:// URL, e.g. https://meet.example.com/abc")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not contain a user name or password")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id: 1…``MAX_ID``."""

Instant = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
"""An aware instant with an explicit offset, normalised to UTC, in a sane range."""

SingleLine = Annotated[str, AfterValidator(_single_line)]
"""One line of text without control characters (a topic, a mail subject)."""

HttpsUrl = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_https_url)]
"""An absolute ``https://`` URL (a video link)."""


__all__ = [
    "MAX_INSTANT",
    "MIN_INSTANT",
    "ApiModel",
    "HttpsUrl",
    "Id",
    "Instant",
    "SingleLine",
]
