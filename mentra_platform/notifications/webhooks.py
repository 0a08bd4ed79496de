"""Outgoing webhooks: a signed JSON POST per notification to the user's URL (e.g. a Slack
relay).

The body is compact JSON; ``X-Mentra-Signature: sha256=<hex>`` is HMAC-SHA256 of exactly
those bytes with the user's webhook secret, so the receiver recomputes it over the raw body
and compares in constant time. ``X-Mentra-Delivery`` is the stable Message-ID (a retry
repeats it, so receivers can drop duplicates). Any 2xx is success; redirects are not
followed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx

from mentra_platform.core.config import Settings
from mentra_platform.notifications.rendering import Rendered

SIGNATURE_HEADER = "X-Mentra-Signature"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def payload(rendered: Rendered) -> dict[str, Any]:
    return {
        "id": rendered.message_id,
        "notificationId": rendered.notification_id,
        "kind": rendered.kind,
        "councilId": rendered.council_id,
        "subject": rendered.subject,
        "text": rendered.text,
        "timeZone": rendered.zone,
    }


class WebhookSender:
    """One HTTP client per delivery pass."""

    def __init__(self, settings: Settings) -> None:
        self._client: httpx.Client | None = None
        self._timeout = settings.webhook_timeout_seconds

    def post(self, url: str, secret: str, rendered: Rendered) -> None:
        """POST or raise (``httpx.HTTPError``, or ``RuntimeError`` for a non-2xx answer)."""
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout, follow_redirects=False)
        body = json.dumps(payload(rendered), separators=(",", ":")).encode("utf-8")
        response = self._client.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Mentra-Webhook/1",
                SIGNATURE_HEADER: sign(secret, body),
                "X-Mentra-Event": rendered.kind,
                "X-Mentra-Delivery": rendered.message_id,
            },
        )
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"webhook answered {response.status_code}")

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


__all__ = ["SIGNATURE_HEADER", "WebhookSender", "payload", "sign"]
