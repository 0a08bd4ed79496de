"""``PlatformClient``: the desktop's one way to talk to the platform's ``/api/v1``.

A plain synchronous :class:`httpx.Client` (house style 8): call it from a worker thread,
never the GUI thread. Documents are returned as the platform sends them — camelCase
``dict`` s, parsed straight from the response bytes without validation, because a full
sync moves 10,000 of them; :func:`parse_council` validates one against
:class:`~mentra_desktop.models.wire.councils.CouncilOut` where typed access is worth it.

Every method raises the errors of :mod:`mentra_desktop.client.errors` (re-exported here):
``TransportError``, ``RetryableStatus``, ``AuthExpired``, ``Refused``, ``VersionConflict``.
One client may be shared by threads; the event stream opens its own connection.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from mentra_desktop.client.errors import (
    AuthExpired,
    FieldError,
    PlatformError,
    Refused,
    RetryableStatus,
    TransportError,
    VersionConflict,
    error_for,
)
from mentra_desktop.client.events import EventStream, ServerEvent
from mentra_desktop.client.pages import split_page

if TYPE_CHECKING:
    from mentra_desktop.models.wire.councils import CouncilOut

__all__ = [
    "AuthExpired",
    "FieldError",
    "PlatformClient",
    "PlatformError",
    "Refused",
    "RetryableStatus",
    "Sent",
    "ServerEvent",
    "SyncPage",
    "TransportError",
    "VersionConflict",
    "parse_council",
]

API = "/api/v1"
USER_AGENT = "mentra-desktop/0.1"
STREAM_READ_TIMEOUT = 45.0
"""Seconds of silence after which the event stream counts as dead (the platform sends a
heartbeat every 15 s by default)."""

CouncilDoc = dict[str, Any]
_COUNCIL_PATH = re.compile(r"^/api/v1/councils/(\d+)(?:/|$)")


class SyncPage(TypedDict):
    """One page of ``GET /councils?since=``: councils changed after the cursor, oldest
    change first; pass ``nextCursor`` back until ``hasMore`` is false. ``total`` counts the
    councils still to come from the cursor the page was asked for (this page included).
    ``texts`` is not on the wire: each item's own JSON text, for the cache to store as is."""

    items: list[CouncilDoc]
    texts: list[str]
    nextCursor: int
    hasMore: bool
    total: int


@dataclass(frozen=True)
class Sent:
    """A write's 2xx answer: the status, the decoded JSON body (None when empty), the
    ETag when the platform sent one, and whether it was an Idempotency-Key replay."""

    status: int
    body: Any
    etag: str | None
    replayed: bool


def etag_version(etag: str | None) -> int | None:
    """``"7"`` (or ``W/"7"``) → 7; None for anything else."""
    if not etag:
        return None
    tag = etag.removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else None


def parse_council(doc: CouncilDoc) -> CouncilOut:
    """Validate one council document into the typed wire model (slow: not for bulk)."""
    from mentra_desktop.models.wire.councils import CouncilOut

    return CouncilOut.model_validate(doc)


