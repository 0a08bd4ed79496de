"""The embedded platform: a real child process over SQLite in the desktop's data dir."""

from __future__ import annotations

import httpx
import pytest

from mentra_desktop.client.api import PlatformClient, TransportError
from mentra_desktop.client.embedded import DEMO_COORDINATOR, EmbeddedPlatform
from mentra_desktop.client.paths import get_settings


def test_the_embedded_platform_starts_answers_and_stops() -> None:
    settings = get_settings()  # MENTRA_DESKTOP_HOME: a temporary directory
    platform = EmbeddedPlatform(settings.platform_data_dir, log_path=settings.platform_log_path)

    with platform:
        assert platform.running and platform.url is not None
        url = platform.url
        client = PlatformClient(url)
        client.login(*DEMO_COORDINATOR)
        page = client.councils_page(0, limit=1)
        assert page["total"] == 60
        first = page["items"][0]
        client.send(
            "PATCH",
            f"/api/v1/councils/{first['id']}",
            {"coordinatorNotes": "kept on disk"},
            if_match=first["version"],
        )
        process, worker = platform._process, platform._worker
        assert process is not None and worker is not None
        assert platform.worker_running  # the automation runs beside the server

    assert not platform.running and platform.url is None
    assert not platform.worker_running
    assert process.poll() is not None and worker.poll() is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=1)
    assert (settings.platform_data_dir / "mentra.db").is_file()
    assert settings.platform_log_path.is_file()

    # A second start reuses the database: no second seed, the write is still there.
    with EmbeddedPlatform(settings.platform_data_dir) as again:
        assert again.url is not None
        client = PlatformClient(again.url)
        client.login(*DEMO_COORDINATOR)
        assert client.councils_page(0, limit=1)["total"] == 60
        assert client.council(first["id"])[0]["coordinatorNotes"] == "kept on disk"
    with pytest.raises(TransportError):
        client.me()
