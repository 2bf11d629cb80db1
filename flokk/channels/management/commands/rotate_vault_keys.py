"""`flokk rotate_vault_keys`: re-encrypt every stored credential with the first key of FLOKK_VAULT_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from flokk.channels.services.credentials import reseal_all_credentials


class Command(BaseCommand):
    help = "Re-encrypt all stored network credentials with the current (first) vault key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reseal_all_credentials()
        self.stdout.write(f"Re-encrypted the credentials of {count} account(s).")
