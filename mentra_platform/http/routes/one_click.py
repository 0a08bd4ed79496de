"""``GET/POST /r/{token}``: one-click mentor answers without logging in.

GET only renders a confirmation page (mail scanners prefetch links, so a GET must never
spend anything). POST spends the token with one conditional ``UPDATE ... WHERE used_at IS
NULL`` and records the answer in the same transaction; a second POST finds no row to update
and gets 410. A link records nothing once the council is confirmed or cancelled (409), after
the council's current response deadline (410, even if the deadline was moved earlier than the
link's own expiry) or when the mentor's account is deactivated (403); each refusal is a page
that says why. The rules are in :mod:`mentra_platform.responses.service`. The token is a
credential: the access log line is redacted and the pages are ``no-store`` / ``no-referrer``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from mentra_desktop.models import utcnow
from mentra_platform.http.access_log import redact_path_tokens
from mentra_platform.http.deps import AppSettings, ReadSession, WriteSession
from mentra_platform.http.pages.rendering import message_page
from mentra_platform.responses import service
from mentra_platform.responses.one_click import REFUSALS, DeadlinePassed, OneClickError

router = APIRouter(tags=["one-click"])


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


_PAGES: dict[int | str, dict[str, Any]] = {
    400: _html("Invalid link (malformed, tampered or unknown)"),
    403: _html("The mentor's account is deactivated; nothing is recorded"),
    409: _html("The council is already confirmed or cancelled"),
    410: _html("The link has expired, was already used, or the response deadline has passed"),
}

redact_path_tokens("/r/")


def _refusal(error: OneClickError) -> HTMLResponse:
    """The refusal's page (the site's template; the texts are the service's)."""
    status, title, text = REFUSALS.get(error.reason, REFUSALS["invalid"])
    when = error.when if isinstance(error, DeadlinePassed) else ""
    return message_page(title, [text.format(when=when)], status=status)


def _secret(settings: AppSettings) -> bytes:
    return settings.secret_key.encode("utf-8")


@router.get(
    "/r/{token}",
    response_class=HTMLResponse,
    responses=_PAGES,
    summary="One-click answer: confirmation page (spends nothing)",
)
def one_click_page(token: str, session: ReadSession, settings: AppSettings) -> HTMLResponse:
    try:
        link = service.open_link(session, _secret(settings), token, utcnow())
    except OneClickError as refusal:
        return _refusal(refusal)
    verb = "available" if link.answer == "available" else "NOT available"
    return message_page(
        "Confirm your availability",
        [
            f"Council: {link.topic}",
            f"Proposed time: {link.slot_text}",
            f"{link.mentor_name}, press Confirm to record that you are {verb} for this time.",
        ],
        form_action=f"/r/{token}",
    )


@router.post(
    "/r/{token}",
    response_class=HTMLResponse,
    responses=_PAGES,
    summary="One-click answer: spend the link once and record the answer",
)
def one_click_confirm(token: str, session: WriteSession, settings: AppSettings) -> HTMLResponse:
    try:
        link = service.spend_link(session, _secret(settings), token, utcnow(), settings)
    except OneClickError as refusal:
        return _refusal(refusal)
    session.commit()
    verb = "available" if link.answer == "available" else "not available"
    return message_page(
        "Thank you",
        [
            f"Recorded: you are {verb} on {link.slot_text} for \u201c{link.topic}\u201d.",
            "You can change your answers, give only part of a slot or other times from the "
            "response page linked in your invitation e-mail.",
        ],
    )
