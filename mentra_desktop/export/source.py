"""Where a scripted export reads councils from: a local cache brought up to date first.

:func:`open_source` signs in — to the embedded demo platform (started for the export, its
worker left out, stopped afterwards) or to ``--platform URL`` — and syncs a cache of that
platform and account. The cache is the export's own file under the desktop's cache
directory (``export/<hash of platform and account>.sqlite3``), never the window's
``councils.sqlite3``: an export must not wipe or re-summarise the cache of a window that
may be open on another platform, nor send that window's outbox. After the first run a
sync fetches only what changed since.

Signing in to a platform (no prompt: scripts have no terminal):

1. ``--email`` (or ``MENTRA_EMAIL``, or the account the desktop window last signed in
   with);
2. the token the desktop keeps for that account in the system keyring, if it is still
   accepted;
3. else the password from ``MENTRA_PASSWORD``; the new token is kept like the window's.
"""

from __future__ import annotations

import configparser
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mentra_desktop.client.api import PlatformClient
from mentra_desktop.client.cache import CouncilCache
from mentra_desktop.client.credentials import CredentialStore
from mentra_desktop.client.embedded import DEMO_COORDINATOR, EmbeddedPlatform
from mentra_desktop.client.errors import AuthExpired
from mentra_desktop.client.paths import APP_NAME, DesktopSettings
from mentra_desktop.client.sync import Syncer

PASSWORD_ENV = "MENTRA_PASSWORD"
EMAIL_ENV = "MENTRA_EMAIL"
Progress = Callable[[int, int], None]


class MissingCredentials(ValueError):
    """``--platform`` without an account or a way to sign in (a usage error)."""


class SignInRefused(RuntimeError):
    """The platform refused the account's token and password."""


@dataclass
class Source:
    """A synced cache and the platform it mirrors (``url``: the API's base URL)."""

    cache: CouncilCache
    url: str
    email: str
    received: int


def remembered_email(settings: DesktopSettings) -> str | None:
    """The account the desktop window last signed in with (its INI settings file)."""
    ini = settings.config_dir / f"{APP_NAME}.ini"
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    value = parser.get("account", "email", fallback="").strip()
    return value or None


def account_email(email: str | None, settings: DesktopSettings, environ: Mapping[str, str]) -> str:
    """The account to sign in with (see the module docstring), or MissingCredentials."""
    found = email or environ.get(EMAIL_ENV) or remembered_email(settings)
    if not found:
        raise MissingCredentials(
            f"--platform needs an account: pass --email (or set {EMAIL_ENV}) and set "
            f"{PASSWORD_ENV}, or sign in once with `mentra-desktop --platform URL`"
        )
    return found


def sign_in(
    client: PlatformClient,
    email: str,
    environ: Mapping[str, str],
    store: CredentialStore,
) -> None:
    """Sign ``client`` in as ``email``: the kept token, else ``MENTRA_PASSWORD``."""
    token = store.load(email)
    if token:
        client.token = token
        try:
            client.me()
            return
        except AuthExpired:
            client.token = None
    password = environ.get(PASSWORD_ENV)
    if not password:
        raise MissingCredentials(
            f"no kept sign-in for {email} on {client.base_url}: set {PASSWORD_ENV} "
            "(or sign in once with the desktop window)"
        )
    try:
        token = client.login(email, password)
    except AuthExpired as exc:
        raise SignInRefused(f"{client.base_url} refused the sign-in of {email}: {exc}") from exc
    store.save(email, token)


def cache_path(settings: DesktopSettings, origin: str) -> Path:
    digest = hashlib.sha256(origin.encode("utf-8")).hexdigest()[:16]
    return settings.cache_dir / "export" / f"{digest}.sqlite3"


def _synced(
    client: PlatformClient, settings: DesktopSettings, origin: str, progress: Progress | None
) -> tuple[CouncilCache, int]:
    path = cache_path(settings, origin)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    cache = CouncilCache(path)
    try:
        cache.ensure_origin(origin)
        result = Syncer(client, cache).full_sync(progress)
    except BaseException:
        cache.close()
        raise
    return cache, result.received


@contextmanager
def open_source(
    settings: DesktopSettings,
    *,
    platform: str | None,
    email: str | None = None,
    environ: Mapping[str, str] | None = None,
    store: CredentialStore | None = None,
    progress: Progress | None = None,
) -> Iterator[Source]:
    """A cache synced from ``platform`` (None: the embedded demo platform); see the module
    docstring. Everything it started is stopped and closed on exit."""
    env = os.environ if environ is None else environ
    settings.ensure_dirs()
    embedded: EmbeddedPlatform | None = None
    if platform is None:
        embedded = EmbeddedPlatform(
            settings.platform_data_dir,
            log_path=settings.log_dir / "export-platform.log",
            with_worker=False,
        )
    try:
        if embedded is not None:
            url = embedded.start()
            account = DEMO_COORDINATOR[0]
            origin = f"embedded:{account}"
        else:
            assert platform is not None
            account = account_email(email, settings, env)
            url = platform.rstrip("/")
            origin = f"{url}|{account}"
        with PlatformClient(url) as client:
            if embedded is not None:
                client.login(*DEMO_COORDINATOR)
            else:
                sign_in(client, account, env, store or CredentialStore())
            cache, received = _synced(client, settings, origin, progress)
        try:
            yield Source(cache, url, account, received)
        finally:
            cache.close()
    finally:
        if embedded is not None:
            embedded.stop()


__all__ = [
    "EMAIL_ENV",
    "PASSWORD_ENV",
    "MissingCredentials",
    "SignInRefused",
    "Source",
    "account_email",
    "cache_path",
    "open_source",
    "remembered_email",
    "sign_in",
]
