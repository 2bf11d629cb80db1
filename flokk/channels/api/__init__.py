"""Channels API: the organization's accounts: list, connect (Bluesky with an app password), disconnect."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from flokk.channels.models import Account
from flokk.channels.services.accounts import disconnect_account
from flokk.channels.services.connect import connect_bluesky_account
from flokk.core.api import Error, ErrorBody
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


class BlueskyAccountIn(Schema):
    network: Literal["bluesky"]
    handle: str = Field(..., min_length=1, max_length=100)
    app_password: str = Field(..., min_length=1, max_length=200)
    service_url: str = Field("https://bsky.social", max_length=300)


@router.post(
    "/orgs/{org}/accounts",
    response={201: AccountOut, 400: Error, 403: Error, **FOR_MEMBERS},
    summary="Connect a Bluesky account with its handle and an app password (checked with the network first)",
    operation_id="flokk_channels_api_connect_account",
)
def connect_account(request: HttpRequest, org: OrgSlug, payload: BlueskyAccountIn) -> Any:
    access = api_access(request, org, "administration.manage")
    try:
        account = connect_bluesky_account(
            access.organization,
            service_url=payload.service_url,
            handle=payload.handle,
            app_password=payload.app_password,
            actor=access.user,
        )
    except ValidationError as error:
        # The network's refusal (wrong password, unknown handle, unreachable server): nothing was stored.
        if getattr(error, "code", None) == "refused":
            return Status(400, Error(error=ErrorBody(code="refused", message=" ".join(error.messages))))
        raise
    return Status(201, account_out(account))


@router.delete(
    "/orgs/{org}/accounts/{account_id}",
    response={204: None, 403: Error, **FOR_MEMBERS},
    summary="Disconnect an account: new posts can no longer use it; its history stays",
    operation_id="flokk_channels_api_disconnect_account",
)
def disconnect_account_endpoint(request: HttpRequest, org: OrgSlug, account_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "administration.manage")
    account = get_object_or_404(Account.objects.for_org(access.organization), pk=account_id)
    disconnect_account(account, actor=access.user)
    return Status(204, None)
