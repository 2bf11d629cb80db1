"""The organization's own network apps (OAuth clients), as connectors need them."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import OAuthApp
from flokk.channels.models import Account, NetworkApp
from flokk.channels.vault import seal, unseal
from flokk.core.audit import record
from flokk.teams.models import Organization, User

OAUTH_CALLBACK_PATH = "/oauth/callback/"


WEBHOOK_NETWORKS = frozenset({"facebook", "instagram"})


def webhook_url(app: NetworkApp) -> str:
    """Where the network pushes comments for this app (registered in the network's developer dashboard)."""
    from django.urls import reverse

    return settings.FLOKK_BASE_URL.rstrip("/") + reverse("inbox:webhook", args=[app.network, app.pk])


def redirect_uri() -> str:
    """The one callback URL to register with every network: FLOKK_BASE_URL + /oauth/callback/."""
    return settings.FLOKK_BASE_URL.rstrip("/") + OAUTH_CALLBACK_PATH


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


# Networks connected with the organization's own app, set up on the network apps page. Mastodon is not
# here: its apps are registered by Flokk itself, one per instance.
CONFIGURABLE_NETWORKS = ("facebook", "instagram", "linkedin", "x")
_LINKEDIN_VERSION = re.compile(r"20\d\d(0[1-9]|1[0-2])")


def network_apps_by_network(organization: Organization) -> dict[str, NetworkApp]:
    """The organization's own apps (not per-instance ones), by network."""
    apps = NetworkApp.objects.for_org(organization).filter(instance_url="", network__in=CONFIGURABLE_NETWORKS)
    return {app.network: app for app in apps}


def save_network_app(
    organization: Organization,
    *,
    network: str,
    client_id: str,
    client_secret: str = "",
    linkedin_version: str = "",
    actor: User,
) -> NetworkApp:
    """Add or change the organization's app on a network.

    A blank `client_secret` keeps the stored one (a new app needs one). The secret is sealed in the vault
    and never shown again; the audit entry says only whether it changed.
    """
    if network not in CONFIGURABLE_NETWORKS:
        raise ValidationError(_("Apps cannot be set up for that network here."), code="invalid")
    client_id = client_id.strip()
    if not client_id or len(client_id) > 300 or any(ord(char) < 32 for char in client_id):
        raise ValidationError({"client_id": ValidationError(_("Enter the app's client id."), code="invalid")})
    if len(client_secret) > 1000 or "\x00" in client_secret:
        raise ValidationError(
            {"client_secret": ValidationError(_("That client secret is not valid."), code="invalid")}
        )
    linkedin_version = linkedin_version.strip()
    if network == "linkedin" and linkedin_version and not _LINKEDIN_VERSION.fullmatch(linkedin_version):
        raise ValidationError(
            {
                "linkedin_version": ValidationError(
                    _("Enter the version as year and month, YYYYMM (for example 202510)."), code="invalid"
                )
            }
        )
    with transaction.atomic():
        app = (
            NetworkApp.objects.for_org(organization)
            .select_for_update()
            .filter(network=network, instance_url="")
            .first()
        )
        created = app is None
        if app is None:
            if not client_secret.strip():
                raise ValidationError(
                    {"client_secret": ValidationError(_("Enter the app's client secret."), code="required")}
                )
            app = NetworkApp(organization=organization, network=network, instance_url="", created_by=actor)
        app.client_id = client_id
        if client_secret.strip():
            app.client_secret = seal({"client_secret": client_secret.strip()})
        options = dict(app.options or {})
        if network in WEBHOOK_NETWORKS and not options.get("webhook_verify_token"):
            # What Meta's dashboard asks for when the webhook is registered (see `webhook_url`).
            options["webhook_verify_token"] = secrets.token_urlsafe(24)
        if network == "linkedin":
            options["linkedin_version"] = linkedin_version or str(settings.FLOKK_LINKEDIN_VERSION)
        app.options = options
        app.save()
        record(
            "channels.network_app.saved",
            organization=organization,
            actor=actor,
            target=app,
            data={
                "network": network,
                "client_id": client_id,
                "created": created,
                "secret_changed": bool(client_secret.strip()),
                "options": {key: value for key, value in options.items() if key == "linkedin_version"},
            },
        )
    return app


def delete_network_app(app: NetworkApp, *, actor: User) -> None:
    """Remove the organization's app; its accounts stay but cannot renew tokens until an app is set up."""
    with transaction.atomic():
        record(
            "channels.network_app.deleted",
            organization=app.organization,
            actor=actor,
            target=app,
            data={"network": app.network, "client_id": app.client_id},
        )
        app.delete()


def connect_networks(organization: Organization) -> list[dict[str, object]]:
    """For the accounts page: each app-based network, its label, and whether its app is set up."""
    from flokk.channels.networks import Network

    apps = network_apps_by_network(organization)
    return [
        {"network": network, "label": Network(network).label, "ready": network in apps}
        for network in CONFIGURABLE_NETWORKS
    ]
