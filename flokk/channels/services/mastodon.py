"""Connecting a Mastodon account on any instance: the organization names the instance, Flokk registers
itself there once (a `NetworkApp` with `instance_url`) and then runs the generic OAuth flow.

Mastodon has no central developer portal, so unlike the other networks the organization sets nothing up:
the first connection to an instance registers Flokk's app on it (its client secret sealed in the vault,
as for every app), later ones reuse it. The callback connects the account with `service_url` = the
instance (`connect_identity` copies the app's `instance_url`), which is where the connector publishes.
"""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import ConnectorError
from flokk.channels.connectors.mastodon import auth
from flokk.channels.models import NetworkApp
from flokk.channels.networks import Network
from flokk.channels.services.apps import redirect_uri
from flokk.channels.services.oauth import OAuthFlowError, start_authorization
from flokk.channels.vault import seal
from flokk.core.audit import record
from flokk.teams.models import Organization, User

logger = logging.getLogger(__name__)

# Plain http only for an instance on this machine (a development server, the tests' fake).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
MAX_URL_LENGTH = 300  # NetworkApp.instance_url and Account.service_url


def normalize_instance_url(value: str) -> str:
    """The instance's base URL as stored: `https://host[:port]`, lower case, no path, query or login.

    Accepts a bare host name ("mastodon.social"); raises `ValidationError` for anything that is not an
    instance address Flokk may call.
    """
    invalid = ValidationError(
        _("Enter the address of a Mastodon instance, for example mastodon.social."), code="invalid"
    )
    value = value.strip()
    if not value or len(value) > MAX_URL_LENGTH or any(char.isspace() or ord(char) < 32 for char in value):
        raise invalid
    if "://" not in value:
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise invalid from None
    host = (parts.hostname or "").lower()
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ValidationError(
            _("Enter only the instance's address, without a sign-in, path or query."), code="invalid"
        )
    if parts.path not in ("", "/"):
        raise ValidationError(
            _("Enter only the instance's address, without a sign-in, path or query."), code="invalid"
        )
    if not host or (not _is_ip(host) and "." not in host and host != "localhost"):
        raise invalid
    scheme = parts.scheme.lower()
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        raise ValidationError(_("The instance's address must start with https://."), code="insecure")
    if scheme not in ("http", "https"):
        raise invalid
    netloc = f"[{host}]" if ":" in host else host
    return f"{scheme}://{netloc}{f':{port}' if port is not None else ''}"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def start_mastodon_connection(organization: Organization, instance_url: str, *, actor: User) -> str:
    """Start connecting a Mastodon account on the instance; returns the instance's authorization URL.

    Registers Flokk on the instance the first time (or again when Flokk's callback address changed).
    Raises `ValidationError` for an address that is not acceptable and `OAuthFlowError` when the instance
    cannot be reached or refuses the registration; nothing is stored then.
    """
    instance = normalize_instance_url(instance_url)
    callback = redirect_uri()
    app = (
        NetworkApp.objects.for_org(organization)
        .filter(network=Network.MASTODON, instance_url=instance)
        .first()
    )
    if app is None or app.options.get("redirect_uri") != callback:
        app = _register_app(organization, instance, callback, existing=app, actor=actor)
    return start_authorization(app, actor=actor)


def _register_app(
    organization: Organization, instance: str, callback: str, *, existing: NetworkApp | None, actor: User
) -> NetworkApp:
    # The network call happens before any write, outside a transaction: a slow instance holds no lock.
    try:
        client_id, client_secret = auth.register_app(instance, callback)
    except ConnectorError as error:
        logger.warning("registering on %s failed: %s", instance, error.raw[:500])
        raise OAuthFlowError(
            _(
                "Flokk could not register itself on %(host)s. Check the address: is it a Mastodon "
                "instance, and is it reachable?"
            )
            % {"host": auth.instance_host(instance)}
        ) from None
    try:
        with transaction.atomic():
            app = existing or NetworkApp(
                organization=organization, network=Network.MASTODON, instance_url=instance, created_by=actor
            )
            app.client_id = client_id
            app.client_secret = seal({"client_secret": client_secret})
            app.options = {**(app.options or {}), "redirect_uri": callback}
            app.save()
            record(
                "channels.network_app.registered",
                organization=organization,
                actor=actor,
                target=app,
                data={"network": Network.MASTODON, "instance_url": instance, "client_id": client_id},
            )
    except IntegrityError:
        # Someone registered on the same instance at the same moment: use theirs.
        return NetworkApp.objects.for_org(organization).get(network=Network.MASTODON, instance_url=instance)
    return app
