"""Connecting accounts on real networks: the network checks them before anything is saved."""

from __future__ import annotations

from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import AccountRef, ConnectorError, Identity
from flokk.channels.connectors.bluesky import BlueskyConnector
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.credentials import store_credentials
from flokk.core.audit import record
from flokk.teams.models import Organization, User


def _clean_service_url(service_url: str) -> str:
    service_url = (service_url or "").strip().rstrip("/")
    parts = urlsplit(service_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            {
                "service_url": ValidationError(
                    _("Enter the service's address, starting with https://."), code="invalid"
                )
            }
        )
    if parts.username or parts.password:
        raise ValidationError(
            {
                "service_url": ValidationError(
                    _("The address must not contain a user name or password."), code="invalid"
                )
            }
        )
    if parts.query or parts.fragment:
        raise ValidationError(
            {"service_url": ValidationError(_("The address must not contain ? or #."), code="invalid")}
        )
    return service_url


async def _verify_bluesky(service_url: str, handle: str, app_password: str) -> Identity:
    ref = AccountRef(id="", network=Network.BLUESKY, handle=handle, service_url=service_url, remote_id="")
    connector = BlueskyConnector(ref, {"app_password": app_password})
    try:
        return await connector.verify()
    finally:
        await connector.aclose()


def connect_bluesky_account(
    organization: Organization, *, service_url: str, handle: str, app_password: str, actor: User | None
) -> Account:
    """Connect (or reconnect) a Bluesky account with its handle and an app password.

    The network checks the password first; if it refuses, `ValidationError` carries its reason and nothing
    is stored. On success the account (found again by its DID, so a changed handle is followed) is
    connected, its credentials (app password and session) are stored encrypted, and the connection is
    audited without secrets.
    """
    service_url = _clean_service_url(service_url)
    handle = handle.strip().lstrip("@")
    if not handle or len(handle) > 100:
        raise ValidationError({"handle": ValidationError(_("Enter the account's handle."), code="required")})
    if not app_password:
        raise ValidationError(
            {"app_password": ValidationError(_("Enter an app password for the account."), code="required")}
        )
    try:
        identity = async_to_sync(_verify_bluesky)(service_url, handle, app_password)
    except ConnectorError as exc:
        raise ValidationError(
            _("Bluesky did not accept the account: %(reason)s") % {"reason": exc.message}, code="refused"
        ) from None

    with transaction.atomic():
        account = (
            Account.objects.for_org(organization)
            .select_for_update()
            .filter(network=Network.BLUESKY, remote_id=identity.remote_id)
            .first()
        )
        if account is None:
            account = (
                Account.objects.for_org(organization)
                .select_for_update()
                .filter(network=Network.BLUESKY, handle=identity.handle)
                .first()
            )
        reconnected = account is not None
        if account is None:
            account = Account(organization=organization, network=Network.BLUESKY, created_by=actor)
        account.handle = identity.handle
        account.service_url = service_url
        account.remote_id = identity.remote_id
        account.status = AccountStatus.CONNECTED
        account.status_reason = ""
        account.status_changed_at = timezone.now()
        account.checked_at = timezone.now()
        account.credentials_expire_at = identity.credentials_expire_at
        account.save()
        store_credentials(account, identity.credentials)
        record(
            "channels.account.connected",
            organization=organization,
            actor=actor,
            target=account,
            data={
                "network": Network.BLUESKY,
                "handle": identity.handle,
                "remote_id": identity.remote_id,
                "service_url": service_url,
                "reconnected": reconnected,
            },
        )
        if reconnected:
            # Posts held while the account needed reconnecting go out now.
            from flokk.publishing.services.outcomes import release_held_deliveries

            release_held_deliveries(account)
    return account