class PlatformClient:
    """The platform at ``base_url``, as the user holding ``token``.

    ``timeout`` bounds connecting and each read or write of a normal request (seconds).
    ``transport`` is httpx's, for proxies or custom TLS; tests use real servers.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 15.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
        self._transport = transport
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=self._timeout,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            transport=transport,
        )
        self._token: str | None = None
        self.token = token
        self.user: dict[str, Any] | None = None
        """The signed-in user as ``login`` returned it (id, email, role, …)."""

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value
        if value:
            self._http.headers["Authorization"] = f"Bearer {value}"
        else:
            self._http.headers.pop("Authorization", None)

    # --- plumbing -----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        content = None
        send_headers = dict(headers or {})
        if json_body is not None:
            content = json.dumps(json_body, separators=(",", ":")).encode()
            send_headers["Content-Type"] = "application/json"
        try:
            response = self._http.request(
                method, path, params=params, content=content, headers=send_headers
            )
        except httpx.TransportError as exc:
            raise TransportError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return response
        error = error_for(response)
        if isinstance(error, VersionConflict):
            error = self._with_current(error, path)
        raise error

    def _with_current(self, error: VersionConflict, path: str) -> VersionConflict:
        match = _COUNCIL_PATH.match(path)
        if match is None:
            return error
        try:
            current, etag = self.council(int(match.group(1)))
        except PlatformError:
            return error
        return VersionConflict(error.detail, current, etag)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError as exc:
            raise PlatformError(f"not JSON from {response.request.url}: {exc}") from exc

    # --- reading --------------------------------------------------------------------------

    def login(self, email: str, password: str) -> str:
        """Sign in; keeps and returns the bearer token (``self.user`` is the user).

        Wrong credentials raise :class:`AuthExpired` (401); too many attempts
        :class:`RetryableStatus` (429 with ``retry_after``).
        """
        response = self._request(
            "POST", f"{API}/auth/login", json_body={"email": email, "password": password}
        )
        body = self._json(response)
        self.token = str(body["accessToken"])
        self.user = body.get("user")
        return self.token

    def me(self) -> dict[str, Any]:
        """The signed-in user with plan and mentor profile (``GET /me``)."""
        result: dict[str, Any] = self._json(self._request("GET", f"{API}/me"))
        return result

    def councils_page(self, since: int, limit: int = 1000) -> SyncPage:
        """Councils changed after cursor ``since`` (``GET /councils?since=&limit=``)."""
        response = self._request("GET", f"{API}/councils", params={"since": since, "limit": limit})
        try:
            envelope, items, texts = split_page(response.content)
        except ValueError as exc:
            raise PlatformError(f"not a council page: {exc}") from exc
        return SyncPage(
            items=items,
            texts=texts,
            nextCursor=int(envelope["nextCursor"]),
            hasMore=bool(envelope["hasMore"]),
            total=int(envelope["total"]),
        )

    def council(self, council_id: int) -> tuple[CouncilDoc, str | None]:
        """One council and its ETag (``"<version>"``)."""
        response = self._request("GET", f"{API}/councils/{council_id}")
        doc: CouncilDoc = self._json(response)
        return doc, response.headers.get("ETag")

    def decision(self, council_id: int) -> dict[str, Any]:
        """The platform's current engine decision for a council (``GET …/decision``)."""
        result: dict[str, Any] = self._json(
            self._request("GET", f"{API}/councils/{council_id}/decision")
        )
        return result

    # --- writing --------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path: str,
        json: Any = None,
        *,
        idempotency_key: str | None = None,
        if_match: int | str | None = None,
    ) -> Sent:
        """One write. ``if_match`` is a council version (sent as ``"<version>"``) or a raw
        ETag. A 412 raises :class:`VersionConflict` carrying the council's current document
        when ``path`` is under ``/api/v1/councils/{id}``."""
        headers: dict[str, str] = {}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"' if isinstance(if_match, int) else if_match
        response = self._request(method, path, json_body=json, headers=headers)
        return Sent(
            status=response.status_code,
            body=self._json(response),
            etag=response.headers.get("ETag"),
            replayed=response.headers.get("Idempotent-Replayed") == "true",
        )

    # --- the event stream -----------------------------------------------------------------

    def events(self, last_event_id: int | None) -> EventStream:
        """Open ``GET /events`` resuming after ``last_event_id`` (None: from now on).

        Returns an :class:`EventStream` (iterate it for :class:`ServerEvent` s; close it).
        The connection is its own, with a read timeout of :data:`STREAM_READ_TIMEOUT`.
        """
        headers = {"Accept": "text/event-stream", "User-Agent": USER_AGENT}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(STREAM_READ_TIMEOUT, connect=self._timeout.connect),
            transport=self._transport,
        )
        try:
            request = http.build_request("GET", f"{API}/events", headers=headers)
            response = http.send(request, stream=True)
        except httpx.TransportError as exc:
            http.close()
            raise TransportError(f"GET {API}/events: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            response.read()
            response.close()
            http.close()
            raise error_for(response)
        return EventStream(http, response, last_event_id or 0)

    # --- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
