"""Account health: marking an account that needs reconnecting, and telling the people who can fix it.

A brief network error never lands here: only what the network says about the credentials themselves
(expired, revoked, wrong) does. While an account needs reconnecting, its deliveries are held, not failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import Connector, ConnectorError
from flokk.channels.models import Account
from flokk.core.audit import record
from flokk.core.notifications import notify
from flokk.teams.models import Membership, User

SOCIAL_MEDIA_MANAGER = "social-media-manager"


def account_caretakers(account: Account) -> list[User]:
    """Whom to tell about the account: who connected it, and the organization's social media managers."""
    people: dict[object, User] = {}
    if account.created_by is not None:
        people[account.created_by.pk] = account.created_by
    managers = (
        Membership.objects.active()
        .filter(organization_id=account.organization_id, roles__key=SOCIAL_MEDIA_MANAGER)
        .select_related("user")
    )
    for membership in managers:
        people[membership.user.pk] = membership.user
    return list(people.values())


def mark_needs_reconnect(account: Account, *, reason: str) -> bool:
    """Flag the account once (returns False if it already was) and notify its caretakers."""
    with transaction.atomic():
        changed = (
            Account.objects.filter(pk=account.pk, status=AccountStatus.CONNECTED).update(
                status=AccountStatus.NEEDS_RECONNECT,
                status_reason=reason[:500],
                status_changed_at=timezone.now(),
            )
            == 1
        )
        if not changed:
            return False
        account.refresh_from_db()
        record(
            "channels.account.needs_reconnect",
            organization=account.organization,
            actor=None,
            target=account,
            data={"reason": reason[:500]},
        )
        label = str(account)
        notify(
            account_caretakers(account),
            organization=account.organization,
            action="channels.account.needs_reconnect",
            message=lambda: (
                _("%(account)s needs reconnecting; its posts are held until then.") % {"account": label}
            ),
            url=reverse("channels:accounts", kwargs={"org": account.organization.slug}),
        )
    return True


async def _verify_all(checks: list[tuple[Account, Connector]]) -> list[ConnectorError | None]:
    async def verify(connector: Connector) -> ConnectorError | None:
        try:
            await connector.verify()
            return None
        except ConnectorError as error:
            return error
        except Exception as error:  # a malformed answer is a failed check, never a crashed worker
            return ConnectorError(f"Unexpected answer from the network: {type(error).__name__}")
        finally:
            await connector.aclose()

    return list(await asyncio.gather(*(verify(connector) for _, connector in checks)))


def check_account_health(now: dt.datetime | None = None) -> dict[str, int]:
    """Ask each connected account's network whether its credentials still work.

    Only a verdict about the credentials (expired, revoked) flags an account; a network that is down or
    slow is ignored until the next check. Returns counts for the log.
    """
    from flokk.channels.services.connectors import connector_for_account  # imports the connectors

    now = now or timezone.now()
    accounts = list(
        Account.objects.filter(status=AccountStatus.CONNECTED)
        .exclude(network="sandbox")
        .select_related("organization", "created_by")
    )
    checks = [(account, connector_for_account(account)) for account in accounts]
    errors = asyncio.run(_verify_all(checks)) if checks else []
    flagged = 0
    for (account, _connector), error in zip(checks, errors, strict=True):
        if error is not None and error.needs_reconnect:
            flagged += mark_needs_reconnect(account, reason=error.message)
    Account.objects.filter(pk__in=[account.pk for account in accounts]).update(checked_at=now)
    return {"checked": len(accounts), "needs_reconnect": flagged}
