"""The mentor's response page: ``GET/POST /respond/{token}`` and the confirmed ``.ics``.

Reached from the signed link in the invitation and every reminder (no password). GET only
reads; POST checks the CSRF token, then records the answers through the same service as
``PUT /api/v1/councils/{id}/responses/me`` (so every rule is the API's) and redirects to
the page with a summary of what was recorded (post/redirect/get). A refused form comes back
with what was typed and each problem next to its field (422), a closed council with the
reason (409). Refused links get a page saying why in plain words. The token is a
credential: access-log lines are redacted and the pages are ``no-store``/``no-referrer``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from mentra_desktop.models import CoordinationStatus, utcnow
from mentra_platform.core.config import Settings
from mentra_platform.core.errors import Conflict, DomainError, Invalid
from mentra_platform.councils.access import slot_of
from mentra_platform.http.access_log import redact_path_tokens
from mentra_platform.http.deps import app_db, app_settings
from mentra_platform.http.pages import browser, response_form
from mentra_platform.http.pages.calendar_file import ics_response
from mentra_platform.http.pages.rendering import message_page, page
from mentra_platform.http.pages.when import instant_local
from mentra_platform.responses import service
from mentra_platform.responses.one_click import DeadlinePassed, OneClickError
from mentra_platform.responses.page import OpenedPage, open_page

router = APIRouter(include_in_schema=False)

redact_path_tokens("/respond/")

REFUSALS: dict[str, tuple[int, str, str]] = {
    "invalid": (
        400,
        "Link not valid",
        "This link is not valid: it may have been cut off or changed. Please open the link "
        "from your latest invitation or reminder e-mail.",
    ),
    "expired": (
        410,
        "Link expired",
        "This link has expired. Every reminder e-mail carries a fresh link: if answers are "
        "still open, use the newest one, or ask the council's coordinator.",
    ),
    "removed": (
        403,
        "You are no longer on this council",
        "The coordinator changed the mentors of this council and you are no longer one of "
        "them, so there is nothing to answer here. Nothing was recorded. Thank you for "
        "your time.",
    ),
    "inactive": (
        403,
        "Account deactivated",
        "Your Mentra account has been deactivated, so no answer can be recorded. If you "
        "think this is a mistake, please contact the Mentra team.",
    ),
    "closed": (
        409,
        "Council cancelled",
        "This council was cancelled, so no answers are needed any more.",
    ),
    "deadline": (
        410,
        "Answers are closed",
        "The deadline for answers to this council passed on {when}. If you can still "
        "join, please tell the council's coordinator.",
    ),
}


def refusal_page(error: OneClickError) -> Response:
    status, title, text = REFUSALS.get(error.reason, REFUSALS["invalid"])
    when = error.when if isinstance(error, DeadlinePassed) else ""
    return message_page(title, [text.format(when=when)], status=status)


def _secret(settings: Settings) -> bytes:
    return settings.secret_key.encode("utf-8")


def _context(
    opened: OpenedPage,
    state: response_form.FormState,
    *,
    token: str,
    csrf: str,
    saved: bool,
) -> dict[str, Any]:
    council, zone = opened.council, opened.zone
    final = slot_of(council, council.final_slot_id) if council.final_slot_id else None
    confirmed = council.coordination_status == CoordinationStatus.CONFIRMED and final is not None
    recorded = response_form.from_seat(opened.seat, zone)
    return {
        "title": "Your availability",
        "council": council,
        "zone": zone,
        "mentor_name": opened.mentor.full_name or opened.mentor.email,
        "slots": [(s.id, (s.starts_at, s.ends_at)) for s in council.slots],
        "state": state,
        "recorded": recorded,
        "responded": opened.seat.response_date is not None,
        "response_date": opened.seat.response_date,
        "registrations": opened.registrations,
        "other_mentors": opened.other_mentors,
        "answered": opened.answered,
        "invited": opened.invited,
        "accepting": opened.accepting,
        "deadline": council.mentor_response_deadline,
        "confirmed": confirmed,
        "final": (final.starts_at, final.ends_at) if final is not None else None,
        "attending": bool(opened.seat.attending),
        "ics_url": f"/respond/{token}/council.ics",
        "action": f"/respond/{token}",
        "csrf": csrf,
        "saved": saved,
    }


def _show(request: Request, token: str, saved: bool) -> Response:
    settings = app_settings(request)
    with app_db(request).read() as session:
        try:
            opened = open_page(session, _secret(settings), token, utcnow())
        except OneClickError as refusal:
            return refusal_page(refusal)
        csrf = browser.csrf_for_page(request, settings, token)
        state = response_form.from_seat(opened.seat, opened.zone)
        response = page(
            "respond.html", _context(opened, state, token=token, csrf=csrf.token, saved=saved)
        )
    return csrf.apply(response, request, settings)


@router.get("/respond/{token}")
def response_page(request: Request, token: str, saved: str = "") -> Response:
    """The council, every slot in the mentor's zone and UTC, and the form (reads only)."""
    return _show(request, token, saved == "1")


