"""Signed, expiring, single-use one-click response links (pure part: no database, no web).

A link lets an invited mentor answer one proposed slot without logging in. The token is
self-describing so a tampered link is refused before the database is touched::

    v1.<nonce>.<council_mentor_id>.<slot_id>.<answer>.<expires_epoch>.<signature>

The signature is HMAC-SHA256 with the server ``SECRET_KEY`` over every other field and is
compared in constant time. Single use is enforced elsewhere: the nonce has a database row whose
``used_at`` is set by one conditional ``UPDATE``. Tokens are credentials; never log them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Answer = Literal["available", "unavailable"]
ANSWERS: Final[tuple[Answer, ...]] = ("available", "unavailable")
VERSION: Final = "v1"
MAX_TOKEN_LENGTH: Final = 256
DEFAULT_LIFETIME: Final = timedelta(days=7)


class OneClickError(Exception):
    """A one-click token was refused; ``reason`` is safe to show (it never echoes the token)."""

    reason = "invalid"


class TokenInvalid(OneClickError):
    """Malformed token or bad signature: tampered, truncated or signed with another key."""

    reason = "invalid"


class TokenExpired(OneClickError):
    """Correctly signed, but past its expiry."""

    reason = "expired"


class TokenUsed(OneClickError):
    """Genuine, but already spent."""

    reason = "used"


class CouncilClosed(OneClickError):
    """The council is confirmed or cancelled."""

    reason = "closed"


class MentorInactive(OneClickError):
    """The mentor's account was deactivated after the invitation went out."""

    reason = "inactive"


class DeadlinePassed(OneClickError):
    """The council's current response deadline has passed (it may have been moved earlier
    than the link's own expiry); ``when`` is the deadline in the mentor's own time zone."""

    reason = "deadline"

    def __init__(self, when: str) -> None:
        super().__init__(when)
        self.when = when


@dataclass(frozen=True)
class OneClickClaims:
    """What a verified token says: which mentor seat answers which slot, and until when."""

    nonce: str
    council_mentor_id: int
    slot_id: int
    answer: Answer
    expires_at: datetime


def new_nonce() -> str:
    """128 random bits, URL-safe, never containing the ``.`` separator."""
    return secrets.token_urlsafe(16)


def mac_text(secret: bytes, message: bytes) -> str:
    """HMAC-SHA256 of ``message`` as unpadded URL-safe base64 (a token's last field)."""
    mac = hmac.new(secret, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def signed_fields(
    token: str, count: int, signature: Callable[[tuple[str, ...]], str]
) -> tuple[str, ...]:
    """The ``count`` dot-separated fields of ``token`` once its last part is their
    ``signature``, else :class:`TokenInvalid`. Only length, ASCII and the number of parts
    are looked at before the signature is compared (in constant time); the fields' content
    is the caller's to check after."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise TokenInvalid
    *fields, given = token.split(".")
    if len(fields) != count:
        raise TokenInvalid
    expected = signature(tuple(fields))
    if not hmac.compare_digest(expected.encode("ascii"), given.encode("ascii")):
        raise TokenInvalid
    return tuple(fields)


def _signature(secret: bytes, fields: tuple[str, ...]) -> str:
    return mac_text(secret, "|".join(fields).encode("utf-8"))


def _fields(claims: OneClickClaims) -> tuple[str, ...]:
    return (
        VERSION,
        claims.nonce,
        str(claims.council_mentor_id),
        str(claims.slot_id),
        claims.answer,
        str(int(claims.expires_at.timestamp())),
    )


def sign_token(secret: bytes, claims: OneClickClaims) -> str:
    """Serialise and sign ``claims``; the expiry is kept to whole seconds."""
    if not secret:
        raise ValueError("SECRET_KEY must not be empty")
    if claims.expires_at.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware")
    if claims.answer not in ANSWERS:
        raise ValueError(f"answer must be one of {ANSWERS}")
    if not claims.nonce or "." in claims.nonce:
        raise ValueError("nonce must be non-empty and contain no '.'")
    fields = _fields(claims)
    return ".".join((*fields, _signature(secret, fields)))


def make_claims(
    council_mentor_id: int,
    slot_id: int,
    answer: Answer,
    *,
    now: datetime,
    lifetime: timedelta = DEFAULT_LIFETIME,
    nonce: str | None = None,
) -> OneClickClaims:
    """Fresh claims with a new nonce, expiring ``lifetime`` after ``now`` (whole seconds)."""
    expires = (now + lifetime).astimezone(UTC).replace(microsecond=0)
    return OneClickClaims(nonce or new_nonce(), council_mentor_id, slot_id, answer, expires)


def verify_token(secret: bytes, token: str, *, now: datetime) -> OneClickClaims:
    """Return the claims of a genuine, unexpired token, else raise a :class:`OneClickError`.

    The signature is checked before anything else is trusted, so an attacker learns nothing
    about expiry or ids from a forged token. Whether the nonce is already spent is the
    caller's database question.
    """
    fields = signed_fields(token, 6, lambda f: _signature(secret, f))
    version, nonce, cm_id, slot_id, answer, expires = fields
    if version != VERSION or answer not in ANSWERS or not nonce:
        raise TokenInvalid
    if not (cm_id.isdigit() and slot_id.isdigit() and expires.isdigit()):
        raise TokenInvalid
    expires_at = datetime.fromtimestamp(int(expires), tz=UTC)
    if now >= expires_at:
        raise TokenExpired
    return OneClickClaims(
        nonce=nonce,
        council_mentor_id=int(cm_id),
        slot_id=int(slot_id),
        answer="available" if answer == "available" else "unavailable",
        expires_at=expires_at,
    )


# --- pages --------------------------------------------------------------------------------
# Mail scanners prefetch every link, so the GET page only describes the answer and offers one
# POST button. Everything interpolated is escaped; the page needs no script and no assets.

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.4rem}}</style>
</head><body><h1>{title}</h1>{body}</body></html>
"""


def format_slot_local(start: datetime, end: datetime, timezone_name: str) -> str:
    """``Tue 31 Mar 2026, 15:00–16:00 CEST (Europe/Berlin)`` in the mentor's own zone.

    An unknown zone name falls back to UTC rather than failing the page.
    """
    try:
        zone = ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone_name = ZoneInfo("UTC"), "UTC"
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    day = local_start.strftime("%a %d %b %Y")
    end_text = local_end.strftime("%H:%M")
    if local_end.date() != local_start.date():
        end_text = local_end.strftime("%a %d %b %H:%M")
    return f"{day}, {local_start:%H:%M}–{end_text} {local_start.tzname() or ''} ({timezone_name})"


def format_instant_local(when: datetime, timezone_name: str) -> str:
    """``Tue 31 Mar 2026, 15:00 CEST (Europe/Berlin)``; an unknown zone falls back to UTC."""
    try:
        zone = ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone, timezone_name = ZoneInfo("UTC"), "UTC"
    local = when.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname() or ''} ({timezone_name})"


