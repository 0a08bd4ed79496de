"""Incremental sync (change cursor, updatedSince) and the server-sent events stream."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx

Login = Callable[..., dict[str, str]]
Slots = Callable[..., list[dict[str, str]]]


def _full_sync(
    client: httpx.Client, headers: dict[str, str], since: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = since
    while True:
        page = client.get(
            "/api/v1/councils", params={"since": cursor, "limit": limit}, headers=headers
        ).json()
        items.extend(page["items"])
        assert page["nextCursor"] >= cursor
        cursor = page["nextCursor"]
        if not page["hasMore"]:
            return items, cursor


def test_incremental_sync_returns_only_changes(
    client: httpx.Client, login: Login, make_slots: Slots
) -> None:
    headers = login(client, "coordinator@example.com")
    items, cursor = _full_sync(client, headers, 0, 25)
    assert len(items) == 60 and len({c["id"] for c in items}) == 60
    seqs = [c["changeSeq"] for c in items]
    assert seqs == sorted(seqs)

    nothing = client.get("/api/v1/councils", params={"since": cursor}, headers=headers).json()
    assert nothing["items"] == [] and nothing["nextCursor"] == cursor and not nothing["hasMore"]

    target = items[3]
    patched = client.patch(
        f"/api/v1/councils/{target['id']}",
        json={"coordinatorNotes": "synced"},
        headers={**headers, "If-Match": f'"{target["version"]}"'},
    )
    assert patched.status_code == 200
    created = client.post(
        "/api/v1/councils",
        json={"topic": "New one", "menteeId": 9, "proposedTimeSlots": make_slots()},
        headers=headers,
    ).json()
    delta = client.get("/api/v1/councils", params={"since": cursor}, headers=headers).json()
    assert [c["id"] for c in delta["items"]] == [target["id"], created["id"]]
    assert delta["items"][0]["coordinatorNotes"] == "synced"
    assert delta["nextCursor"] == created["changeSeq"] > cursor

    # updatedSince sees the same two changes.
    stamp = datetime.fromisoformat(patched.json()["updatedAt"]) - timedelta(microseconds=1)
    since_time = client.get(
        "/api/v1/councils", params={"updatedSince": stamp.isoformat()}, headers=headers
    ).json()
    assert {c["id"] for c in since_time["items"]} == {target["id"], created["id"]}


def test_plain_list_hands_out_a_cursor_for_later_sync(client: httpx.Client, login: Login) -> None:
    headers = login(client, "admin@example.com")
    page = client.get("/api/v1/councils", params={"limit": 5}, headers=headers).json()
    later = client.get(
        "/api/v1/councils", params={"since": page["nextCursor"]}, headers=headers
    ).json()
    assert later["items"] == []


def test_mentor_sync_sees_only_own_councils(client: httpx.Client, login: Login) -> None:
    headers = login(client, "mentor2@example.com")
    items, _ = _full_sync(client, headers, 0, 10)
    assert items and all(11 in {m["mentorId"] for m in c["mentors"]} for c in items)


def _events(response: httpx.Response) -> Iterator[tuple[str, dict[str, str]]]:
    """Yield ("comment", {...}) / ("event", {id, event, data}) from an SSE response."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            yield "comment", {"text": line[1:].strip()}
            continue
        if line == "":
            if "data" in fields:
                yield "event", fields
            fields = {}
            continue
        name, _, value = line.partition(":")
        fields[name] = value.lstrip(" ")


def _next_event(stream: Iterator[tuple[str, dict[str, str]]], timeout: float = 5) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    for kind, fields in stream:
        if kind == "event":
            return fields
        assert time.monotonic() < deadline, "no event before the deadline"
    raise AssertionError("stream ended")


def test_sse_announces_writes_and_resumes(
    live_server: Any, client: httpx.Client, login: Login, make_slots: Slots
) -> None:
    headers = login(client, "coordinator@example.com")
    council = client.get(
        "/api/v1/councils", params={"limit": 1, "status": "collecting"}, headers=headers
    ).json()["items"][0]
    with httpx.Client(base_url=live_server.url, timeout=10) as sse:
        with sse.stream("GET", "/api/v1/events", headers=headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = _events(response)
            kind, first = next(stream)
            assert kind == "comment" and first["text"].startswith("connected")
            r = client.patch(
                f"/api/v1/councils/{council['id']}",
                json={"coordinatorNotes": "live"},
                headers={**headers, "If-Match": f'"{council["version"]}"'},
            )
            assert r.status_code == 200, r.text
            event = _next_event(stream)
            assert event["event"] == "council.updated"
            data = json.loads(event["data"])
            assert data["councilId"] == council["id"] and int(event["id"]) == data["seq"]
            assert data["payload"] == {"fields": ["coordinatorNotes"]}
            # Nothing else happens: a heartbeat comment keeps the connection alive.
            kind, beat = next(stream)
            assert kind == "comment" and beat["text"] == "ping"
        seen = int(event["id"])

        created = client.post(
            "/api/v1/councils",
            json={"topic": "While away", "menteeId": 9, "proposedTimeSlots": make_slots()},
            headers=headers,
        ).json()
        # Reconnect with Last-Event-ID: the missed event is replayed first.
        resume = {**headers, "Last-Event-ID": str(seen)}
        with sse.stream("GET", "/api/v1/events", headers=resume) as response:
            missed = _next_event(_events(response))
            assert missed["event"] == "council.created"
            assert json.loads(missed["data"])["councilId"] == created["id"]
            assert int(missed["id"]) > seen
        # The query form works too (for EventSource polyfills without custom headers).
        with sse.stream(
            "GET", "/api/v1/events", params={"lastEventId": seen - 1}, headers=headers
        ) as response:
            replay = _next_event(_events(response))
            assert int(replay["id"]) == seen


def test_sse_filters_events_by_visibility(
    live_server: Any, client: httpx.Client, login: Login
) -> None:
    staff = login(client, "coordinator@example.com")
    mentee = login(client, "council@example.com")
    active = {"limit": 100, "status": ["collecting", "selecting"]}
    mine = client.get("/api/v1/councils", params=active, headers=mentee).json()["items"][0]
    everything = client.get("/api/v1/councils", params=active, headers=staff).json()
    other = next(c for c in everything["items"] if c["menteeId"] != 9)
    with (
        httpx.Client(base_url=live_server.url, timeout=10) as sse,
        sse.stream("GET", "/api/v1/events", headers=mentee) as response,
    ):
        stream = _events(response)
        next(stream)
        for council in (other, mine):
            r = client.patch(
                f"/api/v1/councils/{council['id']}",
                json={"coordinatorNotes": "x"},
                headers={**staff, "If-Match": f'"{council["version"]}"'},
            )
            assert r.status_code == 200
        event = _next_event(stream)
        assert json.loads(event["data"])["councilId"] == mine["id"]


def test_sse_requires_auth_and_valid_cursor(client: httpx.Client, login: Login) -> None:
    assert client.get("/api/v1/events").status_code == 401
    headers = {**login(client, "admin@example.com"), "Last-Event-ID": "abc"}
    r = client.get("/api/v1/events", headers=headers)
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "Last-Event-ID"
