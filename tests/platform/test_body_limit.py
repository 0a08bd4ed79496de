"""Request bodies are bounded (finding: 8 × 64 MiB login bodies took the server to 650 MiB):
413 with the JSON error body, before the body is read — by Content-Length, and by
counting a chunked body as it arrives."""

from __future__ import annotations

import json
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx

LOGIN = "/api/v1/auth/login"


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=3)
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed without a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _send_quietly(sock: socket.socket, data: bytes) -> bool:
    """Send; False once the server has closed its side (it answered early)."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def test_a_declared_huge_body_is_refused_before_it_is_sent(live_server: Any) -> None:
    limit = live_server.settings.max_body_bytes
    with _connect(live_server.url) as sock:
        sock.sendall(
            b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(64 * 1024 * 1024).encode() + b"\r\n\r\n" + b"{" * 1024
        )
        status, headers, body = _read_response(sock)  # 64 MiB never sent: no wait
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert headers.get("connection") == "close"
    assert json.loads(body) == {"detail": f"Request body larger than {limit} bytes", "errors": []}


def test_a_chunked_body_is_counted_and_refused_once_past_the_limit(live_server: Any) -> None:
    limit = live_server.settings.max_body_bytes
    chunk = b"x" * 65536
    with _connect(live_server.url) as sock:
        sock.sendall(
            b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sent = 0
        # Never the final chunk: a server that waits for the whole body never answers.
        while sent <= 2 * limit and _send_quietly(sock, b"10000\r\n" + chunk + b"\r\n"):
            sent += len(chunk)
        status, _headers, body = _read_response(sock)
    assert status == 413
    assert json.loads(body)["detail"] == f"Request body larger than {limit} bytes"


def test_bodies_under_the_limit_still_work(client: httpx.Client) -> None:
    body = {"email": "council@example.com", "password": "password123", "pad": "x" * 500_000}
    assert client.post(LOGIN, json=body).status_code == 200


def test_openapi_documents_413_and_503(client: httpx.Client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    login = paths[LOGIN]["post"]["responses"]
    assert "413" in login and "503" in login
    assert "Retry-After" in login["503"]["headers"]
    me = paths["/api/v1/me"]["get"]["responses"]
    assert "503" in me and "413" not in me
