"""The browser's side of the web pages: the sign-in cookie and CSRF protection.

**Session.** A signed, expiring cookie (``mentra_session``): the same stateless token as the
API's bearer tokens (:func:`mentra_platform.core.security.issue_token`), but signed with a
key derived for this purpose only, so a cookie never works as a bearer token and a bearer
token never works as a cookie. It is ``HttpOnly``, ``SameSite=Lax``, ``Path=/`` and
``Secure`` whenever the page is served over HTTPS: the request's own scheme,
``PUBLIC_BASE_URL`` starting with ``https://``, or — only when the platform trusts proxies
(``TRUSTED_PROXIES``) — ``X-Forwarded-Proto: https``. Signing out clears it; the user's
active flag and plan are checked on every request.

**CSRF.** Signed double submit, bound to the session: a random ``mentra_csrf`` cookie
(same flags) and, in every form, ``HMAC(key, cookie | binding)`` where the binding is the
session cookie (signed-in pages) or the link token (a mentor's response page). The server
recomputes and compares in constant time before it reads anything else of the form; an
attacker can neither read the cookie nor forge the HMAC, and a pair planted from their
own visit does not match the victim's session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request, Response

from mentra_platform.core.config import Settings
from mentra_platform.core.security import TokenError, issue_token, read_token_claims

SESSION_COOKIE = "mentra_session"
CSRF_COOKIE = "mentra_csrf"
CSRF_FIELD = "csrf"


def _derived(settings: Settings, purpose: str) -> str:
    return hmac.new(settings.secret_key.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def is_https(request: Request, settings: Settings) -> bool:
    """Whether the browser reached us over HTTPS (see the module doc for what is believed)."""
    if request.url.scheme == "https" or settings.public_base_url.startswith("https://"):
        return True
    if settings.trusted_proxies:
        proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return proto == "https"
    return False


def set_cookie(
    response: Response, request: Request, settings: Settings, name: str, value: str, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
    )


def clear_cookie(response: Response, request: Request, settings: Settings, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=is_https(request, settings)
    )


# --- the session --------------------------------------------------------------------------


def issue_session(settings: Settings, user_id: int) -> str:
    key = _derived(settings, "mentra-web-session")
    return issue_token(key, user_id, settings.token_ttl_seconds).token


def session_user_id(request: Request, settings: Settings) -> int | None:
    """The user id a valid, unexpired session cookie names, else None."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        return read_token_claims(_derived(settings, "mentra-web-session"), raw).user_id
    except TokenError:
        return None


# --- CSRF ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Csrf:
    """The form token to embed, and the cookie to set when the browser had none."""

    token: str
    new_cookie: str | None

    def apply(self, response: Response, request: Request, settings: Settings) -> Response:
        if self.new_cookie is not None:
            set_cookie(response, request, settings, CSRF_COOKIE, self.new_cookie, 7 * 86400)
        return response


def _csrf_for(settings: Settings, cookie: str, binding: str) -> str:
    mac = hmac.new(
        _derived(settings, "mentra-web-csrf").encode(),
        f"{cookie}|{binding}".encode(),
        hashlib.sha256,
    )
    return mac.hexdigest()


def csrf_for_page(request: Request, settings: Settings, binding: str) -> Csrf:
    """The token for a form on this page (a new cookie when the browser has none)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    fresh = None
    if not cookie or len(cookie) > 128:
        cookie = fresh = secrets.token_urlsafe(24)
    return Csrf(_csrf_for(settings, cookie, binding), fresh)


def csrf_ok(request: Request, settings: Settings, binding: str, submitted: str | None) -> bool:
    """Whether a submitted form token matches the browser's CSRF cookie and ``binding``."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted or len(submitted) > 128 or not submitted.isascii():
        return False
    expected = _csrf_for(settings, cookie, binding)
    return hmac.compare_digest(expected.encode(), submitted.encode())
