"""Adding, renaming and disconnecting the organization's network accounts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.core.audit import record
from flokk.teams.models import Organization, User


def _clean_handle(handle: str) -> str:
    handle = handle.strip().lstrip("@")
    if not handle:
        raise ValidationError({"handle": ValidationError(_("An account needs a handle."), code="required")})
    if len(handle) > 100 or "\x00" in handle:
        raise ValidationError({"handle": ValidationError(_("That handle is not valid."), code="invalid")})
    return handle


def add_sandbox_account(
    organization: Organization, *, handle: str, display_name: str = "", actor: User
) -> Account:
    """A new account on the sandbox network, where nothing is ever published.

    Real networks are connected through their connectors (the publishing issue); until then the sandbox
    is the only network an account can be added on.
    """
    handle = _clean_handle(handle)
    with transaction.atomic():
        if Account.objects.for_org(organization).filter(network=Network.SANDBOX, handle=handle).exists():
            raise ValidationError(
                {
                    "handle": ValidationError(
                        _("This organization already has that account."), code="duplicate"
                    )
                }
            )
        account = Account.objects.create(
            organization=organization,
            network=Network.SANDBOX,
            handle=handle,
            display_name=display_name.strip()[:150],
            created_by=actor,
        )
        record(
            "channels.account.added",
            organization=organization,
            actor=actor,
            target=account,
            data={"network": account.network, "handle": handle},
        )
    return account


def rename_account(account: Account, *, display_name: str, actor: User) -> Account:
    """Change the name Flokk shows for the account (the handle belongs to the network)."""
    display_name = display_name.strip()
    if len(display_name) > 150 or "\x00" in display_name:
        raise ValidationError({"display_name": ValidationError(_("That name is too long."), code="invalid")})
    with transaction.atomic():
        before = account.display_name
        account.display_name = display_name
        account.save(update_fields=["display_name", "updated_at"])
        record(
            "channels.account.renamed",
            organization=account.organization,
            actor=actor,
            target=account,
            data={"before": before, "after": display_name},
        )
    return account


def disconnect_account(account: Account, *, actor: User) -> Account:
    """Stop using the account: new posts can no longer target it; existing posts keep their history."""
    with transaction.atomic():
        account.status = AccountStatus.DISCONNECTED
        account.save(update_fields=["status", "updated_at"])
        record(
            "channels.account.disconnected", organization=account.organization, actor=actor, target=account
        )
    return account
