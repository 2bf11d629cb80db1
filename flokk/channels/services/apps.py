"""The organization's own network apps (OAuth clients), as connectors need them."""

from __future__ import annotations

from django.conf import settings

from flokk.channels.connectors.base import OAuthApp
from flokk.channels.models import Account, NetworkApp
from flokk.channels.vault import unseal

OAUTH_CALLBACK_PATH = "/oauth/callback/"


def redirect_uri() -> str:
    """The one callback URL to register with every network: FLOKK_PUBLIC_URL + /oauth/callback/."""
    return settings.FLOKK_PUBLIC_URL.rstrip("/") + OAUTH_CALLBACK_PATH


def oauth_app(app: NetworkApp) -> OAuthApp:
    return OAuthApp(
        client_id=app.client_id,
        client_secret=str(unseal(app.client_secret).get("client_secret", "")),
        redirect_uri=redirect_uri(),
        base_url=app.instance_url or str(app.options.get("base_url", "")),
        options=dict(app.options),
    )


def oauth_app_for(account: Account) -> OAuthApp | None:
    """The app the account was connected through: the instance's own app first, else the network's."""
    apps = NetworkApp.objects.filter(organization_id=account.organization_id, network=account.network)
    app = apps.filter(instance_url=account.service_url).first() or apps.filter(instance_url="").first()
    return oauth_app(app) if app is not None else None
