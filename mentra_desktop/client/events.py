"""Reading the platform's ``GET /api/v1/events`` server-sent event stream.

:class:`EventStream` is an iterator of :class:`ServerEvent` over one open connection. The
``id:`` field is the platform's change cursor. Comment lines (the ``: connected at N``
greeting and the ``: ping`` heartbeats) are yielded as events named :data:`HEARTBEAT`
carrying the last id seen, so a consumer regains control at least once per heartbeat
interval. :meth:`EventStream.interrupt` may be called from another thread: it shuts the socket
down, which wakes a reader blocked in ``recv`` at once.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from types import TracebackType
from typing import Any, NamedTuple

import httpx

from mentra_desktop.client.errors import PlatformError, TransportError

HEARTBEAT = "heartbeat"


class ServerEvent(NamedTuple):
    """One event: ``id`` the change cursor, ``event`` its kind (``council.updated`` …),
    ``data`` the decoded JSON (``{"seq", "kind", "councilId", "entity", "entityId", "at",
    "payload"}``). Heartbeats: ``event == HEARTBEAT``, ``data == {}``."""

    id: int
    event: str
    data: dict[str, Any]


class EventStream:
    """An open event stream; iterate it, and close it (``with`` or :meth:`close`)."""

    def __init__(self, http: httpx.Client, response: httpx.Response, last_id: int) -> None:
        self._http = http
        self._response = response
        self._last_id = last_id
        self._closed = False

    @property
    def last_id(self) -> int:
        """The id of the last event read (the ``Last-Event-ID`` to resume from)."""
        return self._last_id

    def __iter__(self) -> Iterator[ServerEvent]:
        fields: dict[str, str] = {}
        data: list[str] = []
        try:
            for line in self._response.iter_lines():
                if line.startswith(":"):
                    yield ServerEvent(self._last_id, HEARTBEAT, {})
                    continue
                if line == "":
                    event = self._dispatch(fields, data)
                    fields, data = {}, []
                    if event is not None:
                        yield event
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "data":
                    data.append(value)
                else:
                    fields[name] = value
        except httpx.TransportError as exc:
            if self._closed:
                return
            raise TransportError(f"event stream lost: {exc}") from exc
        except httpx.StreamError as exc:  # closed under us from another thread
            if self._closed:
                return
            raise TransportError(f"event stream lost: {exc}") from exc
        if not self._closed:
            raise TransportError("event stream ended by the server")

    def _dispatch(self, fields: dict[str, str], data: list[str]) -> ServerEvent | None:
        raw_id = fields.get("id")
        if raw_id is not None and raw_id.isdigit():
            self._last_id = int(raw_id)
        if not data:
            return None  # e.g. a lone "retry:" field
        try:
            decoded = json.loads("\n".join(data))
        except ValueError as exc:
            raise PlatformError(f"malformed event data: {exc}") from exc
        payload = decoded if isinstance(decoded, dict) else {"value": decoded}
        return ServerEvent(self._last_id, fields.get("event", "message"), payload)

    def interrupt(self) -> None:
        """Wake and end the iteration from another thread (shuts the socket down).

        The owner thread still calls :meth:`close` (or leaves the ``with`` block).
        """
        self._closed = True
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):  # already shut down or closed
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Release the connection; call from the thread that iterates."""
        self._closed = True
        try:
            self._response.close()
        finally:
            self._http.close()

    def __enter__(self) -> EventStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
