"""Platform test fixtures: the real app under uvicorn on 127.0.0.1, over SQLite and PostgreSQL.

* ``live_server`` → :class:`LiveServer` (``.url``, ``.settings``, ``.session()`` a write
  session factory on the same database, ``.db``). Parametrised over ``sqlite`` and
  ``postgres``; the PostgreSQL case is skipped with a reason when 127.0.0.1:5432 does not
  answer. Each test gets a fresh copy of a database that was migrated and demo-seeded once
  per session (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL).
* ``db`` → a fresh seeded :class:`Database` with no server, for the domain services.
* ``client`` → ``httpx.Client`` bound to the server; ``login(client, email)`` → auth headers.
* Seeded accounts (password ``password123``): admin@example.com (1), coordinator@example.com
  (2), starter@example.com (3, no council plan), council@example.com (9, Council plan),
  mentor1…mentor40@example.com (ids 10…49).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from pathlib import Path

import httpx
import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from mentra_desktop.models import utcnow
from mentra_platform.core.config import Settings
from mentra_platform.core.db import Database, make_database
from mentra_platform.core.migrate import upgrade
from mentra_platform.core.security import password_hasher
from mentra_platform.http.app import bind_state, create_app
from mentra_platform.seed import DEMO_PASSWORD, seed_demo

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/test"
PREFIX = f"mentra_test_{os.getpid()}"

ADMIN = "admin@example.com"
COORDINATOR = "coordinator@example.com"
COUNCIL_USER = "council@example.com"
STARTER = "starter@example.com"
MENTORS = [f"mentor{n}@example.com" for n in range(1, 41)]
PASSWORD = DEMO_PASSWORD

# The moment the template databases were seeded; tests compute relative times from it.
SEEDED_AT: datetime = utcnow()


def make_settings(database_url: str, **overrides: object) -> Settings:
    """Test settings: cheap argon2, fast SSE polling, a fixed secret."""
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test-secret-key-not-for-production",
        "argon2_time_cost": 1,
        "argon2_memory_cost": 8,
        "argon2_parallelism": 1,
        "sse_poll_seconds": 0.05,
        "sse_heartbeat_seconds": 0.5,
        "token_ttl_seconds": 3600,
        # The automation confirms only slots this far ahead: a year keeps answers in the
        # general API tests from confirming a council by themselves (instant confirmation);
        # the coordination tests set the real notice.
        "confirmation_notice_hours": 24.0 * 366,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def _migrate_and_seed(url: str) -> None:
    upgrade(url)
    settings = make_settings(url)
    db = make_database(settings)
    try:
        with db.write() as session:
            seed_demo(session, password_hasher(settings), now=SEEDED_AT)
    finally:
        db.dispose()


def postgres_available() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            pass
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="test", connect_timeout=2
        ):
            return True
    except OSError:
        return False
    except psycopg.Error:
        return False


def _pg_admin(sql: str) -> None:
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def _pg_url(name: str) -> str:
    return f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, demo-seeded SQLite file, built once per session (WAL checkpointed)."""
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    url = f"sqlite:///{path}"
    _migrate_and_seed(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    return path


class _PgClones:
    """Clones of the seeded template, created one ahead in a background thread."""

    def __init__(self, template: str) -> None:
        self.template = template
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-clone")
        self._next: Future[str] = self._pool.submit(self._create)

    def _create(self) -> str:
        name = f"{PREFIX}_{next(_counter)}"
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {self.template} STRATEGY FILE_COPY")
        return name

    def take(self) -> str:
        name = self._next.result()
        self._next = self._pool.submit(self._create)
        return name

    def close(self) -> None:
        try:
            spare = self._next.result()
            _pg_admin(f"DROP DATABASE IF EXISTS {spare} WITH (FORCE)")
        finally:
            self._pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_clones(postgres_template: str) -> Iterator[_PgClones]:
    clones = _PgClones(postgres_template)
    try:
        yield clones
    finally:
        clones.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """Name of a migrated, demo-seeded PostgreSQL database to clone per test."""
    if not postgres_available():
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}")
    name = f"{PREFIX}_tmpl"
    _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _pg_admin(f"CREATE DATABASE {name}")
    try:
        _migrate_and_seed(_pg_url(name))
        yield name
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_counter = count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, seeded database for one test."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "mentra.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    clones: _PgClones = request.getfixturevalue("postgres_clones")
    name = clones.take()
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty (unmigrated) database for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    if not postgres_available():
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT}")
    name = f"{PREFIX}_empty_{next(_counter)}"
    _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@dataclass
class LiveServer:
    url: str
    settings: Settings
    db: Database

    def session(self) -> Session:
        """A session on the server's database, for checking or arranging rows."""
        return self.db.write()

    @property
    def sessionmaker(self) -> sessionmaker[Session]:
        return self.db.write

    @property
    def dialect(self) -> str:
        return self.db.dialect


def start_server(settings: Settings) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Run ``create_app(settings)`` under uvicorn in a thread on a free 127.0.0.1 port."""
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
        access_log=False,
        proxy_headers=False,  # as `mentra-platform serve`: the app reads X-Forwarded-For
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def _servers() -> Iterator[dict[str, tuple[uvicorn.Server, threading.Thread, str]]]:
    """One real uvicorn server per backend for the whole session (see ``live_server``)."""
    running: dict[str, tuple[uvicorn.Server, threading.Thread, str]] = {}
    yield running
    for server, _thread, _url in running.values():
        server.should_exit = True
    for _server, thread, _url in running.values():
        thread.join(10)


@pytest.fixture
def live_server(
    database_url: str, _servers: dict[str, tuple[uvicorn.Server, threading.Thread, str]]
) -> Iterator[LiveServer]:
    """The real app over HTTP on 127.0.0.1, pointed at this test's fresh database.

    The uvicorn server is started once per backend and re-bound to each test's database
    and settings (``bind_state``), which keeps a test's setup to a file copy.
    """
    settings = make_settings(database_url)
    backend = "postgres" if database_url.startswith("postgresql") else "sqlite"
    if backend not in _servers:
        _servers[backend] = start_server(settings)
    server, _thread, url = _servers[backend]
    app: FastAPI = server.config.app
    db = make_database(settings)
    bind_state(app, settings, db)
    try:
        yield LiveServer(url=url, settings=settings, db=db)
    finally:
        db.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A fresh seeded database with no server: for testing the domain services directly."""
    database = make_database(make_settings(database_url))
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def client(live_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        yield c


def do_login(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['accessToken']}"}


@pytest.fixture
def login() -> Callable[..., dict[str, str]]:
    """``login(client, email, password="password123")`` → ``{"Authorization": "Bearer …"}``."""
    return do_login


def slot_payload(days: int = 5, n: int = 3, hour: int = 14) -> list[dict[str, str]]:
    base = (SEEDED_AT + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return [{"start": (base + timedelta(days=i)).isoformat()} for i in range(n)]


@pytest.fixture
def make_slots() -> Callable[..., list[dict[str, str]]]:
    """``make_slots(days=5, n=3, hour=14)`` → proposed slot payloads (aware, one day apart)."""
    return slot_payload
