"""The refresh pass: read every due calendar and store its busy time.

Reading happens outside any database transaction (network calls never hold a lock), on a
few threads (``CALENDAR_FETCH_WORKERS``); results are written back in batches, one short
transaction each. Per connection:

* an iCalendar feed is fetched with ``If-None-Match`` / ``If-Modified-Since``: a 304 costs
  one request and no parsing; a 200 is parsed (:mod:`.feeds`) for the next
  ``CALENDAR_HORIZON_DAYS``;
* Calendly is read with :class:`.calendly.CalendlyClient`;
* success replaces the busy ranges (only when they changed) and looks for conflicts
  (:mod:`.conflicts`); a failure — malformed feed, HTTP error, rejected token — stores a
  clear ``last_error``, raises one alert per failure episode, and changes nothing else;
  a rejected token refreshes nothing and raises ``calendar_token_expired``.

Log lines and errors name the connection and mentor ids, never a token or an address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentra_desktop.models import MentorProfile, User
from mentra_platform.alerts.service import raise_alert
from mentra_platform.calendars.addresses import PRIVATE_MESSAGE, resolves_private
from mentra_platform.calendars.busy import replace_busy
from mentra_platform.calendars.calendly import (
    CalendlyClient,
    CalendlyError,
    RateLimited,
    TokenRejected,
)
from mentra_platform.calendars.conflicts import raise_conflicts
from mentra_platform.calendars.crypto import unseal
from mentra_platform.calendars.feeds import FeedError, busy_from_feed
from mentra_platform.calendars.ranges import BusyRange
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database
from mentra_platform.core.errors import Unavailable
from mentra_platform.core.tables import AlertKind, CalendarConnection, CalendarKind

log = logging.getLogger(__name__)
BATCH = 200
MAX_FEED_BYTES = 50 * 1024 * 1024
MAX_REDIRECTS = 5
_READING: ContextVar[bool] = ContextVar("calendar_reading", default=False)


class _HideCalendarRequests(logging.Filter):
    """httpx logs every request's URL at INFO, and a feed's URL is its secret: records
    httpx logs while a calendar is being read are dropped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _READING.get()


logging.getLogger("httpx").addFilter(_HideCalendarRequests())


@dataclass(frozen=True)
class _Job:
    connection_id: int
    mentor_id: int
    kind: CalendarKind
    secret: str = field(repr=False)
    external_user: str | None
    etag: str | None
    last_modified: str | None
    addresses: tuple[str, ...]
    zone: str
    unreadable: str | None = None
    """Why the secret could not be opened (a changed calendar key); nothing is fetched."""


@dataclass
class _Outcome:
    job: _Job
    busy: list[BusyRange] | None = None
    unchanged: bool = False
    availability: dict[str, Any] | None = None
    external_user: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    token_rejected: bool = False
    retry_after: float | None = None


@dataclass
class RefreshReport:
    """What one pass did."""

    refreshed: int = 0
    unchanged: int = 0
    failed: int = 0
    conflicts: int = 0
    connection_ids: list[int] = field(default_factory=list)


def _jobs(
    session: Session,
    settings: Settings,
    now: datetime,
    mentor_id: int | None,
    connection_ids: Sequence[int] | None,
    due_only: bool,
) -> list[_Job]:
    stmt = (
        select(CalendarConnection, User.email, MentorProfile.timezone)
        .join(User, User.id == CalendarConnection.mentor_id)
        .outerjoin(MentorProfile, MentorProfile.user_id == CalendarConnection.mentor_id)
        .order_by(CalendarConnection.id)
    )
    if mentor_id is not None:
        stmt = stmt.where(CalendarConnection.mentor_id == mentor_id)
    if connection_ids is not None:
        stmt = stmt.where(CalendarConnection.id.in_(list(connection_ids)))
    if due_only:
        stmt = stmt.where(
            or_(
                CalendarConnection.next_refresh_at.is_(None),
                CalendarConnection.next_refresh_at <= now,
            )
        )
    jobs = []
    for c, email, zone in session.execute(stmt).all():
        unreadable = None
        try:
            secret = unseal(settings, c.secret)
        except Unavailable as exc:
            secret, unreadable = "", exc.detail
        jobs.append(
            _Job(
                c.id,
                c.mentor_id,
                c.kind,
                secret,
                c.external_user,
                c.etag,
                c.last_modified,
                (str(email).lower(),),
                zone or "UTC",
                unreadable,
            )
        )
    return jobs


def _read_feed(http: httpx.Client, settings: Settings, job: _Job, now: datetime) -> _Outcome:
    """A conditional GET of the feed, following redirects by hand so every hop's host is
    checked (:mod:`.addresses`)."""
    headers = {"Accept": "text/calendar"}
    if job.etag:
        headers["If-None-Match"] = job.etag
    if job.last_modified:
        headers["If-Modified-Since"] = job.last_modified
    url = job.secret
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            host = urlsplit(url).hostname or ""
            if not settings.calendar_allow_private_feeds and resolves_private(host):
                return _Outcome(job, error=f"The feed's address {PRIVATE_MESSAGE}")
            with http.stream("GET", url, headers=headers) as response:
                location = response.headers.get("Location")
                if response.is_redirect and location:
                    url = str(response.url.join(location))
                    continue
                return _feed_response(settings, job, now, response)
    except httpx.HTTPError as exc:
        return _Outcome(job, error=f"The feed could not be reached ({type(exc).__name__})")
    return _Outcome(job, error="The feed redirects too many times")


