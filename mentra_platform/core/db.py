"""Engine and session factories.

SQLite: WAL journal, ``foreign_keys=ON``, a busy timeout, and a separate *write* engine
whose transactions start with ``BEGIN IMMEDIATE`` so two concurrent writers queue on the
lock instead of failing with a stale-snapshot error. PostgreSQL: one pooled engine for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mentra_platform.core.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=40,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def make_engine(url: str, settings: Settings | None = None) -> Engine:
    """A read/write engine for ``url`` with the pragmas or pool sizing it needs."""
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, immediate=False)
    return create_engine(
        url,
        pool_size=settings.db_pool_size if settings else 10,
        max_overflow=settings.db_max_overflow if settings else 20,
        pool_pre_ping=True,
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
    if engine.dialect.name == "sqlite":
        write_engine = _sqlite_engine(url, immediate=True)
        probe_engine = engine
    else:
        write_engine = engine
        probe_engine = create_engine(
            url,
            isolation_level="AUTOCOMMIT",
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_recycle=3600,
        )
    return Database(
        engine=engine,
        write_engine=write_engine,
        probe_engine=probe_engine,
        read=sessionmaker(engine, expire_on_commit=False),
        write=sessionmaker(write_engine, expire_on_commit=False),
    )
