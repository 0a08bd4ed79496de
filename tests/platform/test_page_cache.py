"""The list/sync page cache and the user cache: fast paths that must never serve stale or
someone else's data."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from mentra_desktop.models import User
from mentra_platform.http.page_cache import PageCache

Login = Callable[..., dict[str, str]]


def test_a_page_is_served_only_for_the_seq_it_was_built_at() -> None:
    cache = PageCache()
    cache.put("k", 7, b"seven")
    assert cache.get("k", 7) == b"seven"
    assert cache.get("k", 8) is None
    assert cache.get("other", 7) is None


def test_the_cache_is_bounded_by_entries_and_bytes() -> None:
    cache = PageCache(max_entries=3, max_bytes=10)
    for i in range(5):
        cache.put(i, 1, b"ab")
    assert len(cache) == 3
    assert cache.get(0, 1) is None and cache.get(4, 1) == b"ab"
    cache.put("big", 1, b"0123456789")
    assert cache.size_bytes <= 10
    cache.put("too-big", 1, b"x" * 11)
    assert cache.get("too-big", 1) is None


def test_concurrent_misses_build_a_page_once() -> None:
    cache = PageCache()
    builds = 0
    start = threading.Barrier(8)

    def build() -> bytes:
        nonlocal builds
        builds += 1
        time.sleep(0.05)
        return b"page"

    results: list[bytes] = []

    def ask() -> None:
        start.wait()
        results.append(cache.get_or_build("k", 1, build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b"page"] * 8
    assert builds == 1


def _collecting(client: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    page = client.get("/api/v1/councils", params={"status": "collecting"}, headers=headers)
    assert page.status_code == 200
    return dict(page.json()["items"][0])


def test_a_write_is_seen_by_the_next_list(client: httpx.Client, login: Login) -> None:
    headers = login(client, "coordinator@example.com")
    council = _collecting(client, headers)
    assert _collecting(client, headers) == council  # served twice: now cached
    url = f"/api/v1/councils/{council['id']}"
    etag = client.get(url, headers=headers).headers["ETag"]
    patched = client.patch(
        url, json={"coordinatorNotes": "Moved to Thursday"}, headers={**headers, "If-Match": etag}
    )
    assert patched.status_code == 200
    listed = client.get("/api/v1/councils", params={"limit": 1000}, headers=headers).json()
    fresh = next(c for c in listed["items"] if c["id"] == council["id"])
    assert fresh["coordinatorNotes"] == "Moved to Thursday"
    assert fresh["version"] > council["version"]
    # Another staff member shares the staff page and sees the write too.
    admin = login(client, "admin@example.com")
    assert _collecting(client, admin)["coordinatorNotes"] == "Moved to Thursday"


def test_pages_are_never_shared_across_visibility_scopes(
    client: httpx.Client, login: Login
) -> None:
    params = {"limit": 1000}
    admin = client.get(
        "/api/v1/councils", params=params, headers=login(client, "admin@example.com")
    )
    mentor = login(client, "mentor1@example.com")
    first = client.get("/api/v1/councils", params=params, headers=mentor).json()
    again = client.get("/api/v1/councils", params=params, headers=mentor).json()
    other = client.get(
        "/api/v1/councils", params=params, headers=login(client, "mentor2@example.com")
    ).json()
    assert admin.json()["total"] > first["total"]
    assert again == first
    assert all(10 in {m["mentorId"] for m in c["mentors"]} for c in first["items"])
    assert all(11 in {m["mentorId"] for m in c["mentors"]} for c in other["items"])
    assert {c["id"] for c in first["items"]} != {c["id"] for c in other["items"]}


@pytest.fixture
def short_user_cache(database_url: str) -> Iterator[tuple[str, Any]]:
    """A live server whose user cache forgets after 0.2 s."""
    from conftest import make_settings, start_server

    from mentra_platform.core.db import make_database

    settings = make_settings(database_url, user_cache_seconds=0.2)
    server, thread, url = start_server(settings)
    db = make_database(settings)
    try:
        yield url, db
    finally:
        server.should_exit = True
        thread.join(10)
        db.dispose()


def test_a_deactivated_user_is_refused_once_the_cache_forgets(
    short_user_cache: tuple[str, Any], login: Login
) -> None:
    url, db = short_user_cache
    with httpx.Client(base_url=url, timeout=10) as client:
        headers = login(client, "mentor3@example.com")
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        with db.write() as session:
            session.execute(
                update(User).where(User.email == "mentor3@example.com").values(is_active=False)
            )
            session.commit()
        time.sleep(0.3)
        assert client.get("/api/v1/me", headers=headers).status_code == 401
