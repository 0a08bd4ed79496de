"""``GET/POST /r/{token}``: one-click mentor answers without logging in.

GET only renders a confirmation page (mail scanners prefetch links, so a GET must never
spend anything). POST spends the token with one conditional ``UPDATE ... WHERE used_at IS
NULL`` and records the answer in the same transaction; a second POST finds no row to update
and gets 410. The token is a credential: the access log line is redacted and the pages are
``no-store`` / ``no-referrer``.
"""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from mentra_desktop.models import CouncilMentor, SlotAnswerValue, utcnow
from mentra_platform.core.changes import record_change
from mentra_platform.core.config import Settings
from mentra_platform.core.tables import OneClickToken
from mentra_platform.councils.access import CLOSED, display_name, slot_of
from mentra_platform.http.deps import AppSettings, ReadSession, WriteSession
from mentra_platform.responses.answers import finish_response, lock_seat, set_slot_answer
from mentra_platform.responses.one_click import (
    OneClickClaims,
    OneClickError,
    format_slot_local,
    render_confirm_page,
    render_page,
    render_refusal,
    verify_token,
)

router = APIRouter(tags=["one-click"])

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'",
}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


_PAGES: dict[int | str, dict[str, Any]] = {
    400: _html("Invalid link (malformed, tampered or unknown)"),
    409: _html("The council is already confirmed or cancelled"),
    410: _html("The link has expired or was already used"),
}

_TOKEN_IN_PATH = re.compile(r"/r/[^/?\s\"]+")


class RedactOneClickTokens(logging.Filter):
    """Replace one-click tokens in access-log lines with ``[redacted]``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_PATH.sub("/r/[redacted]", a) if isinstance(a, str) else a
                for a in record.args
            )
        return True


logging.getLogger("uvicorn.access").addFilter(RedactOneClickTokens())


def _page(status: int, body: str) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def _refuse(reason: str) -> HTMLResponse:
    return _page(*render_refusal(reason))


def _check(
    session: Session, settings: Settings, token: str
) -> tuple[OneClickClaims, OneClickToken] | HTMLResponse:
    """Verify the signature and expiry, then match the nonce row; a page on refusal."""
    try:
        claims = verify_token(settings.secret_key.encode("utf-8"), token, now=utcnow())
    except OneClickError as exc:
        return _refuse(exc.reason)
    row = session.scalar(select(OneClickToken).where(OneClickToken.nonce == claims.nonce))
    if (
        row is None
        or row.council_mentor_id != claims.council_mentor_id
        or row.slot_id != claims.slot_id
        or row.answer.value != claims.answer
    ):
        return _refuse("invalid")
    if row.used_at is not None:
        return _refuse("used")
    return claims, row


@router.get(
    "/r/{token}",
    response_class=HTMLResponse,
    responses=_PAGES,
    summary="One-click answer: confirmation page (spends nothing)",
)
def one_click_page(token: str, session: ReadSession, settings: AppSettings) -> HTMLResponse:
    checked = _check(session, settings, token)
    if isinstance(checked, HTMLResponse):
        return checked
    claims, _row = checked
    seat = session.get(CouncilMentor, claims.council_mentor_id)
    slot = slot_of(seat.council, claims.slot_id) if seat else None
    if seat is None or slot is None:
        return _refuse("invalid")
    if seat.council.coordination_status in CLOSED:
        return _refuse("closed")
    profile = seat.mentor.mentor_profile
    page = render_confirm_page(
        topic=seat.council.topic,
        slot_text=format_slot_local(
            slot.starts_at, slot.ends_at, profile.timezone if profile else "UTC"
        ),
        answer=claims.answer,
        mentor_name=display_name(seat.mentor),
        action=f"/r/{token}",
    )
    return _page(200, page)


@router.post(
    "/r/{token}",
    response_class=HTMLResponse,
    responses=_PAGES,
    summary="One-click answer: spend the link once and record the answer",
)
def one_click_confirm(token: str, session: WriteSession, settings: AppSettings) -> HTMLResponse:
    checked = _check(session, settings, token)
    if isinstance(checked, HTMLResponse):
        return checked
    claims, _row = checked
    seat = lock_seat(session, claims.council_mentor_id)
    slot = slot_of(seat.council, claims.slot_id) if seat else None
    if seat is None or slot is None:
        return _refuse("invalid")
    council = seat.council
    if council.coordination_status in CLOSED:
        return _refuse("closed")
    now = utcnow()
    spent = cast(
        CursorResult[Any],
        session.execute(
            update(OneClickToken)
            .where(
                OneClickToken.nonce == claims.nonce,
                OneClickToken.used_at.is_(None),
                OneClickToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if spent.rowcount != 1:
        session.rollback()
        return _refuse("used")
    answer = SlotAnswerValue(claims.answer)
    set_slot_answer(seat, slot.id, answer, [], now)
    finish_response(seat, council, now)
    record_change(
        session,
        council_id=council.id,
        kind="mentor.responded",
        entity="council_mentor",
        entity_id=seat.id,
        payload={
            "mentorId": seat.mentor_id,
            "slotId": slot.id,
            "answer": answer.value,
            "via": "one-click",
        },
    )
    session.commit()
    profile = seat.mentor.mentor_profile
    when = format_slot_local(slot.starts_at, slot.ends_at, profile.timezone if profile else "UTC")
    verb = "available" if answer == SlotAnswerValue.AVAILABLE else "not available"
    return _page(
        200,
        render_page(
            "Thank you",
            [
                f"Recorded: you are {verb} on {when} for \u201c{council.topic}\u201d.",
                "You can change your answers from your Mentra account.",
            ],
        ),
    )
