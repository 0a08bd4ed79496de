"""Encryption at rest of calendar secrets (Calendly tokens, feed URLs).

The key is ``CALENDAR_SECRET_KEY`` or, when unset, a random key generated once into
``<data dir>/calendar_key`` (mode 0600) — never the database, so a copy of the database
alone reveals no secret. Settings built without either (tests, tools) derive it from
``SECRET_KEY``, which is kept outside the database too, under a label of its own.
Secrets are sealed with Fernet (AES-128-CBC + HMAC-SHA256, random IV): the same URL
stored twice gives two different ciphertexts. The key text
is stretched to a Fernet key with HKDF, so any long random string will do.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from mentra_platform.core.config import Settings, load_or_create_secret
from mentra_platform.core.errors import Unavailable


@lru_cache(maxsize=8)
def _fernet(material: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"mentra calendar secrets"
    ).derive(material.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def _key_material(settings: Settings) -> str:
    if settings.calendar_secret_key:
        return settings.calendar_secret_key
    if settings.calendar_key_file:
        from pathlib import Path

        return load_or_create_secret(Path(settings.calendar_key_file))
    return "calendar-secrets:" + settings.secret_key


def seal(settings: Settings, secret: str) -> bytes:
    """The secret encrypted with the calendar key."""
    return _fernet(_key_material(settings)).encrypt(secret.encode("utf-8"))


def unseal(settings: Settings, sealed: bytes) -> str:
    """The secret back; a changed or lost key is :class:`Unavailable` (names no secret)."""
    try:
        return _fernet(_key_material(settings)).decrypt(sealed).decode("utf-8")
    except InvalidToken:
        raise Unavailable(
            "The calendar key does not open this calendar's secret (was the key changed?)"
        ) from None


__all__ = ["seal", "unseal"]
