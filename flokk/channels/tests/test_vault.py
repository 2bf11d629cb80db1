"""Credentials are encrypted at rest and survive a key rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import override_settings

from flokk.channels.services.credentials import read_credentials, store_credentials
from flokk.channels.vault import VaultError, _fernet, unseal
from flokk.content.tests.helpers import sandbox

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_keys():
    _fernet.cache_clear()
    yield
    _fernet.cache_clear()


def test_credentials_are_stored_encrypted_and_read_back(demo, member):
    account = sandbox(demo, member("social-media-manager"))
    store_credentials(account, {"app_password": "abcd-efgh-ijkl-mnop"})
    account.refresh_from_db()
    assert "abcd-efgh" not in account.credentials
    assert read_credentials(account) == {"app_password": "abcd-efgh-ijkl-mnop"}


def test_rotation_reencrypts_with_the_new_key_and_the_old_key_can_then_go(demo, member):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    account = sandbox(demo, member("social-media-manager"))
    with override_settings(FLOKK_VAULT_KEYS=old):
        store_credentials(account, {"token": "secret-1"})
    with override_settings(FLOKK_VAULT_KEYS=f"{new},{old}"):
        call_command("rotate_vault_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    account.refresh_from_db()
    with override_settings(FLOKK_VAULT_KEYS=new):
        assert read_credentials(account) == {"token": "secret-1"}
    with override_settings(FLOKK_VAULT_KEYS=old), pytest.raises(VaultError):
        unseal(account.credentials)
