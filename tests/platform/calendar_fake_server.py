"""A local stand-in for the third-party calendar services, over real HTTP on 127.0.0.1.

* Calendly API v2, as documented: ``GET /users/me``, ``GET /user_busy_times`` (``user``,
  ``start_time``, ``end_time``: 400 when the range is over 7 days or starts in the past by
  the server's own clock), ``GET /user_availability_schedules``; 401 for an unknown bearer
  token; 429 with ``Retry-After`` for the next ``throttle`` requests.
* iCalendar feeds at ``/feeds/<name>`` with an ``ETag`` and ``Last-Modified``, answering
  ``If-None-Match`` / ``If-Modified-Since`` with 304.

Every request is recorded (``requests``: method, path, query) so tests can count them.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class CalendlyUser:
    uri: str
    busy: list[tuple[datetime, datetime]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Feed:
    body: bytes
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    modified: datetime = field(default_factory=lambda: datetime(2027, 1, 1, tzinfo=UTC))
    location: str | None = None
    """Answer 302 to this address instead."""

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class FakeCalendarServer:
    def __init__(self) -> None:
        self.tokens: dict[str, CalendlyUser] = {}
        self.feeds: dict[str, Feed] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.throttle = 0
        self.retry_after = "1"
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def feed_url(self, name: str) -> str:
        return f"{self.url}/feeds/{name}"

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _m, p, _q in self.requests if p == path)

    # --- handling -----------------------------------------------------------------------

    def _send(
        self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]
    ) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _json(self, h: BaseHTTPRequestHandler, status: int, doc: Any, **headers: str) -> None:
        self._send(
            h, status, json.dumps(doc).encode(), {"Content-Type": "application/json", **headers}
        )

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        query = parse_qs(parts.query)
        with self.lock:
            self.requests.append(("GET", parts.path, query))
        if parts.path.startswith("/feeds/"):
            self._feed(h, parts.path.removeprefix("/feeds/"))
            return
        with self.lock:
            throttled = self.throttle > 0
            if throttled:
                self.throttle -= 1
        if throttled:
            self._json(h, 429, {"title": "Too Many Requests"}, **{"Retry-After": self.retry_after})
            return
        auth = h.headers.get("Authorization", "")
        user = self.tokens.get(auth.removeprefix("Bearer "))
        if user is None:
            self._json(
                h, 401, {"title": "Unauthenticated", "message": "The access token is invalid"}
            )
            return
        if parts.path == "/users/me":
            self._json(h, 200, {"resource": {"uri": user.uri, "timezone": "Europe/Berlin"}})
        elif parts.path == "/user_busy_times":
            self._busy(h, user, query)
        elif parts.path == "/user_availability_schedules":
            if query.get("user") != [user.uri]:
                self._json(h, 403, {"title": "Permission Denied"})
                return
            self._json(h, 200, {"collection": user.schedules})
        else:
            self._json(h, 404, {"title": "Resource Not Found"})

    def _busy(
        self, h: BaseHTTPRequestHandler, user: CalendlyUser, query: dict[str, list[str]]
    ) -> None:
        try:
            start = datetime.fromisoformat(query["start_time"][0].replace("Z", "+00:00"))
            end = datetime.fromisoformat(query["end_time"][0].replace("Z", "+00:00"))
        except (KeyError, ValueError):
            self._json(
                h, 400, {"title": "Invalid Argument", "message": "start_time and end_time required"}
            )
            return
        if query.get("user") != [user.uri]:
            self._json(h, 403, {"title": "Permission Denied"})
            return
        if start < datetime.now(UTC):
            self._json(
                h, 400, {"title": "Invalid Argument", "message": "start_time must be in the future"}
            )
            return
        if end - start > timedelta(days=7) or end <= start:
            self._json(
                h,
                400,
                {
                    "title": "Invalid Argument",
                    "message": "date range can be no greater than 1 week (7 days)",
                },
            )
            return
        items = [
            {
                "type": "calendly",
                "start_time": s.isoformat().replace("+00:00", "Z"),
                "end_time": e.isoformat().replace("+00:00", "Z"),
                "buffered_start_time": None,
            }
            for s, e in user.busy
            if s < end and e > start
        ]
        self._json(h, 200, {"collection": items})

    def _feed(self, h: BaseHTTPRequestHandler, name: str) -> None:
        feed = self.feeds.get(name)
        if feed is None:
            self._send(h, 404, b"Not Found", {"Content-Type": "text/plain"})
            return
        if feed.location is not None:
            self._send(h, 302, b"", {"Location": feed.location})
            return
        if feed.status != 200:
            self._send(h, feed.status, b"error", {"Content-Type": "text/plain"})
            return
        validators = {
            "ETag": feed.etag,
            "Last-Modified": format_datetime(feed.modified, usegmt=True),
        }
        if h.headers.get("If-None-Match") == feed.etag:
            self._send(h, 304, b"", validators)
            return
        self._send(h, 200, feed.body, {"Content-Type": feed.content_type, **validators})
