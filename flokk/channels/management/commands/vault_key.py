"""`flokk vault_key`: print a new key for FLOKK_VAULT_KEYS."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new Fernet key for FLOKK_VAULT_KEYS (put it first to rotate, then run rotate_vault_keys)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(Fernet.generate_key().decode())
