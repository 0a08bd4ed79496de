"""The in-app channel over HTTP: delivered notifications in the recipient's list, read
marks, nobody else's; delivery preferences with their validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import httpx
from p2_helpers import COORD, MENTOR_IDS, invited_council, mentor_email

from mentra_desktop.models import utcnow
from mentra_platform.notifications.delivery import deliver_pending


def test_inbox_lists_delivered_notifications_and_marks_read(
    live_server: Any,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
    tmp_path: Any,
) -> None:
    council = invited_council(client, login(client, COORD), make_slots())
    mentor = login(client, mentor_email(MENTOR_IDS[0]))
    other = login(client, mentor_email(MENTOR_IDS[1]))
    before = client.get("/api/v1/me/notifications", headers=mentor).json()
    assert all(i["councilId"] != council["id"] for i in before["items"])  # queued, not delivered
    settings = replace(live_server.settings, mail_dir=str(tmp_path / "mail"))
    deliver_pending(live_server.sessionmaker, settings, utcnow(), limit=10_000)
    page = client.get("/api/v1/me/notifications?unread=true", headers=mentor).json()
    mine = [i for i in page["items"] if i["councilId"] == council["id"]]
    assert len(mine) == 1 and mine[0]["kind"] == "invitation" and "/r/" in mine[0]["body"]
    unread = page["unread"]
    nid = mine[0]["id"]
    assert client.post(f"/api/v1/me/notifications/{nid}/read", headers=other).status_code == 404
    r = client.post(f"/api/v1/me/notifications/{nid}/read", headers=mentor)
    assert r.status_code == 200 and r.json()["readAt"] is not None
    page = client.get("/api/v1/me/notifications?unread=true", headers=mentor).json()
    assert page["unread"] == unread - 1 and all(i["id"] != nid for i in page["items"])
    assert client.get("/api/v1/me/notifications").status_code == 401


def test_delivery_settings(client: httpx.Client, login: Callable[..., dict[str, str]]) -> None:
    me = login(client, "council@example.com")
    url = "/api/v1/me/notification-settings"
    assert client.get(url, headers=me).json() == {
        "timezone": None,
        "email": True,
        "inApp": True,
        "webhookUrl": None,
        "webhookConfigured": False,
    }
    bad = [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"webhookUrl": "https://hooks.example/x"}, "webhookSecret"),
        ({"webhookUrl": "ftp://x", "webhookSecret": "s" * 16}, "webhookUrl"),
    ]
    for body, field in bad:
        r = client.patch(url, json=body, headers=me)
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == field
    assert client.patch(url, json={"webhookSecret": "short"}, headers=me).status_code == 422
    r = client.patch(
        url,
        json={
            "timezone": "Europe/Berlin",
            "email": False,
            "webhookUrl": "https://hooks.example/x",
            "webhookSecret": "s" * 20,
        },
        headers=me,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "timezone": "Europe/Berlin",
        "email": False,
        "inApp": True,
        "webhookUrl": "https://hooks.example/x",
        "webhookConfigured": True,
    }
    assert client.get(url, headers=me).json()["timezone"] == "Europe/Berlin"
    r = client.patch(url, json={"webhookUrl": None}, headers=me)
    assert r.json()["webhookConfigured"] is False and r.json()["email"] is False
