"""Pure-ASGI middleware: who the client is, and how much body a request may send.

Both read the app's *current* settings (``app.state.settings``) on every request, so
:func:`mentra_platform.http.app.bind_state` can re-point a running app.

* :class:`ClientAddressMiddleware` sets ``scope["client"]`` to the address the login
  throttle counts. The peer address is the client unless the peer is one of
  ``Settings.trusted_proxies``; then ``X-Forwarded-For`` is read from the right, skipping
  trusted proxies, and the first other address is the client. Serve with uvicorn's own
  proxy handling off (``proxy_headers=False``, as ``mentra-platform serve`` does): it
  trusts 127.0.0.1 by default and would let anyone on the host pick their address.
* :class:`BodyLimitMiddleware` answers 413 with the JSON error body when
  ``Content-Length`` exceeds ``Settings.max_body_bytes`` — before the app runs or a byte
  of the body is read — and counts the bytes of a body without a length (chunked),
  answering 413 the moment the count passes the limit. The connection is closed after a
  413 instead of draining the rest of the body.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mentra_platform.core.config import Settings
from mentra_platform.http.errors import error_response

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _settings(scope: Scope) -> Settings:
    settings: Settings = scope["app"].state.settings
    return settings


@lru_cache(maxsize=32)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _parse_forwarded(value: str) -> str | None:
    """One ``X-Forwarded-For`` element as a bare address, or None when it is not one."""
    item = value.strip()
    if item.startswith("["):  # [v6]:port
        item = item[1:].partition("]")[0]
    elif item.count(":") == 1:  # v4:port
        item = item.partition(":")[0]
    try:
        return str(ipaddress.ip_address(item))
    except ValueError:
        return None


def client_address(peer: str | None, forwarded_for: list[str], proxies: tuple[str, ...]) -> str:
    """The client's address: ``peer`` unless it is a trusted proxy (see the module doc)."""
    networks = _networks(proxies)
    if peer is None or not networks or not _trusted(peer, networks):
        return peer or "unknown"
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    client = peer
    for hop in reversed(hops):
        address = _parse_forwarded(hop)
        if address is None:
            break  # garbage from beyond our proxies: trust nothing further left
        client = address
        if not _trusted(address, networks):
            break
    return client


class ClientAddressMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            peer = scope.get("client")
            forwarded = [
                value.decode("latin-1")
                for name, value in scope.get("headers", ())
                if name == b"x-forwarded-for"
            ]
            proxies = _settings(scope).trusted_proxies
            host = client_address(peer[0] if peer else None, forwarded, proxies)
            scope["client"] = (host, peer[1] if peer else 0)
        await self.app(scope, receive, send)


def _declared_length(scope: Scope) -> int | None:
    raw = Headers(scope=scope).get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    response = error_response(
        413,
        f"Request body larger than {limit} bytes",
        headers={"Connection": "close"},
    )
    await response(scope, receive, send)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = _settings(scope).max_body_bytes
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        started = False
        refused = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _refuse(scope, receive, send, limit)
                    # The app sees a client that went away; what it answers is dropped.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise
