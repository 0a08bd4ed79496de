"""A database that is down, slow or locked (finding: every endpoint answered
``500 text/plain`` and dropped keep-alive connections, ``/healthz`` said ok, and with a
table locked for 20 s every request — ``/healthz`` too — hung 20 s).

Now: statements and lock waits time out, a request answers 503 with the JSON error body
and ``Retry-After`` on a connection that stays open, ``/healthz`` touches nothing,
``/readyz`` reads the database, and the service recovers by itself when the database does.
Every pool of a process comes from one ``DB_POOL_SIZE`` budget.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from conftest import PG_HOST, PG_PORT, do_login, make_settings
from hardening_helpers import TcpProxy, serving
from sqlalchemy import exc as sa_exc
from sqlalchemy import text
from sqlalchemy.engine import make_url

from mentra_platform.core.db import make_database

LOGIN = "/api/v1/auth/login"
COORDINATOR = {"email": "coordinator@example.com", "password": "password123"}


@contextmanager
def _locked(database_url: str) -> Iterator[None]:
    """Another connection holds the lock every login needs (the failed-login table)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    with psycopg.connect(url.set(drivername="postgresql").render_as_string(False)) as pg:
        pg.execute("LOCK TABLE login_failures IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            pg.rollback()


def _local_port(response: httpx.Response) -> int:
    return int(response.extensions["network_stream"].get_extra_info("client_addr")[1])


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json() == {"detail": "The database is unavailable; retry shortly", "errors": []}
    assert response.headers.get("connection") != "close"


def test_a_locked_database_answers_503_fast_and_the_probes_stay_honest(database_url: str) -> None:
    settings = make_settings(database_url, db_lock_timeout_seconds=0.3, worker_threads=4)
    with serving(settings) as url, httpx.Client(base_url=url, timeout=5) as c:
        assert c.get("/readyz").json() == {"status": "ready"}
        with _locked(database_url):

            def login(_: int) -> httpx.Response:
                with httpx.Client(base_url=url, timeout=5) as own:
                    return own.post(LOGIN, json=COORDINATOR)

            started = time.monotonic()
            with ThreadPoolExecutor(10) as pool:  # more than the worker threads
                logins = [pool.submit(login, i) for i in range(10)]
                time.sleep(0.1)
                health_started = time.monotonic()
                health = c.get("/healthz")
                health_took = time.monotonic() - health_started
                answers = [f.result() for f in logins]
            took = time.monotonic() - started
            for r in answers:
                _assert_unavailable(r)
            assert took < 4, took
            assert health.status_code == 200 and health_took < 1, health_took
            # The keep-alive connection survives a 503.
            first = c.post(LOGIN, json=COORDINATOR)
            _assert_unavailable(first)
            assert _local_port(c.get("/healthz")) == _local_port(first)
            # The database itself answers (only one table is locked).
            assert c.get("/readyz").status_code == 200
        assert c.post(LOGIN, json=COORDINATOR).status_code == 200


@pytest.mark.postgres
def test_the_database_goes_down_and_comes_back(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("a database server that goes away: PostgreSQL")
    proxy = TcpProxy((PG_HOST, PG_PORT))
    proxy.start()
    proxied = make_url(database_url).set(port=proxy.port).render_as_string(False)
    settings = make_settings(proxied, db_connect_timeout_seconds=1, db_lock_timeout_seconds=0.5)
    try:
        with (
            serving(settings) as url,
            httpx.Client(base_url=url, timeout=5) as c,
            httpx.Client(base_url=url, timeout=5) as sse,
        ):
            headers = do_login(c, "coordinator@example.com")
            assert c.get("/api/v1/councils", headers=headers).status_code == 200
            with sse.stream("GET", "/api/v1/events", headers=headers) as stream:
                lines = stream.iter_lines()
                assert next(lines).startswith("retry")
                proxy.stop()

                started = time.monotonic()
                down = c.get("/api/v1/councils", headers=headers)
                _assert_unavailable(down)
                assert time.monotonic() - started < 3
                _assert_unavailable(c.post(LOGIN, json=COORDINATOR))
                assert c.get("/healthz").json() == {"status": "ok"}
                not_ready = c.get("/readyz")
                assert not_ready.status_code == 503 and "Retry-After" in not_ready.headers
                assert _local_port(not_ready) == _local_port(down)  # still the same connection

                # The open stream keeps beating (or says why it ends), it does not break.
                comments: list[str] = []
                until = time.monotonic() + 1.5
                for line in lines:
                    if line.startswith(":"):
                        comments.append(line[1:].strip())
                    if time.monotonic() > until or "closed" in "".join(comments):
                        break
                beats = [c for c in comments if not c.startswith("connected")]
                assert beats and set(beats) <= {"ping", "closed: database unavailable"}

            proxy.start()
            deadline = time.monotonic() + 10
            while c.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "not ready again"
                time.sleep(0.1)
            assert c.get("/api/v1/councils", headers=headers).status_code == 200
            assert c.post(LOGIN, json=COORDINATOR).status_code == 200
    finally:
        proxy.stop()


def test_every_pool_comes_from_one_budget_and_waits_a_bounded_time(database_url: str) -> None:
    settings = make_settings(database_url, db_pool_size=4, db_lock_timeout_seconds=0.2)
    db = make_database(settings)
    engines = list({id(e): e for e in (db.engine, db.write_engine, db.probe_engine)}.values())
    held: list[Any] = []
    try:
        for engine in engines:
            for _ in range(engine.pool.size()):  # type: ignore[attr-defined]
                held.append(engine.connect())
            started = time.monotonic()
            with pytest.raises(sa_exc.TimeoutError):
                engine.connect()
            assert time.monotonic() - started < 1
        assert len(held) == 4
    finally:
        for conn in held:
            conn.close()
        db.dispose()


@pytest.mark.postgres
def test_postgres_sessions_carry_statement_and_lock_timeouts(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL settings")
    settings = make_settings(database_url)
    db = make_database(settings)
    try:
        for engine in (db.engine, db.probe_engine):
            with engine.connect() as conn:
                assert conn.execute(text("SHOW statement_timeout")).scalar() == "15s"
                assert conn.execute(text("SHOW lock_timeout")).scalar() == "5s"
        # A statement past the limit is cut off (and answered 503), not waited for.
        with db.read() as session:
            session.execute(text("SET LOCAL statement_timeout = 100"))
            with pytest.raises(sa_exc.OperationalError):
                session.execute(text("SELECT pg_sleep(2)"))
    finally:
        db.dispose()


def test_healthz_answers_while_every_worker_thread_is_stuck(database_url: str) -> None:
    """Even with the request threads all waiting on the database, liveness answers.

    The requests wait up to the 2 s lock timeout; a /healthz that queued behind them would
    take over 1.5 s, so the 1 s bound tells the two apart with room for a loaded machine.
    """
    settings = make_settings(database_url, db_lock_timeout_seconds=2, worker_threads=2)

    def login(url: str) -> int:
        return httpx.post(url + LOGIN, json=COORDINATOR, timeout=10).status_code

    with serving(settings) as url, _locked(database_url), ThreadPoolExecutor(4) as pool:
        stuck = [pool.submit(login, url) for _ in range(4)]
        time.sleep(0.2)
        started = time.monotonic()
        assert httpx.get(url + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 1.0
        assert [f.result() for f in stuck] == [503] * 4
