"""Channels API: the organization's accounts (read-only; accounts are added in the UI)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from flokk.channels.models import Account
from flokk.core.api import Error
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

router = Router(tags=["channels"])
FOR_MEMBERS: dict[int, Any] = {401: Error, 404: Error, 422: Error}


class AccountOut(Schema):
    id: uuid.UUID
    network: str
    handle: str
    display_name: str
    status: str
    is_sandbox: bool
    created_at: datetime


def account_out(account: Account) -> AccountOut:
    return AccountOut(
        id=account.pk,
        network=account.network,
        handle=account.handle,
        display_name=account.display_name,
        status=account.status,
        is_sandbox=account.is_sandbox,
        created_at=account.created_at,
    )


@router.get(
    "/orgs/{org}/accounts",
    response={200: list[AccountOut], **FOR_MEMBERS},
    summary="The organization's network accounts",
    operation_id="flokk_channels_api_list_accounts",
)
def list_accounts(request: HttpRequest, org: OrgSlug) -> list[AccountOut]:
    # Any member: whoever writes posts through the API needs the account ids to target.
    access = api_access(request, org, "org.member")
    return [account_out(a) for a in Account.objects.for_org(access.organization)]
