"""Where the desktop keeps its files, and the one settings object behind :func:`get_settings`.

Directories come from platformdirs under the application name ``mentra-desktop`` (the
same organisation and application names the Qt shell gives ``QSettings``). Setting
``MENTRA_DESKTOP_HOME`` puts all of them under one base directory instead — tests and
screenshot runs use it so they never touch the user's real directories::

    $MENTRA_DESKTOP_HOME/config   QSettings-style preferences
    $MENTRA_DESKTOP_HOME/cache    councils.sqlite3 (council cache and outbox)
    $MENTRA_DESKTOP_HOME/data     platform/ (the embedded platform's data dir)
    $MENTRA_DESKTOP_HOME/log      platform.log and the app's own logs

``MENTRA_PLATFORM_URL`` names a remote platform; without it the app runs the embedded one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs

ORGANISATION = "Mentra"
APP_NAME = "mentra-desktop"
HOME_ENV = "MENTRA_DESKTOP_HOME"
PLATFORM_URL_ENV = "MENTRA_PLATFORM_URL"


@dataclass(frozen=True)
class DesktopSettings:
    """The desktop's directories and where its platform lives; build with :func:`load_settings`."""

    config_dir: Path
    cache_dir: Path
    data_dir: Path
    log_dir: Path
    platform_url: str | None = None
    """A remote platform's base URL, or None to run the embedded platform."""

    @property
    def cache_path(self) -> Path:
        """The SQLite file holding the council cache and the outbox."""
        return self.cache_dir / "councils.sqlite3"

    @property
    def platform_data_dir(self) -> Path:
        """``MENTRA_DATA_DIR`` of the embedded platform (its SQLite database and secret)."""
        return self.data_dir / "platform"

    @property
    def platform_log_path(self) -> Path:
        return self.log_dir / "platform.log"

    def ensure_dirs(self) -> None:
        """Create every directory (0700: the cache holds council documents)."""
        for path in (self.config_dir, self.cache_dir, self.data_dir, self.log_dir):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)


def load_settings(environ: Mapping[str, str] | None = None) -> DesktopSettings:
    """Settings from ``environ`` (default ``os.environ``); pure, for tests."""
    env = os.environ if environ is None else environ
    url = env.get(PLATFORM_URL_ENV) or None
    home = env.get(HOME_ENV)
    if home:
        base = Path(home).expanduser()
        return DesktopSettings(
            config_dir=base / "config",
            cache_dir=base / "cache",
            data_dir=base / "data",
            log_dir=base / "log",
            platform_url=url,
        )
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=ORGANISATION)
    return DesktopSettings(
        config_dir=Path(dirs.user_config_dir),
        cache_dir=Path(dirs.user_cache_dir),
        data_dir=Path(dirs.user_data_dir),
        log_dir=Path(dirs.user_log_dir),
        platform_url=url,
    )


@cache
def get_settings() -> DesktopSettings:
    """The process-wide settings, read from the environment on first use.

    Tests that change ``MENTRA_DESKTOP_HOME`` call ``get_settings.cache_clear()``.
    """
    return load_settings()
