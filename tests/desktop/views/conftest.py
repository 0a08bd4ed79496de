"""View test fixtures: a real platform on 127.0.0.1, fresh desktop dirs, strict Qt.

* Every view test fails on a Qt warning (``qt_log_level_fail("WARNING")``, as pyqtgraph
  does) and on a thread it started and left running (napari's ``_dangling_qthreads``,
  here for Python threads: the task manager's executors and the sync stream).
* ``MENTRA_DESKTOP_HOME`` points at the test's own directory, so QSettings, the cache,
  the outbox and credentials never touch the user's real ones.
* ``platform`` → :class:`Platform`: the real FastAPI app under uvicorn in a thread,
  started once per session and re-bound per test to a fresh copy of one migrated,
  demo-seeded SQLite file (built once per session).
* ``council_docs``: the seeded council documents as the coordinator sees them, fetched
  once per session, for model tests that need no server of their own.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from desktop_live import TcpProxy, build_desktop
from fastapi import FastAPI
from platform_support import build_seeded_sqlite, platform_settings

from mentra_desktop.views.desktop import Desktop
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database, make_database
from mentra_platform.http.app import bind_state, create_app
from mentra_platform.seed import DEMO_PASSWORD

COORDINATOR = "coordinator@example.com"
ADMIN = "admin@example.com"
PASSWORD = DEMO_PASSWORD
SEEDED_AT = datetime.now(UTC).replace(microsecond=0)


_HERE = Path(__file__).parent
_SERVER_THREADS = ("AnyIO worker thread", "asyncio_", "views-uvicorn", "password-check")
"""Threads of the in-process platform server (its threadpool grows on demand)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform plugin's own note about window size hints.
            item.add_marker(pytest.mark.qt_log_ignore("propagateSizeHints"))


@pytest.fixture(autouse=True)
def _fresh_desktop_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "desktop-home"
    monkeypatch.setenv("MENTRA_DESKTOP_HOME", str(home))
    monkeypatch.setenv("MENTRA_DESKTOP_TZ", "Europe/Berlin")
    monkeypatch.delenv("MENTRA_PLATFORM_URL", raising=False)
    try:
        from mentra_desktop.client.paths import get_settings
    except ImportError:
        pass
    else:
        get_settings.cache_clear()
    return home


@pytest.fixture(autouse=True)
def _dangling_threads() -> Iterator[None]:
    """Fail a test that leaves a thread it started running (give them 2 s to finish)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2
    while True:
        left = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and not t.name.startswith(_SERVER_THREADS)
        ]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not left, f"threads left running: {[t.name for t in left]}"


def make_settings(url: str, **overrides: Any) -> Settings:
    settings: Settings = platform_settings(url, **overrides)
    return settings


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, demo-seeded SQLite file (built once per session)."""
    path = tmp_path_factory.mktemp("views-template") / "seeded.db"
    return build_seeded_sqlite(path, now=SEEDED_AT)


def start_server(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", timeout_graceful_shutdown=1, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="views-uvicorn"
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


@dataclass
class Platform:
    url: str
    settings: Settings
    db: Database

    def login(self, email: str = COORDINATOR) -> str:
        """A bearer token for ``email`` (password ``password123``)."""
        response = httpx.post(
            f"{self.url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        return str(response.json()["accessToken"])

    def http(self, email: str = COORDINATOR) -> httpx.Client:
        """Another client of the same platform (another coordinator's desktop, a mentor)."""
        return httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {self.login(email)}"},
            timeout=10,
        )


@pytest.fixture(scope="session")
def _views_server(
    seeded_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[uvicorn.Server, threading.Thread, str]]:
    target = tmp_path_factory.mktemp("views-server") / "boot.db"
    shutil.copyfile(seeded_template, target)
    server, thread, url = start_server(make_settings(f"sqlite:///{target}"))
    yield server, thread, url
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def platform(
    _views_server: tuple[uvicorn.Server, threading.Thread, str],
    seeded_template: Path,
    tmp_path: Path,
) -> Iterator[Platform]:
    """The real platform over HTTP on 127.0.0.1, on this test's fresh copy of the seed."""
    target = tmp_path / "platform.db"
    shutil.copyfile(seeded_template, target)
    settings = make_settings(f"sqlite:///{target}")
    server, _thread, url = _views_server
    app: FastAPI = server.config.app
    db = make_database(settings)
    bind_state(app, settings, db)
    try:
        yield Platform(url=url, settings=settings, db=db)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def council_docs(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    """Every seeded council document, as the coordinator reads it (fetched once)."""
    target = tmp_path_factory.mktemp("views-docs") / "docs.db"
    shutil.copyfile(seeded_template, target)
    server, thread, url = start_server(make_settings(f"sqlite:///{target}"))
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            token = client.post(
                "/api/v1/auth/login", json={"email": COORDINATOR, "password": PASSWORD}
            ).json()["accessToken"]
            page = client.get(
                "/api/v1/councils",
                params={"since": 0, "limit": 1000},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
    finally:
        server.should_exit = True
        thread.join(10)
    assert not page["hasMore"]
    return list(page["items"])


@pytest.fixture
def proxy(platform: Platform) -> Iterator[TcpProxy]:
    """A cuttable network path from the app to the platform."""
    path = TcpProxy(int(platform.url.rsplit(":", 1)[1]))
    try:
        yield path
    finally:
        path.close()


@pytest.fixture
def open_app(qtbot: Any, proxy: TcpProxy) -> Iterator[Callable[..., Desktop]]:
    """``open_app(email=COORDINATOR, stream=True)`` → the real app, shown (offscreen), synced
    from the platform through :func:`proxy`; closed (threads joined) after the test."""
    opened: list[Desktop] = []

    def make(email: str = COORDINATOR, stream: bool = True, wait: bool = True) -> Desktop:
        desktop = build_desktop(proxy.url, email)
        opened.append(desktop)
        qtbot.addWidget(desktop.window)
        desktop.window.show()
        desktop.controller.start(stream=stream)
        if wait:
            qtbot.waitUntil(lambda: desktop.window.grid_model.rowCount() == 60, timeout=15_000)
        return desktop

    yield make
    for desktop in opened:
        desktop.close()


@pytest.fixture
def short_tokens(
    platform: Platform, _views_server: tuple[uvicorn.Server, threading.Thread, str]
) -> float:
    """Re-bind the platform so bearer tokens live 2 s; returns that lifetime."""
    lifetime = 2
    settings = make_settings(platform.settings.database_url, token_ttl_seconds=lifetime)
    bind_state(_views_server[0].config.app, settings, platform.db)
    return float(lifetime)