def _refused_form(
    session: Session,
    opened: OpenedPage,
    state: response_form.FormState,
    token: str,
    csrf: str,
    status: int,
) -> Response:
    session.rollback()
    return page(
        "respond.html", _context(opened, state, token=token, csrf=csrf, saved=False), status=status
    )


def _record(request: Request, token: str, form: dict[str, str]) -> Response:
    settings = app_settings(request)
    now = utcnow()
    with app_db(request).write() as session:
        try:
            opened = open_page(session, _secret(settings), token, now)
        except OneClickError as refusal:
            return refusal_page(refusal)
        council, zone = opened.council, opened.zone
        slots = list(council.slots)
        state = response_form.from_form(form, slots)
        csrf = browser.csrf_for_page(request, settings, token).token
        if not opened.accepting:
            state.errors["form"] = "The council is confirmed, so answers are closed."
            return _refused_form(session, opened, state, token, csrf, 409)
        parsed = response_form.to_body(state, slots, zone)
        if parsed.body is None:
            return _refused_form(session, opened, state, token, csrf, 422)
        try:
            service.answer(session, opened.mentor, council.id, parsed.body, now, settings)
        except Invalid as exc:
            response_form.domain_errors(state, parsed, exc.errors, slots, zone)
            state.errors.setdefault("form", "Please correct the fields marked below.")
            return _refused_form(session, opened, state, token, csrf, 422)
        except Conflict as exc:
            state.errors["form"] = _closed_words(exc, opened)
            return _refused_form(session, opened, state, token, csrf, 409)
        except DomainError:
            session.rollback()
            return refusal_page(OneClickError())
        session.commit()
    return RedirectResponse(f"/respond/{token}?saved=1", status_code=303)


def _closed_words(exc: Conflict, opened: OpenedPage) -> str:
    deadline = opened.council.mentor_response_deadline
    if deadline is not None and "deadline" in exc.detail:
        return f"Answers closed on {instant_local(deadline, opened.zone)}; nothing was recorded."
    return f"{exc.detail}. Nothing was recorded."


@router.post("/respond/{token}")
async def record_answers(request: Request, token: str) -> Response:
    """Check the CSRF token, then record the answers (the API's rules) or show the form
    again with each problem next to its field."""
    settings = app_settings(request)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    if not browser.csrf_ok(request, settings, token, form.get(browser.CSRF_FIELD)):
        return csrf_refusal()
    return await run_in_threadpool(_record, request, token, form)


def csrf_refusal() -> Response:
    return message_page(
        "Please try again",
        [
            "This form could not be accepted because its security check did not match "
            "(it may be from an old page, or your browser blocked our cookie). Nothing was "
            "recorded. Please go back, reload the page and send it again."
        ],
        status=403,
    )


@router.get("/respond/{token}/council.ics")
def response_calendar(request: Request, token: str) -> Response:
    """The confirmed session as an iCalendar file for the attending mentor's calendar."""
    settings = app_settings(request)
    with app_db(request).read() as session:
        try:
            opened = open_page(session, _secret(settings), token, utcnow())
        except OneClickError as refusal:
            return refusal_page(refusal)
        if not opened.seat.attending:
            return message_page(
                "No calendar entry",
                ["The council is not confirmed with you among its mentors (yet)."],
                status=404,
            )
        return ics_response(session, settings, opened.council, keep_email=None)