def _feed_response(
    settings: Settings, job: _Job, now: datetime, response: httpx.Response
) -> _Outcome:
    """The outcome of the feed's final response: 304 unchanged, else read (at most
    :data:`MAX_FEED_BYTES`) and parsed."""
    if response.status_code == 304:
        return _Outcome(job, unchanged=True, etag=job.etag, last_modified=job.last_modified)
    if response.status_code != 200:
        return _Outcome(job, error=f"The feed answered HTTP {response.status_code}")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_FEED_BYTES:
            return _Outcome(job, error="The feed is larger than 50 MB")
        chunks.append(chunk)
    horizon = now + timedelta(days=settings.calendar_horizon_days)
    try:
        busy = busy_from_feed(
            b"".join(chunks),
            now,
            horizon,
            own_addresses=job.addresses,
            default_zone=job.zone,
            invite_host=urlsplit(settings.public_base_url).hostname,
        )
    except FeedError as exc:
        return _Outcome(job, error=str(exc))
    return _Outcome(
        job,
        busy=busy,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _read_calendly(http: httpx.Client, settings: Settings, job: _Job, now: datetime) -> _Outcome:
    client = CalendlyClient(http, settings.calendly_api_base, job.secret)
    try:
        reading = client.read(
            job.external_user, now, timedelta(days=settings.calendar_horizon_days)
        )
    except TokenRejected as exc:
        return _Outcome(job, error=str(exc), token_rejected=True)
    except RateLimited as exc:
        return _Outcome(job, error=str(exc), retry_after=exc.retry_after)
    except CalendlyError as exc:
        return _Outcome(job, error=str(exc))
    return _Outcome(
        job,
        busy=reading.busy,
        availability=reading.availability,
        external_user=reading.user_uri,
    )


def _read(http: httpx.Client, settings: Settings, job: _Job, now: datetime) -> _Outcome:
    if job.unreadable is not None:
        return _Outcome(job, error=job.unreadable)
    token = _READING.set(True)
    try:
        if job.kind == CalendarKind.ICS:
            return _read_feed(http, settings, job, now)
        return _read_calendly(http, settings, job, now)
    except Exception as exc:  # one calendar's surprise never stops the pass
        log.exception("Calendar %s of mentor %s failed", job.connection_id, job.mentor_id)
        return _Outcome(job, error=f"Reading the calendar failed ({type(exc).__name__})")
    finally:
        _READING.reset(token)


def _fail(session: Session, c: CalendarConnection, outcome: _Outcome, now: datetime) -> None:
    assert outcome.error is not None
    c.last_error = outcome.error
    c.error_since = c.error_since or now
    kind = (
        AlertKind.CALENDAR_TOKEN_EXPIRED
        if outcome.token_rejected
        else AlertKind.CALENDAR_FEED_ERROR
    )
    what = (
        "Calendly token expired or revoked" if outcome.token_rejected else "calendar cannot be read"
    )
    raise_alert(
        session,
        kind,
        council_id=None,
        message=f"Mentor {c.mentor_id}: {what} ({c.label}): {outcome.error}",
        now=now,
        details={"mentorId": c.mentor_id, "calendarId": c.id, "error": outcome.error},
        dedupe_key=f"calendar-error:{c.id}:{c.error_since.isoformat()}",
    )
    log.info("Calendar %s of mentor %s: %s", c.id, c.mentor_id, outcome.error)


def _apply(
    session: Session, settings: Settings, outcome: _Outcome, now: datetime, report: RefreshReport
) -> None:
    c = session.get(CalendarConnection, outcome.job.connection_id)
    if c is None:
        return  # disconnected meanwhile
    interval = timedelta(minutes=settings.calendar_refresh_minutes)
    c.next_refresh_at = now + interval
    report.connection_ids.append(c.id)
    if outcome.error is not None:
        if outcome.retry_after is not None:
            c.next_refresh_at = now + timedelta(seconds=outcome.retry_after)
        _fail(session, c, outcome, now)
        report.failed += 1
        return
    c.last_refresh_at = now
    c.last_error = None
    c.error_since = None
    if outcome.unchanged:
        report.unchanged += 1
        return
    c.etag, c.last_modified = outcome.etag, outcome.last_modified
    if c.kind == CalendarKind.CALENDLY:
        c.external_user = outcome.external_user
        c.availability = outcome.availability
    new = replace_busy(session, c, outcome.busy or [])
    report.conflicts += raise_conflicts(session, c.mentor_id, new, now)
    report.refreshed += 1


def refresh_calendars(
    db: Database,
    settings: Settings,
    now: datetime,
    *,
    mentor_id: int | None = None,
    connection_ids: Sequence[int] | None = None,
    due_only: bool = True,
    http: httpx.Client | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> RefreshReport:
    """One pass at ``now`` over due connections (all of them with ``due_only=False``),
    narrowed to one mentor or to some connections."""
    report = RefreshReport()
    with db.read() as session:
        jobs = _jobs(session, settings, now, mentor_id, connection_ids, due_only)
    if not jobs:
        return report
    own = http is None
    client = http or httpx.Client(timeout=settings.calendar_timeout_seconds)
    try:
        workers = max(1, min(settings.calendar_fetch_workers, len(jobs)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="calendars") as pool:
            for lo in range(0, len(jobs), BATCH):
                chunk = jobs[lo : lo + BATCH]
                outcomes = list(pool.map(lambda j: _read(client, settings, j, now), chunk))
                with db.write() as session:
                    for outcome in outcomes:
                        try:
                            with session.begin_nested():
                                _apply(session, settings, outcome, now, report)
                        except Exception:  # one calendar's failure leaves the others' results
                            log.exception(
                                "Storing calendar %s of mentor %s failed",
                                outcome.job.connection_id,
                                outcome.job.mentor_id,
                            )
                            report.failed += 1
                    session.commit()
                if on_progress is not None:
                    on_progress(lo + len(chunk), len(jobs))
    finally:
        if own:
            client.close()
    return report


__all__ = ["RefreshReport", "refresh_calendars"]
