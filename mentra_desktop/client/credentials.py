"""The signed-in user's bearer token, kept in the system keyring when there is one.

Where no keyring works (``keyring.errors.NoKeyringError`` on a headless Linux, a locked
or broken backend), the token is kept in memory for this session only, and
:meth:`CredentialStore.take_notice` returns :data:`NO_KEYRING_NOTICE` exactly once so the
UI can say so once. Tests select keyring's ``fail`` backend through
``PYTHON_KEYRING_BACKEND`` (or pass ``backend=``), so they never touch a real keyring.
"""

from __future__ import annotations

import logging
from typing import Any

import keyring
import keyring.backends.fail
import keyring.backends.null

log = logging.getLogger(__name__)

SERVICE = "mentra-desktop"
NO_KEYRING_NOTICE = (
    "No system keyring is available, so your sign-in is kept for this session only; "
    "you will be asked for your password next time."
)


class CredentialStore:
    """Tokens by account (the user's e-mail), under keyring service ``service``.

    ``backend`` is a ``keyring.backend.KeyringBackend``; None uses keyring's configured one.
    """

    def __init__(self, service: str = SERVICE, *, backend: Any = None) -> None:
        self.service = service
        self._backend = backend
        self._session: dict[str, str] = {}
        self._persistent: bool | None = None
        self._notice_due = False

    def _keyring(self) -> Any:
        backend = self._backend if self._backend is not None else keyring.get_keyring()
        if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
            raise keyring.errors.NoKeyringError(f"no usable keyring backend ({backend!r})")
        return backend

    def _unavailable(self, exc: Exception) -> None:
        if self._persistent is not False:
            log.info("keyring unavailable, keeping the token for this session: %s", exc)
            self._notice_due = True
        self._persistent = False

    @property
    def persistent(self) -> bool | None:
        """True once the keyring stored or read a token, False once it failed, None before."""
        return self._persistent

    def save(self, account: str, token: str) -> bool:
        """Keep ``token``; True when it will survive a restart (it went to the keyring)."""
        self._session[account] = token
        try:
            self._keyring().set_password(self.service, account, token)
        except Exception as exc:  # backends raise their own types (D-Bus, locked, absent)
            self._unavailable(exc)
            return False
        self._persistent = True
        return True

    def load(self, account: str) -> str | None:
        """The token kept for ``account`` (this session's first, then the keyring's)."""
        if account in self._session:
            return self._session[account]
        try:
            token = self._keyring().get_password(self.service, account)
        except Exception as exc:  # as in save
            self._unavailable(exc)
            return None
        self._persistent = True
        return str(token) if token is not None else None

    def forget(self, account: str) -> None:
        """Sign out: drop the token everywhere it is kept."""
        self._session.pop(account, None)
        try:
            self._keyring().delete_password(self.service, account)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing was stored
        except Exception as exc:  # as in save
            self._unavailable(exc)

    def take_notice(self) -> str | None:
        """:data:`NO_KEYRING_NOTICE` the first time after the keyring failed; else None."""
        if not self._notice_due:
            return None
        self._notice_due = False
        return NO_KEYRING_NOTICE
