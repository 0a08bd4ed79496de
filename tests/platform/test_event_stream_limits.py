"""The event stream's limits: it ends when its token expires or its user is deactivated
(it used to outlive both), a user may hold only so many streams, and all streams of a
process share one poller of the change log (each used to poll the database itself)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
from conftest import do_login, make_settings
from hardening_helpers import serving
from sqlalchemy import event, update

from mentra_desktop.models import User
from mentra_platform.core.db import make_database
from mentra_platform.core.security import issue_token

EVENTS = "/api/v1/events"
Login = Callable[..., dict[str, str]]


def _comments_until_closed(lines: Iterator[str], within: float) -> list[str]:
    """The stream's comment lines until it ends; fails if it is still open after ``within``."""
    deadline = time.monotonic() + within
    seen: list[str] = []
    for line in lines:
        if line.startswith(":"):
            seen.append(line[1:].strip())
        assert time.monotonic() < deadline, f"stream still open after {within} s: {seen[-3:]}"
    return seen


def test_a_stream_ends_when_its_token_expires(live_server: Any) -> None:
    token = issue_token(live_server.settings.secret_key, 2, 2).token
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.Client(base_url=live_server.url, timeout=5) as sse,
        sse.stream("GET", EVENTS, headers=headers) as response,
    ):
        assert response.status_code == 200
        comments = _comments_until_closed(response.iter_lines(), within=5)
    assert comments[0].startswith("connected")
    assert comments[-1] == "closed: token expired"


def test_a_stream_ends_when_its_user_is_deactivated(database_url: str) -> None:
    settings = make_settings(database_url, user_cache_seconds=0.1)
    db = make_database(settings)
    try:
        with serving(settings) as url, httpx.Client(base_url=url, timeout=5) as sse:
            headers = do_login(sse, "mentor1@example.com")
            with sse.stream("GET", EVENTS, headers=headers) as response:
                assert response.status_code == 200
                lines = response.iter_lines()
                assert next(lines).startswith("retry")
                with db.write() as session:
                    session.execute(update(User).where(User.id == 10).values(is_active=False))
                    session.commit()
                comments = _comments_until_closed(lines, within=5)
            assert comments[-1] == "closed: user deactivated"
            assert sse.get(EVENTS, headers=headers).status_code == 401
    finally:
        db.dispose()


def test_streams_per_user_are_capped(database_url: str) -> None:
    settings = make_settings(database_url, sse_max_streams_per_user=2)
    with serving(settings) as url, ExitStack() as stack:
        sse = stack.enter_context(httpx.Client(base_url=url, timeout=5))
        mentor = do_login(sse, "mentor2@example.com")
        first = stack.enter_context(sse.stream("GET", EVENTS, headers=mentor))
        with sse.stream("GET", EVENTS, headers=mentor) as second:
            assert first.status_code == second.status_code == 200
            with sse.stream("GET", EVENTS, headers=mentor) as refused:
                assert refused.status_code == 429
                refused.read()
            assert int(refused.headers["Retry-After"]) >= 1
            assert refused.json()["detail"] == "At most 2 open event streams per user"
            # Someone else is not affected.
            other = do_login(sse, "coordinator@example.com")
            with sse.stream("GET", EVENTS, headers=other) as theirs:
                assert theirs.status_code == 200
        # A closed stream gives its place back.
        deadline = time.monotonic() + 3
        while True:
            with sse.stream("GET", EVENTS, headers=mentor) as again:
                if again.status_code == 200:
                    break
            assert time.monotonic() < deadline, "the closed stream kept its place"
            time.sleep(0.05)


def test_all_streams_share_one_poller(live_server: Any, login: Login) -> None:
    polls = 0
    lock = threading.Lock()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal polls
        if "change_events" in statement:
            with lock:
                polls += 1

    engines = {id(e): e for e in (live_server.db.engine, live_server.db.probe_engine)}
    for engine in engines.values():
        event.listen(engine, "before_cursor_execute", count)
    try:
        with httpx.Client(base_url=live_server.url, timeout=5) as c:
            users = [login(c, "coordinator@example.com"), login(c, "admin@example.com")]
        with ExitStack() as stack:
            streams: list[Iterator[str]] = []
            for headers in users * 3:
                client = stack.enter_context(httpx.Client(base_url=live_server.url, timeout=5))
                response = stack.enter_context(client.stream("GET", EVENTS, headers=headers))
                assert response.status_code == 200
                streams.append(response.iter_lines())
                assert next(streams[-1]).startswith("retry")
            time.sleep(0.2)
            with lock:
                polls = 0
            window = 1.0
            time.sleep(window)
            with lock:
                seen = polls
    finally:
        for engine in engines.values():
            event.remove(engine, "before_cursor_execute", count)
    one_poller = window / live_server.settings.sse_poll_seconds
    # Six streams polling for themselves made about six times this many.
    assert seen <= one_poller + 10, (seen, one_poller)
