"""Rendering the web pages: one Jinja2 environment with autoescaping, one set of headers.

Every page extends ``templates/base.html`` (the site's one look, ``static/site.css``).
Autoescaping is on for every template, so a topic, note or goal containing HTML is shown as
text. Pages carry no script: the Content-Security-Policy allows only our own stylesheet,
forms posting back to us, and no framing. Pages are ``no-store`` and ``no-referrer``
because their URLs may hold a link credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from mentra_platform.http.pages import when

PAGES_DIR = Path(__file__).parent
STATIC_DIR = PAGES_DIR / "static"

HEADERS: Mapping[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

_env = Environment(
    loader=FileSystemLoader(PAGES_DIR / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["slot_local"] = when.slot_local
_env.filters["slot_utc"] = when.slot_utc
_env.filters["short_local"] = when.short_local
_env.filters["instant_local"] = when.instant_local
_env.filters["day_words"] = when.day_words
_env.filters["and_list"] = when.and_list


def render_html(template: str, context: Mapping[str, Any]) -> str:
    """The template rendered with ``context`` (autoescaped)."""
    return _env.get_template(template).render(**context)


def page(
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """An HTML response with the site's security headers."""
    body = render_html(template, context or {})
    return HTMLResponse(body, status_code=status, headers={**HEADERS, **(headers or {})})


def message_page(
    title: str,
    paragraphs: list[str],
    *,
    status: int = 200,
    form_action: str | None = None,
    button: str = "Confirm",
    csrf: str | None = None,
    headers: Mapping[str, str] | None = None,
    signout_csrf: str | None = None,
) -> HTMLResponse:
    """A short page of plain paragraphs, with one optional button (a POST form); with
    ``signout_csrf`` (a signed-in visitor) the header offers "Sign out"."""
    context = {
        "title": title,
        "paragraphs": paragraphs,
        "form_action": form_action,
        "button": button,
        "csrf": csrf,
        "signout_csrf": signout_csrf,
    }
    return page("message.html", context, status=status, headers=headers)
