"""Helpers shared by the desktop client tests (imported by module name, pytest prepend)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.sync import Syncer

COORDINATOR = "coordinator@example.com"
PASSWORD = "password123"


def wait_for(condition: Callable[[], bool], timeout: float = 10.0, what: str = "it") -> None:
    """Poll ``condition`` — an outcome in another thread or process — until it holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def signed_in(url: str, email: str = COORDINATOR) -> PlatformClient:
    client = PlatformClient(url, timeout=5)
    client.login(email, PASSWORD)
    return client


def synced_cache(client: PlatformClient, path: Path) -> CouncilCache:
    """A cache at ``path`` holding everything ``client`` may see."""
    cache = CouncilCache(path)
    Syncer(client, cache).full_sync()
    return cache
