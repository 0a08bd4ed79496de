"""The mentee's pages: sign-in, their councils, registration (goals and questions).

``/signin`` checks e-mail and password exactly as ``POST /api/v1/auth/login`` does — the
same password-check queue (503 when full), the same database-backed throttle (429 with
``Retry-After``), argon2 — and then sets the session cookie
(:mod:`mentra_platform.http.pages.browser`). ``/council`` lists the mentee's own councils
(:mod:`.council_view`); a user without the Council plan, or a mentor or staff member, gets
a page explaining who the page is for. Every form carries the CSRF token; every POST ends
in a redirect (post/redirect/get) or the page again with the problem next to its field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import FormData

from mentra_desktop.models import Role, User, utcnow
from mentra_desktop.models.wire.inbox import DeliverySettingsIn
from mentra_desktop.models.wire.registrations import RegistrationIn
from mentra_platform.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from mentra_platform.councils.access import load_visible
from mentra_platform.http.deps import app_db, app_settings, load_user
from mentra_platform.http.pages import browser, when
from mentra_platform.http.pages.calendar_file import ics_response
from mentra_platform.http.pages.council_view import councils_of
from mentra_platform.http.pages.mentor import csrf_refusal
from mentra_platform.http.pages.rendering import message_page, page
from mentra_platform.http.sign_in import authenticate
from mentra_platform.notifications.inbox import update_settings
from mentra_platform.registrations import editing

router = APIRouter(include_in_schema=False)


def signed_in_user(request: Request) -> User | None:
    """The active user of a valid session cookie, else None."""
    user_id = browser.session_user_id(request, app_settings(request))
    if user_id is None:
        return None
    user = load_user(app_db(request), request.app.state.user_cache, user_id)
    return user if user is not None and user.is_active else None


def _to_signin() -> Response:
    return RedirectResponse("/signin", status_code=303)


# --- sign-in ------------------------------------------------------------------------------


def _signin_page(
    request: Request, *, email: str = "", error: str = "", status: int = 200, **extra: Any
) -> Response:
    settings = app_settings(request)
    csrf = browser.csrf_for_page(request, settings, "")
    context = {
        "title": "Sign in",
        "email": email,
        "error": error,
        "csrf": csrf.token,
        "signed_out": request.query_params.get("signed_out") == "1",
    }
    return csrf.apply(page("signin.html", context, status=status, **extra), request, settings)


@router.get("/signin")
def signin_page(request: Request) -> Response:
    if signed_in_user(request) is not None:
        return RedirectResponse("/council", status_code=303)
    return _signin_page(request)


@router.post("/signin")
async def signin(request: Request) -> Response:
    """CSRF first, then the API login's queue, throttle and password check."""
    settings = app_settings(request)
    form = await request.form()
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))
    if not browser.csrf_ok(request, settings, "", str(form.get(browser.CSRF_FIELD, ""))):
        return csrf_refusal()
    if not email or not password:
        return _signin_page(
            request, email=email, error="Enter your e-mail address and password.", status=422
        )
    try:
        user = await authenticate(request, email, password)
    except Unavailable as exc:
        return _signin_page(
            request,
            email=email,
            error="Too many people are signing in right now; please try again in a moment.",
            status=503,
            headers={"Retry-After": str(exc.retry_after or 1)},
        )
    except TooManyRequests as exc:
        wait = exc.retry_after or 1
        minutes = max(1, round(wait / 60))
        return _signin_page(
            request,
            email=email,
            error=f"Too many failed sign-ins. Please try again in about {minutes} "
            f"minute{'s' if minutes != 1 else ''}.",
            status=429,
            headers={"Retry-After": str(wait)},
        )
    except Unauthenticated:
        return _signin_page(
            request, email=email, error="Wrong e-mail address or password.", status=401
        )
    response = RedirectResponse("/council", status_code=303)
    browser.set_cookie(
        response,
        request,
        settings,
        browser.SESSION_COOKIE,
        browser.issue_session(settings, user.id),
        settings.token_ttl_seconds,
    )
    return response


@router.post("/signout")
async def signout(request: Request) -> Response:
    settings = app_settings(request)
    form = await request.form()
    binding = request.cookies.get(browser.SESSION_COOKIE, "")
    if not browser.csrf_ok(request, settings, binding, str(form.get(browser.CSRF_FIELD, ""))):
        return csrf_refusal()
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    browser.clear_cookie(response, request, settings, browser.SESSION_COOKIE)
    return response


# --- the council page ---------------------------------------------------------------------


def _not_for_you(request: Request, user: User) -> Response:
    settings = app_settings(request)
    binding = request.cookies.get(browser.SESSION_COOKIE, "")
    csrf = browser.csrf_for_page(request, settings, binding)
    if user.role == Role.MENTEE:
        response = message_page(
            "Councils need the Council plan",
            [
                "A council is a one-hour session with three to five mentors, chosen for "
                "your topic. Councils are part of the Council plan ($99 a month); your "
                "current plan does not include them.",
                "To join a council, change your plan in your Mentra account. Your other "
                "Mentra features are not affected.",
            ],
            status=403,
            signout_csrf=csrf.token,
        )
        return csrf.apply(response, request, settings)
    response = message_page(
        "This page is for mentees",
        [
            "Mentors answer their invitations from the link in each invitation and "
            "reminder e-mail; coordinators use the Mentra desktop app."
        ],
        status=403,
        signout_csrf=csrf.token,
    )
    return csrf.apply(response, request, settings)


