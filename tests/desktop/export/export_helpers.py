"""Helpers of the export tests (imported by module name, pytest's prepend import mode)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.sync import Syncer

COORDINATOR = "coordinator@example.com"
PASSWORD = "password123"


def synced_documents(url: str, cache_file: Path) -> list[dict[str, Any]]:
    """Every council the demo coordinator sees on ``url``, through the desktop's own
    client, sync and cache (what the exports read)."""
    with PlatformClient(url, timeout=10) as client:
        client.login(COORDINATOR, PASSWORD)
        cache = CouncilCache(cache_file)
        try:
            Syncer(client, cache).full_sync()
            return cache.documents()
        finally:
            cache.close()
