"""Syncer against a real platform: full sync, catch-up, the live stream, reconnecting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from client_helpers import signed_in, wait_for

from mentra_desktop.client import writes
from mentra_desktop.client.api import parse_council
from mentra_desktop.client.backoff import Backoff
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.outbox import Outbox
from mentra_desktop.client.sync import OFFLINE, ONLINE, STOPPED, Syncer


def _platform_list(http: httpx.Client) -> dict[int, dict[str, Any]]:
    body = http.get("/api/v1/councils", params={"limit": 1000}).json()
    assert not body["hasMore"]
    return {c["id"]: c for c in body["items"]}


def _patch_notes(http: httpx.Client, council_id: int, text: str) -> dict[str, Any]:
    current = http.get(f"/api/v1/councils/{council_id}")
    response = http.patch(
        f"/api/v1/councils/{council_id}",
        json={"coordinatorNotes": text},
        headers={"If-Match": current.headers["ETag"]},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_full_sync_fills_the_cache_with_the_platform_list(
    live_platform: Any, tmp_path: Path
) -> None:
    client = signed_in(live_platform.url)
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    calls: list[tuple[int, int]] = []

    result = Syncer(client, cache, page_size=25).full_sync(lambda d, t: calls.append((d, t)))

    with live_platform.http() as http:
        expected = _platform_list(http)
    assert len(expected) == 60
    assert {d["id"]: d for d in cache.documents()} == expected
    assert calls == [(25, 60), (50, 60), (60, 60)]
    assert result.received == 60 and sorted(result.changed) == sorted(expected)
    assert cache.cursor == max(d["changeSeq"] for d in expected.values()) == result.cursor
    assert cache.last_change_at is not None
    parse_council(cache.documents()[0])  # the cached text is still the wire document
    # A second full sync from the stored cursor finds nothing new.
    again = Syncer(client, cache).full_sync()
    assert again.received == 0 and again.changed == []


def test_cancelled_full_sync_resumes_where_it_stopped(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    pages: list[int] = []
    syncer = Syncer(client, cache, page_size=20)

    first = syncer.full_sync(lambda d, t: pages.append(d), cancelled=lambda: len(pages) == 2)

    assert first.cancelled and first.received == 40 and cache.count() == 40
    assert syncer.catch_up() and cache.count() == 60


def test_catch_up_brings_another_clients_write(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    syncer = Syncer(client, cache)
    syncer.full_sync()
    target = cache.documents()[7]["id"]
    with live_platform.http() as other:
        after = _patch_notes(other, target, "changed elsewhere")

    assert syncer.catch_up() == [target]

    assert cache.document(target) == after
    assert cache.cursor == after["changeSeq"]
    assert syncer.catch_up() == []


def _run_in_thread(
    syncer: Syncer, stop: threading.Event
) -> tuple[threading.Thread, list[list[int]], list[str]]:
    changes: list[list[int]] = []
    states: list[str] = []
    thread = threading.Thread(
        target=syncer.run_stream, args=(stop, changes.append, states.append), daemon=True
    )
    thread.start()
    return thread, changes, states


def test_stream_delivers_a_change_from_another_client(live_platform: Any, tmp_path: Path) -> None:
    client = signed_in(live_platform.url)
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    syncer = Syncer(client, cache)
    syncer.full_sync()
    target = cache.documents()[3]["id"]
    stop = threading.Event()
    thread, changes, states = _run_in_thread(syncer, stop)
    try:
        wait_for(lambda: ONLINE in states, what="the stream to open")
        with live_platform.http() as other:
            after = _patch_notes(other, target, "live from elsewhere")
        wait_for(lambda: [target] in changes, what="the change to arrive")
        assert cache.document(target) == after
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive(), "run_stream did not stop within 2 s"
    assert states[-1] == STOPPED


def test_stream_reconnects_catches_up_and_flushes_the_outbox(
    serve_platform: Callable[..., Any], platform_db_url: str, tmp_path: Path
) -> None:
    server = serve_platform(platform_db_url)
    client = signed_in(server.url)
    cache = CouncilCache(tmp_path / "cache.sqlite3")
    outbox = Outbox(cache, client, backoff=Backoff(base=0.05, cap=0.2))
    syncer = Syncer(client, cache, outbox, reconnect=Backoff(base=0.05, cap=0.2))
    syncer.full_sync()
    docs = cache.documents()
    mine, theirs = docs[10]["id"], docs[11]["id"]
    stop = threading.Event()
    thread, changes, states = _run_in_thread(syncer, stop)
    try:
        wait_for(lambda: ONLINE in states, what="the stream to open")
        server.stop()
        wait_for(lambda: OFFLINE in states, what="the syncer to notice")
        # Offline: the user keeps working; the writes queue, in order.
        outbox.enqueue(writes.edit(mine, coordinatorNotes="first"))
        outbox.enqueue(writes.edit(mine, coordinatorNotes="second"))
        assert cache.document(mine)["coordinatorNotes"] == "second"
        # The platform comes back, and someone else writes to it before we reconnect.
        server = serve_platform(platform_db_url, port=server.port)
        with httpx.Client(base_url=server.url, timeout=10) as other:
            other.headers["Authorization"] = f"Bearer {client.token}"
            after = _patch_notes(other, theirs, "written while we were away")
        wait_for(lambda: outbox.pending_count() == 0, what="the outbox to flush")
        wait_for(lambda: states.count(ONLINE) >= 2, what="the stream to reopen")
        wait_for(lambda: cache.document(theirs) == after, what="the missed change to be caught up")
        with httpx.Client(base_url=server.url, timeout=10) as other:
            other.headers["Authorization"] = f"Bearer {client.token}"
            final = other.get(f"/api/v1/councils/{mine}").json()
        assert final["coordinatorNotes"] == "second"
        assert final["version"] == docs[10]["version"] + 2  # both edits, each once
    finally:
        stop.set()
        thread.join(2)
    assert not thread.is_alive()
    assert any(theirs in ids for ids in changes)
