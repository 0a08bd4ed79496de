"""Arranging councils for the web page tests through the real JSON API."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import select

from mentra_desktop.models import Notification

RESPOND = re.compile(r"/respond/[A-Za-z0-9._~-]+")


def response_link(live_server: Any, council_id: int, mentor_id: int) -> str:
    """The response-page path in the mentor's (latest) invitation."""
    with live_server.session() as s:
        bodies = s.scalars(
            select(Notification.body)
            .where(
                Notification.council_id == council_id,
                Notification.recipient_id == mentor_id,
                Notification.kind == "invitation",
            )
            .order_by(Notification.id)
        ).all()
    found: list[str] = RESPOND.findall(bodies[-1])
    assert len(found) == 1, bodies[-1]
    return found[0]


def bearer(client: httpx.Client, email: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"email": email, "password": "password123"})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['accessToken']}"}


LABELLED = """() => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button')]
  .filter(el => el.tagName === 'BUTTON' ? !el.textContent.trim()
    : el.labels.length === 0 && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id || el.outerHTML)"""
"""Every form control without a label (buttons: without text); ``[]`` when all have one."""
