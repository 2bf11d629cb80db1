"""The token vault: network credentials encrypted at rest, with key rotation.

Keys come from `FLOKK_VAULT_KEYS` (comma-separated Fernet keys, the first encrypts, all decrypt), so a key
is rotated by putting a new one first, running `flokk rotate_vault_keys`, then dropping the old one. Without
the variable (local runs and tests only; production refuses to start) a key is derived from SECRET_KEY.
Secrets never leave this module as text except to the connector that uses them, and are never logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class VaultError(Exception):
    """Stored credentials cannot be read with the configured keys (a key was removed too early)."""


@cache
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    if keys.strip():
        try:
            return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])
        except ValueError as error:
            raise ImproperlyConfigured(
                "FLOKK_VAULT_KEYS must hold comma-separated Fernet keys (32 url-safe base64-encoded bytes)."
            ) from error
    derived = hashlib.sha256(("flokk-vault:" + secret_key).encode()).digest()
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def vault() -> MultiFernet:
    return _fernet(settings.FLOKK_VAULT_KEYS, settings.SECRET_KEY)


def seal(secrets: dict[str, Any]) -> str:
    """Encrypt a dict of credentials for storage."""
    return vault().encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()


def unseal(sealed: str) -> dict[str, Any]:
    """Decrypt stored credentials; an empty value is no credentials."""
    if not sealed:
        return {}
    try:
        return dict(json.loads(vault().decrypt(sealed.encode())))
    except InvalidToken as error:
        raise VaultError("stored credentials cannot be decrypted with the configured vault keys") from error


def reseal(sealed: str) -> str:
    """The same secret encrypted with the current (first) key."""
    return vault().rotate(sealed.encode()).decode() if sealed else sealed
