"""Desktop: one running app — client pieces, task manager, controller, main window.

:func:`open_desktop` builds it for a signed-in user of a platform; :meth:`Desktop.close`
takes it down in order (stream and sender first, then the workers, then the cache
file, then the embedded platform if the app started one). Tests build a
:class:`Desktop` against a platform on 127.0.0.1 the same way ``main()`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QSettings

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.credentials import CredentialStore
from mentra_desktop.client.embedded import EmbeddedPlatform
from mentra_desktop.client.outbox import Outbox
from mentra_desktop.client.paths import DesktopSettings, get_settings
from mentra_desktop.client.sync import Syncer
from mentra_desktop.views.app import qsettings
from mentra_desktop.views.controller import (
    SUMMARY_VERSION,
    Clock,
    DesktopController,
    cache_summarize,
    utcnow,
)
from mentra_desktop.views.main_window import MainWindow
from mentra_desktop.views.taskman import TaskManager


@dataclass
class Desktop:
    tasks: TaskManager
    cache: CouncilCache
    client: PlatformClient
    outbox: Outbox
    syncer: Syncer
    controller: DesktopController
    window: MainWindow
    settings: QSettings
    embedded: EmbeddedPlatform | None = None
    _closed: bool = field(default=False, repr=False)

    def close(self) -> None:
        """Stop everything this app started (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.window.isVisible() and not self.window.closing:
            self.window.close()  # saves its settings; its ``closed`` lands here again
        else:
            self.window.save_settings()
        self.window.grid.stop()
        self.controller.stop()
        self.tasks.shutdown()
        self.cache.close()
        if self.embedded is not None:
            self.embedded.stop()


def origin_of(url: str, email: str, embedded: bool) -> str:
    """The cache's owner: one platform and user (the embedded one's port changes per run)."""
    return f"embedded:{email}" if embedded else f"{url.rstrip('/')}|{email}"


def open_desktop(
    client: PlatformClient,
    user: dict[str, Any],
    *,
    embedded: EmbeddedPlatform | None = None,
    credentials: CredentialStore | None = None,
    settings: DesktopSettings | None = None,
    clock: Clock = utcnow,
    tasks: TaskManager | None = None,
) -> Desktop:
    """The app for ``client`` (already signed in as ``user``); not shown, not started.

    Raises :class:`~mentra_desktop.client.cache.CacheError` when the local cache still
    holds another user's unsent changes.
    """
    paths = settings or get_settings()
    paths.ensure_dirs()
    cache = CouncilCache(
        paths.cache_path, summarize=cache_summarize, summary_version=SUMMARY_VERSION
    )
    try:
        cache.ensure_origin(origin_of(client.base_url, str(user["email"]), embedded is not None))
    except Exception:
        cache.close()
        raise
    tasks = tasks or TaskManager()
    outbox = Outbox(cache, client)
    syncer = Syncer(client, cache, outbox)
    controller = DesktopController(tasks, cache, client, outbox, syncer, clock)
    store = qsettings()
    window = MainWindow(controller, store, user, credentials)
    desktop = Desktop(tasks, cache, client, outbox, syncer, controller, window, store, embedded)
    window.closed.connect(desktop.close)
    return desktop
