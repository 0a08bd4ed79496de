"""PlatformClient against the real platform: sign-in, reads, typed errors, the event stream."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from client_helpers import signed_in

from mentra_desktop.client.api import (
    AuthExpired,
    PlatformClient,
    Refused,
    TransportError,
    VersionConflict,
    etag_version,
)
from mentra_desktop.client.embedded import free_port
from mentra_desktop.client.errors import retry_after_seconds
from mentra_desktop.client.events import HEARTBEAT


def test_login_me_and_a_wrong_password(live_platform: Any) -> None:
    client = PlatformClient(live_platform.url)
    with pytest.raises(AuthExpired):
        client.login("coordinator@example.com", "not-the-password")
    token = client.login("coordinator@example.com", "password123")
    assert token and client.token == token
    assert client.user is not None and client.user["role"] == "coordinator"
    assert client.me()["email"] == "coordinator@example.com"
    client.token = None
    with pytest.raises(AuthExpired):
        client.me()


def test_a_sync_page_and_one_council_with_its_etag(live_platform: Any) -> None:
    client = signed_in(live_platform.url)
    page = client.councils_page(0, limit=7)
    assert len(page["items"]) == 7 and page["hasMore"] and page["total"] == 60
    assert page["nextCursor"] == page["items"][-1]["changeSeq"]
    doc, etag = client.council(page["items"][0]["id"])
    assert doc == page["items"][0] and etag_version(etag) == doc["version"]
    collecting = next(
        d for d in client.councils_page(0)["items"] if d["coordinationStatus"] == "collecting"
    )
    decision = client.decision(collecting["id"])
    assert decision["councilId"] == collecting["id"]
    assert decision["version"] == collecting["version"]
    assert "explanation" in decision and "ranking" in decision


def test_writes_raise_what_went_wrong(live_platform: Any) -> None:
    client = signed_in(live_platform.url)
    doc, _ = client.council(client.councils_page(0, limit=1)["items"][0]["id"])
    path = f"/api/v1/councils/{doc['id']}"

    with pytest.raises(Refused) as blank:
        client.send("PATCH", path, {"topic": "   "}, if_match=doc["version"])
    assert blank.value.status == 422 and [e.field for e in blank.value.errors] == ["topic"]
    with pytest.raises(Refused) as unconditional:
        client.send("PATCH", path, {"topic": "New"})
    assert unconditional.value.status == 428
    changed = client.send("PATCH", path, {"topic": "New"}, if_match=doc["version"])
    assert changed.status == 200 and etag_version(changed.etag) == doc["version"] + 1
    with pytest.raises(VersionConflict) as stale:
        client.send("PATCH", path, {"topic": "Newer"}, if_match=doc["version"])
    assert (
        stale.value.current == changed.body and etag_version(stale.value.etag) == doc["version"] + 1
    )


def test_no_platform_is_a_transport_error() -> None:
    client = PlatformClient(f"http://127.0.0.1:{free_port()}", "t", timeout=1)
    with pytest.raises(TransportError):
        client.councils_page(0)
    with pytest.raises(TransportError):
        client.events(0)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_the_stream_delivers_events_from_a_cursor(live_platform: Any) -> None:
    client = signed_in(live_platform.url)
    page = client.councils_page(0, limit=1000)
    target = page["items"][0]
    with live_platform.http() as other:
        other.patch(
            f"/api/v1/councils/{target['id']}",
            json={"coordinatorNotes": "seen by the stream"},
            headers={"If-Match": f'"{target["version"]}"'},
        ).raise_for_status()

    with client.events(page["nextCursor"]) as stream:
        event = next(e for e in stream if e.event != HEARTBEAT)

    assert event.event == "council.updated" and event.data["councilId"] == target["id"]
    assert event.id == event.data["seq"] > page["nextCursor"] and stream.last_id == event.id


def test_interrupt_ends_a_blocked_read_at_once(
    serve_platform: Callable[..., Any], platform_db_url: str
) -> None:
    server = serve_platform(platform_db_url, sse_heartbeat_seconds=30)
    client = signed_in(server.url)
    ended = threading.Event()
    with client.events(None) as stream:
        events = iter(stream)
        assert next(events).event == HEARTBEAT  # the greeting; then 30 s of silence

        def read_on() -> None:
            for _ in events:
                pass
            ended.set()

        reader = threading.Thread(target=read_on, daemon=True)
        reader.start()
        time.sleep(0.2)  # let the reader block in recv
        started = time.monotonic()
        stream.interrupt()
        assert ended.wait(2), "the read did not end"
        assert time.monotonic() - started < 1.0
        reader.join(1)


def test_the_stream_refuses_a_bad_token(live_platform: Any) -> None:
    with pytest.raises(AuthExpired):
        PlatformClient(live_platform.url, "forged").events(0)
