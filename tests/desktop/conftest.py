"""Desktop test fixtures: no real user directories or keyring, and a real platform on 127.0.0.1.

* Every test gets ``MENTRA_DESKTOP_HOME`` = a fresh temporary directory (``get_settings()``
  re-read), and keyring's ``fail`` backend, so nothing touches the user's real settings,
  cache or keyring.
* ``live_platform`` → :class:`RunningPlatform`: the real platform app under uvicorn in a
  thread, over a fresh copy of a SQLite database migrated and demo-seeded once per session
  (the server itself is started once and re-pointed at each test's copy).
* ``serve_platform(database_url, port=0)`` (a fixture returning a function) →
  :class:`ServerHandle` with ``url``, ``port`` and ``stop()``, for tests that take the
  platform down and bring it back on the same port; whatever is still running at the end
  of the test is stopped.

The platform is imported lazily, so tests that never ask for it do not pay for it.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from platform_support import build_seeded_sqlite, platform_settings

from mentra_desktop.client.paths import HOME_ENV, get_settings

os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

COORDINATOR = "coordinator@example.com"
ADMIN = "admin@example.com"
PASSWORD = "password123"


@pytest.fixture(autouse=True)
def _desktop_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every desktop directory at a per-test temporary home."""
    home = tmp_path / "desktop-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def platform_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, demo-seeded SQLite platform database, built once per session."""
    return build_seeded_sqlite(tmp_path_factory.mktemp("platform-template") / "seeded.db")


@pytest.fixture
def platform_db_url(platform_template: Path, tmp_path: Path) -> str:
    """A fresh copy of the seeded platform database for this test."""
    target = tmp_path / "platform.db"
    shutil.copyfile(platform_template, target)
    return f"sqlite:///{target}"


@dataclass
class ServerHandle:
    """A uvicorn server running the platform app in a thread."""

    url: str
    port: int
    server: Any
    thread: threading.Thread
    db: Any

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        self.db.dispose()


def start_platform(database_url: str, port: int = 0, **overrides: Any) -> ServerHandle:
    """Run the platform over ``database_url`` on 127.0.0.1:``port`` (0: a free one);
    ``overrides`` are platform settings (e.g. ``sse_heartbeat_seconds=30``)."""
    import uvicorn

    from mentra_platform.core.db import make_database
    from mentra_platform.http.app import create_app

    settings = platform_settings(database_url, **overrides)
    db = make_database(settings)
    app = create_app(settings, db)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    bound = int(sock.getsockname()[1])
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return ServerHandle(f"http://127.0.0.1:{bound}", bound, server, thread, db)


@pytest.fixture(scope="session")
def _shared_platform(platform_template: Path) -> Iterator[ServerHandle]:
    handle = start_platform(f"sqlite:///{platform_template}")
    yield handle
    handle.stop()


def login(url: str, email: str = COORDINATOR, password: str = PASSWORD) -> str:
    response = httpx.post(
        f"{url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["accessToken"])


@dataclass
class RunningPlatform:
    """The platform for one test: ``url``, ``database_url``, and helpers to act on it as
    "another client" (plain httpx, not the desktop's client)."""

    url: str
    database_url: str
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, email: str = COORDINATOR) -> str:
        if email not in self._tokens:
            self._tokens[email] = login(self.url, email)
        return self._tokens[email]

    def http(self, email: str = COORDINATOR) -> httpx.Client:
        """An httpx client signed in as ``email`` (close it, or use ``with``)."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.token(email)}"},
            timeout=10,
        )


@pytest.fixture
def live_platform(
    _shared_platform: ServerHandle, platform_db_url: str
) -> Iterator[RunningPlatform]:
    """The real platform over HTTP on 127.0.0.1, on this test's fresh database."""
    from mentra_platform.core.db import make_database
    from mentra_platform.http.app import bind_state

    settings = platform_settings(platform_db_url)
    db = make_database(settings)
    bind_state(_shared_platform.server.config.app, settings, db)
    try:
        yield RunningPlatform(_shared_platform.url, platform_db_url)
    finally:
        db.dispose()


@pytest.fixture
def serve_platform() -> Iterator[Callable[..., ServerHandle]]:
    """``serve_platform(database_url, port=0, **settings)`` → a running :class:`ServerHandle`."""
    handles: list[ServerHandle] = []

    def serve(database_url: str, port: int = 0, **overrides: Any) -> ServerHandle:
        handle = start_platform(database_url, port, **overrides)
        handles.append(handle)
        return handle

    yield serve
    for handle in handles:
        if handle.thread.is_alive():
            handle.stop()
