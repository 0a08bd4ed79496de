"""Webhooks to a real local HTTP server: signed JSON, the signature verifies with the
user's secret (and fails with another), a non-2xx answer is retried."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from delivery_helpers import webhook_json, webhook_server
from p2_helpers import COORD, MENTOR_IDS, invited_council
from sqlalchemy import select, update

from mentra_desktop.models import Notification, NotificationStatus, User, utcnow
from mentra_platform.core.tables import NotificationAttempt
from mentra_platform.notifications.delivery import deliver_pending

SECRET = "hook-secret-of-mentor-10"


def test_signed_webhook_is_delivered_and_verifies(
    live_server: Any,
    client: httpx.Client,
    login: Callable[..., dict[str, str]],
    make_slots: Callable[..., list[dict[str, str]]],
    tmp_path: Any,
) -> None:
    from dataclasses import replace

    mentor = MENTOR_IDS[0]
    with webhook_server() as (hook, url):
        with live_server.session() as s:
            s.execute(
                update(User)
                .where(User.id == mentor)
                .values(webhook_url=url, webhook_secret=SECRET, notify_email=False)
            )
            s.commit()
        council = invited_council(client, login(client, COORD), make_slots())
        settings = replace(live_server.settings, mail_dir=str(tmp_path / "mail"))
        factory = live_server.sessionmaker
        hook.status = 503  # the receiver is down at first
        t0 = utcnow()
        deliver_pending(factory, settings, t0, limit=10_000)
        assert len(hook.requests) == 1
        with live_server.session() as s:
            note = s.scalars(
                select(Notification).where(
                    Notification.council_id == council["id"], Notification.recipient_id == mentor
                )
            ).one()
            assert note.status == NotificationStatus.QUEUED and note.attempts == 1
        hook.status = 204
        deliver_pending(factory, settings, t0 + timedelta(minutes=2), limit=10_000)
        assert len(hook.requests) == 2
    headers, body = hook.requests[-1]
    data = webhook_json(body)
    assert data["notificationId"] == note.id and data["councilId"] == council["id"]
    assert data["kind"] == "invitation" and "/r/" in data["text"]
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Mentra-Signature"], expected)
    forged = "sha256=" + hmac.new(b"other", body, hashlib.sha256).hexdigest()
    assert not hmac.compare_digest(headers["X-Mentra-Signature"], forged)
    assert headers["X-Mentra-Delivery"] == data["id"] == hook.requests[0][0]["X-Mentra-Delivery"]
    with live_server.session() as s:
        assert s.get(Notification, note.id).status == NotificationStatus.SENT  # type: ignore[union-attr]
        log = s.execute(
            select(NotificationAttempt.channel, NotificationAttempt.ok, NotificationAttempt.error)
            .where(NotificationAttempt.notification_id == note.id)
            .order_by(NotificationAttempt.id)
        ).all()
    assert [(c, ok) for c, ok, _e in log] == [
        ("in_app", True),
        ("webhook", False),
        ("webhook", True),
    ]
    assert "503" in log[1][2]
