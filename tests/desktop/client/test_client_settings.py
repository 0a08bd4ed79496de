"""Desktop directories, and where the sign-in token is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend

from mentra_desktop.client.credentials import NO_KEYRING_NOTICE, CredentialStore
from mentra_desktop.client.paths import APP_NAME, get_settings, load_settings


def test_one_home_directory_holds_everything(_desktop_home: Path) -> None:
    settings = get_settings()
    assert settings.config_dir == _desktop_home / "config"
    assert settings.cache_path == _desktop_home / "cache" / "councils.sqlite3"
    assert settings.platform_data_dir == _desktop_home / "data" / "platform"
    assert settings.log_dir == _desktop_home / "log"
    settings.ensure_dirs()
    assert all(p.is_dir() for p in (settings.config_dir, settings.cache_dir, settings.data_dir))
    assert get_settings() is settings


def test_without_a_home_the_platform_directories_are_used() -> None:
    settings = load_settings({"MENTRA_PLATFORM_URL": "https://mentra.example"})
    assert APP_NAME in str(settings.cache_dir) and APP_NAME in str(settings.config_dir)
    assert settings.platform_url == "https://mentra.example"


def test_without_a_keyring_the_token_lasts_the_session_and_the_user_is_told_once() -> None:
    store = CredentialStore()  # the suite selects keyring's "fail" backend

    assert store.save("coordinator@example.com", "token-1") is False
    assert store.persistent is False
    assert store.load("coordinator@example.com") == "token-1"
    assert store.take_notice() == NO_KEYRING_NOTICE
    assert store.save("coordinator@example.com", "token-2") is False
    assert store.take_notice() is None  # said once
    store.forget("coordinator@example.com")
    assert store.load("coordinator@example.com") is None
    assert CredentialStore().load("coordinator@example.com") is None  # nothing outlived it


class MemoryKeyring(KeyringBackend):
    """A real keyring backend that keeps secrets in a dict (never the user's keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def test_with_a_keyring_the_token_outlives_the_session() -> None:
    backend: Any = MemoryKeyring()
    assert CredentialStore(backend=backend).save("admin@example.com", "t") is True

    later = CredentialStore(backend=backend)
    assert later.load("admin@example.com") == "t" and later.persistent is True
    assert later.take_notice() is None
    later.forget("admin@example.com")
    later.forget("admin@example.com")  # forgetting twice is fine
    assert backend.secrets == {}


def test_the_null_keyring_counts_as_none() -> None:
    from keyring.backends.null import Keyring as NullKeyring

    store = CredentialStore(backend=NullKeyring())
    assert store.save("a@example.com", "t") is False
    assert store.take_notice() == NO_KEYRING_NOTICE
