"""Login, tokens, rate limiting, roles and plan gating — over HTTP against the live server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mentra_platform.core.security import TokenError, issue_token, read_token

Login = Callable[..., dict[str, str]]


def test_login_returns_expiring_token_and_me(client: httpx.Client) -> None:
    r = client.post(
        "/api/v1/auth/login", json={"email": "Council@Example.com", "password": "password123"}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["tokenType"] == "bearer"
    assert body["expiresIn"] == 3600
    assert body["expiresAt"].endswith("Z")
    assert body["user"]["id"] == 9
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['accessToken']}"})
    assert me.status_code == 200
    data = me.json()
    assert data["id"] == 9 and data["email"] == "council@example.com"
    assert data["role"] == "mentee"
    assert data["plan"] == {
        "code": "council",
        "name": "Council",
        "priceCents": 9900,
        "aiMessages": 500,
        "humanSessions": 5,
        "councilAccess": True,
    }
    assert data["hasCouncilAccess"] is True


def test_mentor_me_includes_profile(client: httpx.Client, login: Login) -> None:
    me = client.get("/api/v1/me", headers=login(client, "mentor1@example.com")).json()
    assert me["role"] == "mentor"
    profile = me["mentorProfile"]
    assert 1 <= profile["seniority"] <= 5 and profile["expertise"]
    assert "/" in profile["timezone"]


@pytest.mark.parametrize(
    ("email", "password"),
    [("council@example.com", "wrong"), ("nobody@example.com", "password123")],
)
def test_bad_credentials_401(client: httpx.Client, email: str, password: str) -> None:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 401
    assert r.json()["detail"] == "Wrong email or password"


def test_login_validation_is_field_level(client: httpx.Client) -> None:
    r = client.post("/api/v1/auth/login", json={"email": "x@example.com"})
    assert r.status_code == 422
    assert {"field": "password", "message": "Field required"} in r.json()["errors"]


def test_repeated_failures_are_rate_limited(client: httpx.Client) -> None:
    bad = {"email": "coordinator@example.com", "password": "nope"}
    for _ in range(5):
        assert client.post("/api/v1/auth/login", json=bad).status_code == 401
    r = client.post("/api/v1/auth/login", json=bad)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) > 0
    # Even the right password is refused while throttled...
    good = {"email": "coordinator@example.com", "password": "password123"}
    assert client.post("/api/v1/auth/login", json=good).status_code == 429
    # ...but another account from the same client is not affected.
    other = {"email": "admin@example.com", "password": "password123"}
    assert client.post("/api/v1/auth/login", json=other).status_code == 200


def test_missing_tampered_and_expired_tokens_401(client: httpx.Client, live_server: Any) -> None:
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").headers["WWW-Authenticate"] == "Bearer"
    secret = live_server.settings.secret_key
    good = issue_token(secret, 9, 60).token
    _payload, sig = good.split(".")
    tampered = issue_token(secret, 1, 60).token.split(".")[0] + "." + sig
    expired = issue_token(secret, 9, 60, now=0).token
    foreign = issue_token("another-secret", 9, 60).token
    for token in (tampered, expired, foreign, "garbage"):
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {good}"}).status_code == 200


def test_token_helpers_roundtrip_and_expiry() -> None:
    token = issue_token("s", 7, 10, now=1000)
    assert read_token("s", token.token, now=1005) == 7
    with pytest.raises(TokenError):
        read_token("s", token.token, now=1010)


def test_plan_gating_403_for_mentee_without_council_plan(
    client: httpx.Client, login: Login
) -> None:
    headers = login(client, "starter@example.com")
    assert client.get("/api/v1/me", headers=headers).json()["hasCouncilAccess"] is False
    for path in ("/api/v1/councils", "/api/v1/councils/1", "/api/v1/events"):
        r = client.get(path, headers=headers)
        assert r.status_code == 403, path
        assert r.json()["detail"] == "Council features need the Council plan"


@pytest.mark.parametrize("email", ["council@example.com", "mentor1@example.com"])
def test_roles_403_on_staff_endpoints(
    client: httpx.Client, login: Login, email: str, make_slots: Callable[..., Any]
) -> None:
    headers = login(client, email)
    create = {"topic": "x", "menteeId": 9, "proposedTimeSlots": make_slots()}
    assert client.post("/api/v1/councils", json=create, headers=headers).status_code == 403
    patch = client.patch(
        "/api/v1/councils/1", json={"topic": "y"}, headers={**headers, "If-Match": '"1"'}
    )
    assert patch.status_code == 403
    assert client.post("/api/v1/councils/1/cancel", json={}, headers=headers).status_code == 403


def test_openapi_documents_error_statuses(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    patch = spec["paths"]["/api/v1/councils/{council_id}"]["patch"]["responses"]
    assert {"401", "403", "404", "412", "422", "428"} <= set(patch)
    create = spec["paths"]["/api/v1/councils"]["post"]["responses"]
    assert {"401", "403", "409", "422"} <= set(create)
    assert "429" in spec["paths"]["/api/v1/auth/login"]["post"]["responses"]


def test_the_throttle_is_shared_by_every_api_process(database_url: str) -> None:
    """Two servers on one database (two workers, or two machines) count the same failures."""
    from conftest import make_settings, start_server

    settings = make_settings(database_url)
    servers = [start_server(settings) for _ in range(2)]
    bad = {"email": "mentor5@example.com", "password": "wrong"}
    try:
        urls = [url for _, _, url in servers]
        for attempt in range(settings.login_max_failures):
            r = httpx.post(f"{urls[attempt % 2]}/api/v1/auth/login", json=bad, timeout=10)
            assert r.status_code == 401
        for url in urls:
            r = httpx.post(f"{url}/api/v1/auth/login", json=bad, timeout=10)
            assert r.status_code == 429
            assert int(r.headers["Retry-After"]) > 0
    finally:
        for server, thread, _ in servers:
            server.should_exit = True
            thread.join(10)


def test_a_token_with_a_non_ascii_byte_is_401_not_500(
    client: httpx.Client, live_server: Any
) -> None:
    good = issue_token(live_server.settings.secret_key, 9, 60).token
    payload, signature = good.split(".")
    tokens = [
        b"abc\xff.def",
        f"{payload}.{signature[:-1]}".encode() + b"\xe9",  # was a 500 (compare_digest)
        b"\xc3\xa9" + good.encode(),
    ]
    answers = [client.get("/api/v1/me", headers={"Authorization": b"Bearer " + t}) for t in tokens]
    assert [r.status_code for r in answers] == [401, 401, 401], [r.text for r in answers]
    for r in answers:
        assert r.headers["WWW-Authenticate"] == "Bearer"
        assert r.json()["detail"] == "Invalid token: malformed token"
