"""From an Account row to a ready connector: its reference, decrypted credentials and the org's app."""

from __future__ import annotations

from flokk.channels.connectors import connector_for
from flokk.channels.connectors.base import AccountRef, Connector, OAuthApp
from flokk.channels.models import Account
from flokk.channels.services.apps import oauth_app_for
from flokk.channels.services.credentials import read_credentials

# Networks whose connectors need the organization's app (to refresh tokens).
OAUTH_NETWORKS = frozenset({"mastodon", "facebook", "instagram", "linkedin", "x"})


def account_ref(account: Account) -> AccountRef:
    return AccountRef(
        id=str(account.pk),
        network=account.network,
        handle=account.handle,
        service_url=account.service_url,
        remote_id=account.remote_id,
    )


def app_for(account: Account) -> OAuthApp | None:
    return oauth_app_for(account) if account.network in OAUTH_NETWORKS else None


def connector_for_account(account: Account) -> Connector:
    return connector_for(account_ref(account), read_credentials(account), app_for(account))
