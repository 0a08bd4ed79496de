"""Calendly API v2 client: the user, their busy times and their availability schedule.

* ``GET /users/me`` → the user's URI (kept on the connection, asked once).
* ``GET /user_busy_times?user&start_time&end_time``: at most 7 days per request and never
  starting in the past, so a window is walked in 7-day steps from just after ``now``.
* ``GET /user_availability_schedules?user``: the default schedule's time zone and rules.

429 waits ``Retry-After`` seconds (at most :data:`MAX_WAIT_SECONDS`, a few times) and
retries; a longer wait is :class:`RateLimited` so the refresh is tried again after it.
401 is :class:`TokenRejected`: the caller changes nothing and raises the expired-token
alert. Messages never carry the token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from mentra_platform.calendars.ranges import BusyRange, merged

WINDOW = timedelta(days=7)
LEAD = timedelta(minutes=1)
"""The first window starts this long after ``now``, so it is not in the past on arrival."""
MAX_WAIT_SECONDS = 30.0
MAX_RETRIES = 3


class CalendlyError(RuntimeError):
    """Calendly answered with something we cannot use (the message names no secret)."""


class TokenRejected(CalendlyError):
    """401: the personal access token is invalid, expired or revoked."""


class RateLimited(CalendlyError):
    """429 with a ``Retry-After`` longer than we wait in one refresh."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"Calendly asked us to wait {retry_after:.0f} s (rate limit)")
        self.retry_after = retry_after


@dataclass(frozen=True)
class CalendlyReading:
    """What one refresh read: the user URI, busy ranges and the availability schedule."""

    user_uri: str
    busy: list[BusyRange]
    availability: dict[str, Any] | None


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _instant(raw: Any, what: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        raise CalendlyError(f"Calendly sent an unreadable {what}: {str(raw)[:40]}") from None
    if value.tzinfo is None:
        raise CalendlyError(f"Calendly sent a {what} without a time zone")
    return value.astimezone(UTC)


class CalendlyClient:
    """One token's view of Calendly over one ``httpx.Client`` (the caller closes it)."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        token: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._sleep = sleep

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        for _attempt in range(MAX_RETRIES + 1):
            try:
                response = self._http.get(self._base + path, params=params, headers=self._headers)
            except httpx.HTTPError as exc:
                raise CalendlyError(
                    f"Calendly could not be reached ({type(exc).__name__})"
                ) from None
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait > MAX_WAIT_SECONDS:
                    raise RateLimited(wait)
                self._sleep(wait)
                continue
            if response.status_code == 401:
                raise TokenRejected("Calendly refused the access token (expired or revoked)")
            if response.status_code != 200:
                raise CalendlyError(f"Calendly answered {response.status_code} to {path}")
            try:
                body = response.json()
            except ValueError:
                raise CalendlyError(f"Calendly sent no JSON for {path}") from None
            if not isinstance(body, dict):
                raise CalendlyError(f"Calendly sent an unexpected document for {path}")
            return body
        raise RateLimited(MAX_WAIT_SECONDS)

    def user_uri(self) -> str:
        resource = self._get("/users/me").get("resource")
        uri = resource.get("uri") if isinstance(resource, dict) else None
        if not isinstance(uri, str) or not uri:
            raise CalendlyError("Calendly's /users/me names no user")
        return uri

    def busy_times(self, user: str, start: datetime, end: datetime) -> list[BusyRange]:
        """Busy ranges over ``[start, end)``, asked 7 days at a time."""
        out: list[BusyRange] = []
        lo = start
        while lo < end:
            hi = min(lo + WINDOW, end)
            body = self._get(
                "/user_busy_times",
                {"user": user, "start_time": _iso(lo), "end_time": _iso(hi)},
            )
            for item in body.get("collection") or []:
                if not isinstance(item, dict):
                    continue
                s = _instant(item.get("start_time"), "busy start")
                e = _instant(item.get("end_time"), "busy end")
                out.append(BusyRange(s, e))
            lo = hi
        return merged(out, start, end)

    def availability(self, user: str) -> dict[str, Any] | None:
        """The default availability schedule: ``{"timezone", "rules"}`` (``None``: none)."""
        body = self._get("/user_availability_schedules", {"user": user})
        schedules = [s for s in body.get("collection") or [] if isinstance(s, dict)]
        if not schedules:
            return None
        chosen = next((s for s in schedules if s.get("default")), schedules[0])
        return {
            "timezone": str(chosen.get("timezone") or "UTC"),
            "rules": chosen.get("rules") or [],
        }

    def read(self, user_uri: str | None, now: datetime, horizon: timedelta) -> CalendlyReading:
        """Everything one refresh needs, from ``now`` (plus a minute) to ``now + horizon``."""
        uri = user_uri or self.user_uri()
        start = (now + LEAD).replace(second=0, microsecond=0)
        busy = self.busy_times(uri, start, now + horizon)
        return CalendlyReading(uri, busy, self.availability(uri))


def _retry_after(response: httpx.Response) -> float:
    raw = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(raw))
    except ValueError:
        return MAX_WAIT_SECONDS + 1


__all__ = ["CalendlyClient", "CalendlyError", "CalendlyReading", "RateLimited", "TokenRejected"]
