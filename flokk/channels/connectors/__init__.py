"""The connector registry: one explicit entry per network, each a package under this folder.

`connector_for(account_ref, credentials)` is how the rest of Flokk reaches a network.
"""

from __future__ import annotations

from typing import Any

from flokk.channels.connectors.base import AccountRef, Connector, ConnectorError, OAuthApp
from flokk.channels.connectors.bluesky import BlueskyConnector
from flokk.channels.connectors.facebook import FacebookConnector
from flokk.channels.connectors.instagram import InstagramConnector
from flokk.channels.connectors.linkedin import LinkedInConnector
from flokk.channels.connectors.mastodon import MastodonConnector
from flokk.channels.connectors.sandbox import SandboxConnector
from flokk.channels.connectors.x import XConnector

REGISTRY: dict[str, type[Connector]] = {
    SandboxConnector.network: SandboxConnector,
    BlueskyConnector.network: BlueskyConnector,
    FacebookConnector.network: FacebookConnector,
    InstagramConnector.network: InstagramConnector,
    LinkedInConnector.network: LinkedInConnector,
    MastodonConnector.network: MastodonConnector,
    XConnector.network: XConnector,
}


def connector_class(network: str) -> type[Connector]:
    try:
        return REGISTRY[network]
    except KeyError:
        raise ConnectorError(f"No connector for the network {network!r}.", permanent=True) from None


def connector_for(account: AccountRef, credentials: dict[str, Any], app: OAuthApp | None = None) -> Connector:
    return connector_class(account.network)(account, credentials, app)
