"""Connecting accounts through a network's OAuth: start, callback, and picking among several accounts.

The flow is the same for every OAuth network; the connector supplies the authorization URL and turns the
callback's code into identities. The `state` we send is stored only as a hash, the PKCE verifier only
sealed in the vault, and each state works once, for the person who started it, for ten minutes. When a
grant reaches several accounts (a person may manage several Facebook Pages), their identities wait sealed
in the used state until the person picks which to connect.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import async_to_sync
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors import connector_class
from flokk.channels.connectors.base import ConnectorError, Identity
from flokk.channels.models import Account, NetworkApp, OAuthState
from flokk.channels.services.apps import WEBHOOK_NETWORKS, oauth_app
from flokk.channels.services.credentials import store_credentials
from flokk.channels.vault import seal, unseal
from flokk.core.audit import record
from flokk.teams.models import Organization, User
from flokk.teams.permissions import resolve_access

logger = logging.getLogger(__name__)

STATE_LIFETIME = dt.timedelta(minutes=10)
CONNECT_PERMISSION = "administration.manage"


class OAuthFlowError(Exception):
    """The authorization cannot go on; `message` says why, in words for the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CallbackOutcome:
    """What the callback led to: connected accounts, or a state waiting for the person's pick."""

    organization: Organization
    accounts: list[Account] = field(default_factory=list)
    choose: OAuthState | None = None


def hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def code_challenge(verifier: str) -> str:
    """PKCE S256: base64url(sha256(verifier)) without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def start_authorization(app: NetworkApp, *, actor: User) -> str:
    """Record a fresh state for `actor` and return the network's authorization URL to send them to.

    Raises `OAuthFlowError` when Flokk has no connector for the app's network yet.
    """
    try:
        connector = connector_class(app.network)
    except ConnectorError:
        raise OAuthFlowError(_("Flokk cannot connect accounts on this network yet.")) from None
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    OAuthState.objects.create(
        organization_id=app.organization_id,
        app=app,
        state_hash=hash_state(state),
        code_verifier=seal({"code_verifier": verifier}),
        started_by=actor,
        expires_at=timezone.now() + STATE_LIFETIME,
    )
    try:
        return connector.authorization_url(
            oauth_app(app), state=state, code_challenge=code_challenge(verifier)
        )
    except NotImplementedError:
        raise OAuthFlowError(_("Flokk cannot connect accounts on this network yet.")) from None


def _claim_state(state: str, user: User) -> OAuthState:
    """The pending state, marked used at once so a replayed callback finds it spent."""
    unknown = _(
        "This connection link is not valid or has already been used. Start again from the accounts page."
    )
    if not state:
        raise OAuthFlowError(unknown)
    pending = (
        OAuthState.objects.select_related("app", "organization").filter(state_hash=hash_state(state)).first()
    )
    if pending is None or pending.started_by_id != user.pk:
        raise OAuthFlowError(unknown)
    now = timezone.now()
    if pending.used_at is not None:
        raise OAuthFlowError(unknown)
    if pending.expires_at <= now:
        raise OAuthFlowError(
            _("The connection took too long and expired. Start again from the accounts page.")
        )
    claimed = OAuthState.objects.filter(pk=pending.pk, used_at=None, expires_at__gt=now).update(used_at=now)
    if claimed != 1:
        raise OAuthFlowError(unknown)
    access = resolve_access(user, pending.organization)
    if access is None or not access.has(CONNECT_PERMISSION):
        raise OAuthFlowError(_("You may no longer connect accounts for this organization."))
    return pending


def _network_refusal(error: str, description: str) -> str:
    if error == "access_denied":
        return _("The connection was cancelled on the network, so nothing was connected.")
    return _("The network did not grant access: %(reason)s") % {"reason": (description or error)[:300]}


def complete_authorization(
    *, user: User, state: str, code: str, error: str = "", error_description: str = ""
) -> CallbackOutcome:
    """Handle the network's callback: check the state, trade the code, connect or ask which accounts.

    Raises `OAuthFlowError` (nothing stored) for an unknown, foreign, expired or replayed state, a
    refusal on the network, or a code the network does not accept.
    """
    if error and not state:
        raise OAuthFlowError(_network_refusal(error, error_description))
    pending = _claim_state(state, user)
    if error:
        raise OAuthFlowError(_network_refusal(error, error_description))
    if not code:
        raise OAuthFlowError(_("The network sent no authorization code. Start again from the accounts page."))
    app = pending.app
    verifier = str(unseal(pending.code_verifier).get("code_verifier", ""))
    try:
        identities = async_to_sync(connector_class(app.network).exchange_code)(
            oauth_app(app), code=code, code_verifier=verifier
        )
    except ConnectorError as exc:
        raise OAuthFlowError(
            _("The network did not accept the connection: %(reason)s") % {"reason": exc.message}
        ) from None
    outcome = CallbackOutcome(organization=pending.organization)
    if not identities:
        raise OAuthFlowError(_("The network found no account you may publish to with this sign-in."))
    if len(identities) == 1:
        outcome.accounts = [connect_identity(app, identities[0], actor=user)]
        OAuthState.objects.filter(pk=pending.pk).update(code_verifier="")
        return outcome
    pending.code_verifier = seal({"identities": [_identity_to_dict(identity) for identity in identities]})
    pending.expires_at = timezone.now() + STATE_LIFETIME
    pending.save(update_fields=["code_verifier", "expires_at", "updated_at"])
    outcome.choose = pending
    return outcome


def pending_choice(state_id: str, *, user: User) -> tuple[OAuthState, list[Identity]]:
    """A used state still holding identities to pick from, for the person who started it."""
    pending = (
        OAuthState.objects.select_related("app", "organization")
        .filter(pk=state_id, started_by=user, used_at__isnull=False, expires_at__gt=timezone.now())
        .first()
    )
    identities = unseal(pending.code_verifier).get("identities") if pending is not None else None
    if pending is None or not isinstance(identities, list):
        raise OAuthFlowError(
            _("There is nothing waiting to be connected. Start again from the accounts page.")
        )
    return pending, [_identity_from_dict(item) for item in identities]


def connect_chosen(state_id: str, *, user: User, remote_ids: list[str]) -> CallbackOutcome:
    """Connect the identities the person picked; the rest are forgotten with the sealed list."""
    pending, identities = pending_choice(state_id, user=user)
    access = resolve_access(user, pending.organization)
    if access is None or not access.has(CONNECT_PERMISSION):
        raise OAuthFlowError(_("You may no longer connect accounts for this organization."))
    chosen = [identity for identity in identities if identity.remote_id in set(remote_ids)]
    if not chosen:
        raise OAuthFlowError(_("Pick at least one account to connect."))
    with transaction.atomic():
        if OAuthState.objects.filter(pk=pending.pk).exclude(code_verifier="").update(code_verifier="") != 1:
            raise OAuthFlowError(
                _("There is nothing waiting to be connected. Start again from the accounts page.")
            )
        accounts = [connect_identity(pending.app, identity, actor=user) for identity in chosen]
    return CallbackOutcome(organization=pending.organization, accounts=accounts)


def connect_identity(app: NetworkApp, identity: Identity, *, actor: User | None) -> Account:
    """Create or update the account for an identity the network vouched for, with sealed credentials.

    An account found again (same network and remote id, else same handle) is reconnected: new
    credentials, status connected, and its held deliveries released so waiting posts go out.
    """
    from flokk.publishing.services.outcomes import release_held_deliveries

    organization = app.organization
    handle = identity.handle.strip().lstrip("@")[:100] or identity.remote_id[:100]
    with transaction.atomic():
        accounts = Account.objects.for_org(organization).select_for_update().filter(network=app.network)
        account = accounts.filter(remote_id=identity.remote_id).first()
        if account is None:
            account = accounts.filter(handle=handle, remote_id__in=["", identity.remote_id]).first()
        reconnected = account is not None
        if account is None:
            account = Account(organization=organization, network=app.network, created_by=actor)
        if accounts.filter(handle=handle).exclude(pk=account.pk).exists():
            handle = f"{handle}-{identity.remote_id}"[:100]  # another account kept the handle: stay unique
        now = timezone.now()
        account.handle = handle
        account.display_name = identity.display_name[:150] or account.display_name
        account.service_url = app.instance_url
        account.remote_id = identity.remote_id
        account.status = AccountStatus.CONNECTED
        account.status_reason = ""
        account.status_changed_at = now
        account.checked_at = now
        account.rate_limited_until = None
        account.credentials_expire_at = identity.credentials_expire_at
        account.save()
        store_credentials(account, identity.credentials)
        released = release_held_deliveries(account) if reconnected else 0
        record(
            "channels.account.connected",
            organization=organization,
            actor=actor,
            target=account,
            data={
                "network": app.network,
                "handle": handle,
                "remote_id": identity.remote_id,
                "reconnected": reconnected,
                "released_deliveries": released,
            },
        )
    if app.network in WEBHOOK_NETWORKS:
        _subscribe_to_webhooks(account)
    return account


def _subscribe_to_webhooks(account: Account) -> None:
    """Meta pushes a Page's comments only to apps the Page installed. Polling reads them anyway, so a
    refusal here is logged, not shown as a failed connection."""
    from flokk.channels.services.calls import call_network

    try:
        call_network(account, lambda connector: connector.subscribe_webhooks())  # type: ignore[attr-defined]
    except ConnectorError as error:
        logger.warning("webhook subscription for %s refused: %s", account.pk, error.message)


def _identity_to_dict(identity: Identity) -> dict[str, Any]:
    return {
        "remote_id": identity.remote_id,
        "handle": identity.handle,
        "display_name": identity.display_name,
        "credentials": identity.credentials,
        "credentials_expire_at": identity.credentials_expire_at.isoformat()
        if identity.credentials_expire_at
        else None,
    }


def _identity_from_dict(data: dict[str, Any]) -> Identity:
    expire = data.get("credentials_expire_at")
    return Identity(
        remote_id=str(data.get("remote_id", "")),
        handle=str(data.get("handle", "")),
        display_name=str(data.get("display_name", "")),
        credentials=dict(data.get("credentials") or {}),
        credentials_expire_at=dt.datetime.fromisoformat(expire) if isinstance(expire, str) else None,
    )