def render_page(title: str, paragraphs: list[str], form_action: str | None = None) -> str:
    """A minimal, escaped HTML page; with ``form_action`` it carries one confirm button."""
    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    if form_action is not None:
        body += (
            f'<form method="post" action="{escape(form_action, quote=True)}">'
            '<button type="submit">Confirm</button></form>'
        )
    return _PAGE.format(title=escape(title), body=body)


def render_confirm_page(
    *, topic: str, slot_text: str, answer: Answer, mentor_name: str, action: str
) -> str:
    """The GET page: says what will be recorded; nothing is spent until the button is used."""
    verb = "available" if answer == "available" else "NOT available"
    return render_page(
        "Confirm your availability",
        [
            f"Council: {topic}",
            f"Proposed time: {slot_text}",
            f"{mentor_name}, press Confirm to record that you are {verb} for this time.",
        ],
        form_action=action,
    )


REFUSALS: Final[dict[str, tuple[int, str, str]]] = {
    "invalid": (
        400,
        "Link not valid",
        "This response link is not valid. Please use the link "
        "from your invitation email, or answer from your Mentra account.",
    ),
    "expired": (
        410,
        "Link expired",
        "This response link has expired. Please answer from your Mentra account instead.",
    ),
    "used": (
        410,
        "Link already used",
        "This response link has already been used. You can "
        "change your answer from your Mentra account.",
    ),
    "closed": (
        409,
        "Council closed",
        "This council is already confirmed or cancelled, so the answer was not recorded.",
    ),
    "deadline": (
        410,
        "Answers are closed",
        "Your answer was not recorded: the deadline for answers to this council passed on "
        "{when}. If you can still join, please tell the council's coordinator.",
    ),
    "inactive": (
        403,
        "Account deactivated",
        "Your answer was not recorded because your Mentra account has been deactivated. "
        "If you think this is a mistake, please contact the Mentra team.",
    ),
}


def render_refusal(reason: str, when: str = "") -> tuple[int, str]:
    """Status code and page for a refused link (a :class:`OneClickError` ``reason``);
    ``when`` is the deadline shown by the ``deadline`` refusal."""
    status, title, text = REFUSALS.get(reason, REFUSALS["invalid"])
    return status, render_page(title, [text.format(when=when)])


def render_error(error: OneClickError) -> tuple[int, str]:
    """Status code and page for a refusal raised by the one-click service."""
    return render_refusal(error.reason, error.when if isinstance(error, DeadlinePassed) else "")
