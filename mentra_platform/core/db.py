"""Engine and session factories.

SQLite: WAL journal, ``foreign_keys=ON``, a busy timeout, and a separate *write* engine
whose transactions start with ``BEGIN IMMEDIATE`` so two concurrent writers queue on the
lock instead of failing with a stale-snapshot error; the database file (and so its
``-wal``/``-shm``, which SQLite creates with the file's mode) is private (0600) in a 0700
directory. PostgreSQL: one pooled engine for sessions and an autocommit one for probes,
each connection with a connect, statement and lock timeout.

Every pool of a process is carved from ``Settings.db_pool_size`` (:func:`pool_shares`) with
no overflow, and waits at most ``db_lock_timeout_seconds`` for a free connection, so a
process never holds more connections than its budget and a request never waits forever.
:func:`is_unavailable` tells a database that is down, slow or saturated (answer 503 and
retry) from a bug.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mentra_platform.core.config import Settings

MIGRATION_LOCK_TIMEOUT_SECONDS = 10.0
"""SQLite busy timeout of an engine made without settings (migrations, tools)."""
SETTINGS_INFO = "settings"
"""The key of the :class:`Settings` in ``Session.info`` of every session a :class:`Database`
makes: what a query needs of the deployment (the council document's invite UID domain and
organizer, :mod:`mentra_platform.councils.documents`) without every caller passing it."""


def is_unavailable(exc: BaseException) -> bool:
    """True for errors that mean "the database cannot answer now": it refuses connections,
    a connection died, a statement or lock wait timed out, or the pool stayed empty."""
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def pool_shares(settings: Settings, dialect: str) -> tuple[int, int]:
    """Split the process's connection budget: ``(sessions, probes)`` on PostgreSQL,
    ``(reads, writes)`` on SQLite."""
    total = max(2, settings.db_pool_size)
    if dialect == "sqlite":
        writes = max(2, total // 3)
        return max(1, total - writes), writes
    probes = max(1, total // 4)
    return max(1, total - probes), probes


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name)


def make_private(path: Path) -> None:
    """Create the database file 0600 (its directory 0700 when we create it) and tighten an
    existing file and its ``-wal``/``-shm`` to 0600: they hold password hashes.

    A path that cannot be created is left to SQLite, whose connect error is the one a
    request (503) or the readiness probe reports.
    """
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        return
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if candidate.stat().st_mode & 0o077:
                os.chmod(candidate, 0o600)
        except (FileNotFoundError, PermissionError):
            continue


def _sqlite_engine(url: str, *, immediate: bool, pool_size: int, lock_timeout: float) -> Engine:
    path = sqlite_file(url)
    if path is not None:
        make_private(path)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": lock_timeout},
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=lock_timeout,
    )
    busy_ms = int(lock_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _pg_connect_args(settings: Settings) -> dict[str, Any]:
    def ms(seconds: float) -> int:
        return max(1, int(seconds * 1000))

    return {
        "connect_timeout": max(1, math.ceil(settings.db_connect_timeout_seconds)),
        "options": (
            f"-c statement_timeout={ms(settings.db_statement_timeout_seconds)}"
            f" -c lock_timeout={ms(settings.db_lock_timeout_seconds)}"
        ),
    }


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """A read/write engine for ``url``; without ``settings`` (migrations) no timeouts but
    SQLite's busy wait."""
    dialect = make_url(url).get_backend_name()
    if settings is None:
        if dialect == "sqlite":
            return _sqlite_engine(
                url, immediate=False, pool_size=5, lock_timeout=MIGRATION_LOCK_TIMEOUT_SECONDS
            )
        return create_engine(url, pool_pre_ping=True)
    sessions, _other = pool_shares(settings, dialect)
    if dialect == "sqlite":
        return _sqlite_engine(
            url, immediate=False, pool_size=sessions, lock_timeout=settings.db_lock_timeout_seconds
        )
    return create_engine(
        url,
        pool_size=sessions,
        max_overflow=0,
        pool_timeout=settings.db_lock_timeout_seconds,
        pool_pre_ping=True,
        connect_args=_pg_connect_args(settings),
    )


@dataclass
class Database:
    """The engines and session factories of one app instance.

    ``read`` for GETs (never takes the write lock on SQLite), ``write`` for anything
    that changes data. On PostgreSQL both use the same engine.
    """

    engine: Engine
    write_engine: Engine
    read: sessionmaker[Session]
    write: sessionmaker[Session]
    probe_engine: Engine
    """Single-statement reads with no transaction around them (PostgreSQL autocommit, no
    pre-ping): one round trip for "has anything changed?" checks on hot paths."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        for engine in {
            id(e): e for e in (self.engine, self.write_engine, self.probe_engine)
        }.values():
            engine.dispose()


def make_database(settings: Settings) -> Database:
    url = settings.database_url
    engine = make_engine(url, settings)
    _sessions, other = pool_shares(settings, engine.dialect.name)
    if engine.dialect.name == "sqlite":
        write_engine = _sqlite_engine(
            url, immediate=True, pool_size=other, lock_timeout=settings.db_lock_timeout_seconds
        )
        probe_engine = engine
    else:
        write_engine = engine
        probe_engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_size=other,
            max_overflow=0,
            pool_timeout=settings.db_lock_timeout_seconds,
            pool_recycle=3600,
            connect_args=_pg_connect_args(settings),
        )
    return Database(
        engine=engine,
        write_engine=write_engine,
        probe_engine=probe_engine,
        read=sessionmaker(engine, expire_on_commit=False, info={SETTINGS_INFO: settings}),
        write=sessionmaker(write_engine, expire_on_commit=False, info={SETTINGS_INFO: settings}),
    )
