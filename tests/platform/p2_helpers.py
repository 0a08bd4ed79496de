"""Helpers for the mentor-side and decision tests: build a council through the API."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from mentra_desktop.models import Notification

COORD = "coordinator@example.com"
ADMIN = "admin@example.com"
MENTEE = "council@example.com"
STARTER = "starter@example.com"
# Seeded mentors: mentorN@example.com has user id 9 + N.
MENTOR_IDS = [10, 11, 12, 13]


def mentor_email(user_id: int) -> str:
    return f"mentor{user_id - 9}@example.com"


def create_council(
    client: httpx.Client, headers: dict[str, str], slots: list[dict[str, str]], **kw: Any
) -> dict[str, Any]:
    body = {"topic": "Building a first sales team", "menteeId": 9, "proposedTimeSlots": slots}
    body.update(kw)
    r = client.post("/api/v1/councils", json=body, headers=headers)
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def etag(client: httpx.Client, headers: dict[str, str], council_id: int) -> str:
    r = client.get(f"/api/v1/councils/{council_id}", headers=headers)
    assert r.status_code == 200, r.text
    return r.headers["ETag"]


def add_mentors(
    client: httpx.Client, headers: dict[str, str], council_id: int, mentor_ids: list[int]
) -> str:
    tag = etag(client, headers, council_id)
    for mid in mentor_ids:
        r = client.post(
            f"/api/v1/councils/{council_id}/mentors",
            json={"mentorId": mid},
            headers={**headers, "If-Match": tag},
        )
        assert r.status_code == 201, r.text
        tag = r.headers["ETag"]
    return tag


def invited_council(
    client: httpx.Client, headers: dict[str, str], slots: list[dict[str, str]], **kw: Any
) -> dict[str, Any]:
    """A council with MENTOR_IDS[:3] assigned and invitations sent; returns the council."""
    council = create_council(client, headers, slots, **kw)
    tag = add_mentors(client, headers, council["id"], MENTOR_IDS[:3])
    r = client.post(
        f"/api/v1/councils/{council['id']}/invitations",
        headers={**headers, "If-Match": tag},
    )
    assert r.status_code == 200, r.text
    return council


def links_for(live_server: Any, council_id: int, mentor_id: int) -> list[str]:
    """The one-click paths (``/r/...``) in the mentor's queued invitation, in body order."""
    with live_server.session() as s:
        body = s.scalars(
            select(Notification.body).where(
                Notification.council_id == council_id,
                Notification.recipient_id == mentor_id,
                Notification.kind == "invitation",
            )
        ).one()
    return re.findall(r"/r/[A-Za-z0-9._~-]+", body)


def answer(
    client: httpx.Client,
    council_id: int,
    mentor_ids: list[int],
    slots: dict[int, str],
    **extra: Any,
) -> None:
    """Each mentor answers ``{slot id: "available" | "tentative" | "unavailable"}`` through
    the response form (a login per mentor); ``extra`` is merged into each slot's answer."""
    for mid in mentor_ids:
        r = client.post(
            "/api/v1/auth/login", json={"email": mentor_email(mid), "password": "password123"}
        )
        assert r.status_code == 200, r.text
        headers = {"Authorization": f"Bearer {r.json()['accessToken']}"}
        body = {"slots": [{"slotId": sid, "answer": a, **extra} for sid, a in slots.items()]}
        r = client.put(f"/api/v1/councils/{council_id}/responses/me", json=body, headers=headers)
        assert r.status_code == 200, r.text