def _council_page(
    request: Request,
    user: User,
    *,
    errors: dict[int, dict[str, str]] | None = None,
    typed: dict[int, tuple[str, str]] | None = None,
    status: int = 200,
    zone_error: str = "",
) -> Response:
    settings = app_settings(request)
    with app_db(request).read() as session:
        fresh = session.get(User, user.id)  # the zone as saved, not as cached
        zone_name = fresh.timezone if fresh is not None else None
        zone = zone_name or "UTC"
        cards = councils_of(session, user, zone, utcnow())
    for card in cards:
        if errors and card.id in errors:
            card.errors = errors[card.id]
        if typed and card.id in typed:
            card.goals, card.questions = typed[card.id]
    binding = request.cookies.get(browser.SESSION_COOKIE, "")
    csrf = browser.csrf_for_page(request, settings, binding)
    context = {
        "title": "Your councils",
        "user_name": user.full_name or user.email,
        "zone": zone,
        "zone_set": zone_name is not None,
        "upcoming": [c for c in cards if not c.past],
        "past": [c for c in cards if c.past],
        "saved": request.query_params.get("saved", ""),
        "csrf": csrf.token,
        "zones": when.ZONE_CHOICES,
        "zone_error": zone_error,
    }
    return csrf.apply(page("councils.html", context, status=status), request, settings)


@router.get("/council")
def council_page(request: Request) -> Response:
    user = signed_in_user(request)
    if user is None:
        return _to_signin()
    if user.role != Role.MENTEE or not user.has_council_access:
        return _not_for_you(request, user)
    return _council_page(request, user)


def _save(request: Request, user: User, council_id: int, goals: str, questions: str) -> Response:
    typed = {council_id: (goals, questions)}
    try:
        body = RegistrationIn(goals=goals, questions=questions)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            name = str(err.get("loc", ("form",))[0])
            errors.setdefault(name, str(err.get("msg", "invalid")).removeprefix("Value error, "))
        return _council_page(request, user, errors={council_id: errors}, typed=typed, status=422)
    with app_db(request).write() as session:
        fresh = session.get(User, user.id)
        assert fresh is not None
        try:
            editing.save(session, fresh, council_id, body)
        except NotFound:
            session.rollback()
            return message_page(
                "Council not found", ["There is no such council of yours."], status=404
            )
        except Conflict as exc:
            session.rollback()
            return _council_page(
                request, user, errors={council_id: {"form": exc.detail}}, typed=typed, status=409
            )
        except DomainError as exc:
            session.rollback()
            return message_page("Not saved", [exc.detail], status=403)
        session.commit()
    return RedirectResponse(f"/council?saved={council_id}#council-{council_id}", status_code=303)


async def _mentee_form(request: Request) -> tuple[FormData, User] | Response:
    """Every mentee form's gate, in order: the CSRF token bound to the session cookie, a
    signed-in user, and a Council-plan mentee; the refusal page otherwise."""
    settings = app_settings(request)
    form = await request.form()
    binding = request.cookies.get(browser.SESSION_COOKIE, "")
    if not browser.csrf_ok(request, settings, binding, str(form.get(browser.CSRF_FIELD, ""))):
        return csrf_refusal()
    user = signed_in_user(request)
    if user is None:
        return _to_signin()
    if user.role != Role.MENTEE or not user.has_council_access:
        return _not_for_you(request, user)
    return form, user


@router.post("/council/{council_id}/registration")
async def save_registration(request: Request, council_id: int) -> Response:
    """Create or change the mentee's goals and questions (until the council is confirmed)."""
    checked = await _mentee_form(request)
    if isinstance(checked, Response):
        return checked
    form, user = checked
    goals, questions = str(form.get("goals", "")), str(form.get("questions", ""))
    return await run_in_threadpool(_save, request, user, council_id, goals, questions)


@router.post("/council/timezone")
async def save_timezone(request: Request) -> Response:
    """Set the zone the page (and every message) shows times in: the user's notification
    setting, through the same service as ``PATCH /api/v1/me/notification-settings``."""
    checked = await _mentee_form(request)
    if isinstance(checked, Response):
        return checked
    form, user = checked
    chosen = str(form.get("timezone", "")).strip()[:64]
    return await run_in_threadpool(_save_zone, request, user, chosen)


def _save_zone(request: Request, user: User, chosen: str) -> Response:
    with app_db(request).write() as session:
        try:
            update_settings(session, user, DeliverySettingsIn(timezone=chosen or None))
        except (Invalid, ValidationError):
            session.rollback()
            return _council_page(
                request, user, status=422, zone_error="Choose a time zone from the list."
            )
        session.commit()
    return RedirectResponse("/council?zone=1", status_code=303)


@router.get("/council/{council_id}/council.ics")
def council_calendar(request: Request, council_id: int) -> Response:
    user = signed_in_user(request)
    if user is None:
        return _to_signin()
    if user.role != Role.MENTEE or not user.has_council_access:
        return _not_for_you(request, user)
    with app_db(request).read() as session:
        try:
            council = load_visible(session, user, council_id)
        except NotFound:
            return message_page(
                "Council not found", ["There is no such council of yours."], status=404
            )
        return ics_response(
            session, settings=app_settings(request), council=council, keep_email=user.email
        )
