"""Tiny HTTP servers of the tests' own, standing for third-party failures in front of the
platform: a gateway that answers "later" (503/429 with Retry-After) and a proxy that
forwards a write to the real platform but never returns the answer (a crash mid-send)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], state: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class Flaky:
    """Answers each write with the next scripted ``(status, headers, body)``; records the
    arrival time and Idempotency-Key of every request."""

    def __init__(self, script: list[tuple[int, dict[str, str], Any]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[float, str, str, str | None]] = []


class _FlakyHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        state: Flaky = self.server.state  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        key = self.headers.get("Idempotency-Key")
        state.requests.append((time.monotonic(), self.command, self.path, key))
        if self.command == "GET" or not state.script:
            status, headers, body = 404, {}, {"detail": "Not found", "errors": []}
        else:
            status, headers, body = state.script.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _answer


@contextmanager
def flaky_gateway(state: Flaky) -> Iterator[str]:
    with _serving(_FlakyHandler, state) as url:
        yield url


class Holding:
    """Forwards every request to ``upstream`` and, for writes, withholds the answer:
    ``applied`` is set once the platform has answered, and the client is left waiting."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.applied = threading.Event()
        self.release = threading.Event()
        self.statuses: list[int] = []


class _HoldingHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _forward(self) -> None:
        state: Holding = self.server.state  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        response = httpx.request(
            self.command, state.upstream + self.path, content=body, headers=headers, timeout=10
        )
        state.statuses.append(response.status_code)
        if self.command != "GET":
            state.applied.set()
            state.release.wait(30)  # the client is killed meanwhile
            return
        self.send_response(response.status_code)
        for name in ("Content-Type", "ETag"):
            if name in response.headers:
                self.send_header(name, response.headers[name])
        self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        self.wfile.write(response.content)

    do_GET = do_POST = do_PATCH = _forward


@contextmanager
def holding_proxy(state: Holding) -> Iterator[str]:
    with _serving(_HoldingHandler, state) as url:
        try:
            yield url
        finally:
            state.release.set()
