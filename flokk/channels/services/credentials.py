"""Storing and reading an account's network credentials through the vault (never in clear text)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from flokk.channels.models import Account
from flokk.channels.vault import reseal, seal, unseal


def store_credentials(account: Account, secrets: dict[str, Any]) -> None:
    """Encrypt and save the account's credentials (tokens, app passwords); replaces what was there."""
    account.credentials = seal(secrets)
    account.save(update_fields=["credentials", "updated_at"])


def read_credentials(account: Account) -> dict[str, Any]:
    """The account's decrypted credentials, for its connector only."""
    return unseal(account.credentials)


def reseal_all_credentials() -> int:
    """Re-encrypt every account's credentials with the current vault key; returns how many were done."""
    count = 0
    with transaction.atomic():
        for account in Account.objects.exclude(credentials="").select_for_update().only("pk", "credentials"):
            account.credentials = reseal(account.credentials)
            account.save(update_fields=["credentials"])
            count += 1
    return count
