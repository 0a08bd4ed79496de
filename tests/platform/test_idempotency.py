"""Idempotency-Key on POSTs that create or send: replay, 422 on another payload, 409 in flight."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from mentra_desktop.models import ChangeEvent, CouncilSession, utcnow
from mentra_platform.core.tables import IdempotencyRecord, IdempotencyStatus
from mentra_platform.http.idempotency import fingerprint, parse_key

Login = Callable[..., dict[str, str]]
Slots = Callable[..., list[dict[str, str]]]


def _councils(live_server: Any) -> int:
    with live_server.session() as s:
        return int(s.scalar(select(func.count(CouncilSession.id))) or 0)


def test_replay_returns_first_response_and_creates_once(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = {**login(client, "coordinator@example.com"), "Idempotency-Key": "create-1"}
    body = {"topic": "Idempotent council", "menteeId": 9, "proposedTimeSlots": make_slots()}
    before = _councils(live_server)
    first = client.post("/api/v1/councils", json=body, headers=headers)
    assert first.status_code == 201, first.text
    # Same payload with keys in another order is the same request.
    reordered = dict(reversed(list(body.items())))
    second = client.post("/api/v1/councils", json=reordered, headers=headers)
    assert second.status_code == 201
    assert second.content == first.content
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _councils(live_server) == before + 1
    with live_server.session() as s:
        created = s.scalar(
            select(func.count(ChangeEvent.seq)).where(
                ChangeEvent.kind == "council.created", ChangeEvent.council_id == first.json()["id"]
            )
        )
        assert created == 1


def test_same_key_other_payload_is_422(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = {**login(client, "coordinator@example.com"), "Idempotency-Key": "k-422"}
    body = {"topic": "A", "menteeId": 9, "proposedTimeSlots": make_slots()}
    assert client.post("/api/v1/councils", json=body, headers=headers).status_code == 201
    before = _councils(live_server)
    r = client.post("/api/v1/councils", json={**body, "topic": "B"}, headers=headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _councils(live_server) == before


def test_keys_are_scoped_per_user(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    body = {"topic": "Scoped", "menteeId": 9, "proposedTimeSlots": make_slots()}
    for email in ("coordinator@example.com", "admin@example.com"):
        headers = {**login(client, email), "Idempotency-Key": "shared-key"}
        r = client.post("/api/v1/councils", json=body, headers=headers)
        assert r.status_code == 201
        assert "Idempotent-Replayed" not in r.headers


def test_in_progress_key_is_409(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = {**login(client, "coordinator@example.com"), "Idempotency-Key": "busy"}
    body = {"topic": "Busy", "menteeId": 9, "proposedTimeSlots": make_slots()}
    raw = httpx.Request("POST", "/api/v1/councils", json=body).read()
    with live_server.session() as s:
        s.add(
            IdempotencyRecord(
                user_id=2,
                key="busy",
                method="POST",
                path="/api/v1/councils",
                fingerprint=fingerprint("POST", "/api/v1/councils", raw),
                status=IdempotencyStatus.IN_PROGRESS,
                created_at=utcnow(),
            )
        )
        s.commit()
    before = _councils(live_server)
    r = client.post("/api/v1/councils", json=body, headers=headers)
    assert r.status_code == 409
    assert _councils(live_server) == before


def test_concurrent_duplicates_create_once(
    live_server: Any, login: Login, make_slots: Slots
) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as c:
        headers = {**login(c, "coordinator@example.com"), "Idempotency-Key": "race"}
    body = {"topic": "Race", "menteeId": 9, "proposedTimeSlots": make_slots()}
    before = _councils(live_server)
    statuses: list[int] = []
    lock = threading.Lock()

    def fire() -> None:
        with httpx.Client(base_url=live_server.url, timeout=10) as c:
            status = c.post("/api/v1/councils", json=body, headers=headers).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=fire) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {201, 409}, statuses
    assert 201 in statuses
    assert _councils(live_server) == before + 1


def test_failed_request_releases_its_key(
    client: httpx.Client, login: Login, make_slots: Slots, live_server: Any
) -> None:
    headers = {**login(client, "coordinator@example.com"), "Idempotency-Key": "retry-me"}
    bad = {"topic": "Fix me", "menteeId": 99999, "proposedTimeSlots": make_slots()}
    assert client.post("/api/v1/councils", json=bad, headers=headers).status_code == 422
    good = {**bad, "menteeId": 9}
    assert client.post("/api/v1/councils", json=good, headers=headers).status_code == 201
    with live_server.session() as s:
        record = s.scalars(
            select(IdempotencyRecord).where(IdempotencyRecord.key == "retry-me")
        ).one()
        assert record.status == IdempotencyStatus.DONE and record.response_status == 201


def test_cancel_replay_does_not_409(client: httpx.Client, login: Login) -> None:
    headers = login(client, "admin@example.com")
    council = client.get(
        "/api/v1/councils", params={"status": "selecting", "limit": 1}, headers=headers
    ).json()["items"][0]
    url = f"/api/v1/councils/{council['id']}/cancel"
    current = {**headers, "If-Match": f'"{council["version"]}"'}
    keyed = {**current, "Idempotency-Key": '"cancel-1"'}
    first = client.post(url, json={"reason": "dup"}, headers=keyed)
    again = client.post(url, json={"reason": "dup"}, headers=keyed)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    fresh = {**headers, "If-Match": first.headers["ETag"]}
    assert client.post(url, json={"reason": "dup"}, headers=fresh).status_code == 409


def test_malformed_key_is_400(client: httpx.Client, login: Login, make_slots: Slots) -> None:
    headers = {**login(client, "admin@example.com"), "Idempotency-Key": "x" * 300}
    body = {"topic": "K", "menteeId": 9, "proposedTimeSlots": make_slots()}
    r = client.post("/api/v1/councils", json=body, headers=headers)
    assert r.status_code == 400


def test_key_parsing_and_fingerprint() -> None:
    assert parse_key('"abc"') == "abc" == parse_key(" abc ")
    assert fingerprint("POST", "/a", b'{"x":1,"y":2}') == fingerprint(
        "POST", "/a", b'{"y":2,"x":1}'
    )
    assert fingerprint("POST", "/a", b"{}") != fingerprint("POST", "/b", b"{}")
