"""Publishing API: the crisis switch (organization and account), "publish now", and a post's deliveries.

Handlers parse, authorize (`api_access`), call one service and return a schema. Conflicts (already
paused, a post that cannot be published now) answer 409 through the shared `Conflict` handler.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from flokk.channels.models import Account
from flokk.content.api.common import PostOut, post_out
from flokk.content.models import Post
from flokk.core.api import Error
from flokk.publishing.models import Delivery
from flokk.publishing.services.pause import (
    active_pause,
    pause_account,
    pause_publishing,
    resume_account,
    resume_publishing,
)
from flokk.publishing.services.planning import publish_now
from flokk.teams.api.common import OrgSlug
from flokk.teams.models import Organization
from flokk.teams.permissions import api_access

router = Router(tags=["publishing"])
READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CHANGE: dict[int, Any] = {**READ, 400: Error, 409: Error}


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=500)


class PausedAccountOut(Schema):
    account_id: uuid.UUID
    reason: str
    paused_at: dt.datetime


class PublishingStateOut(Schema):
    paused: bool
    reason: str | None
    paused_at: dt.datetime | None
    paused_by: str | None
    automatic: bool
    paused_accounts: list[PausedAccountOut]


class AttemptOut(Schema):
    number: int
    outcome: str
    reconciliation: bool
    started_at: dt.datetime
    finished_at: dt.datetime | None
    error: str


class DeliveryOut(Schema):
    id: uuid.UUID
    account_id: uuid.UUID
    network: str
    status: str
    remote_id: str
    remote_url: str
    published_at: dt.datetime | None
    error: str
    attempts: int
    attempt_log: list[AttemptOut]


def state_out(organization: Organization) -> PublishingStateOut:
    pause = active_pause(organization)
    paused_accounts = Account.objects.for_org(organization).filter(paused_at__isnull=False)
    return PublishingStateOut(
        paused=pause is not None,
        reason=pause.reason if pause else None,
        paused_at=pause.created_at if pause else None,
        paused_by=(pause.paused_by.email if pause and pause.paused_by else None),
        automatic=bool(pause and pause.automatic),
        paused_accounts=[
            PausedAccountOut(account_id=a.pk, reason=a.pause_reason, paused_at=a.paused_at)
            for a in paused_accounts
            if a.paused_at is not None
        ],
    )


def delivery_out(delivery: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.pk,
        account_id=delivery.account_id,
        network=delivery.account.network,
        status=delivery.status,
        remote_id=delivery.remote_id,
        remote_url=delivery.remote_url,
        published_at=delivery.published_at,
        error=delivery.last_error,
        attempts=delivery.attempt_count,
        attempt_log=[
            AttemptOut(
                number=a.number,
                outcome=a.outcome,
                reconciliation=a.reconciliation,
                started_at=a.started_at,
                finished_at=a.finished_at,
                error=a.error,
            )
            for a in delivery.attempts.all()
        ],
    )


@router.get(
    "/orgs/{org}/publishing",
    response={200: PublishingStateOut, **READ},
    summary="Whether publishing is paused for the organization or any of its accounts",
    operation_id="flokk_publishing_api_state",
)
def publishing_state(request: HttpRequest, org: OrgSlug) -> PublishingStateOut:
    access = api_access(request, org, "org.member")
    return state_out(access.organization)


@router.post(
    "/orgs/{org}/publishing/pause",
    response={200: PublishingStateOut, **CHANGE},
    summary="Pull the crisis switch: hold everything the organization would publish",
    operation_id="flokk_publishing_api_pause",
)
def pause_endpoint(request: HttpRequest, org: OrgSlug, payload: ReasonIn) -> PublishingStateOut:
    access = api_access(request, org, "publishing.pause")
    pause_publishing(access.organization, reason=payload.reason, actor=access.user)
    return state_out(access.organization)


@router.post(
    "/orgs/{org}/publishing/resume",
    response={200: PublishingStateOut, **CHANGE},
    summary="Lift the crisis switch; what fell due meanwhile goes out now",
    operation_id="flokk_publishing_api_resume",
)
def resume_endpoint(request: HttpRequest, org: OrgSlug, payload: OptionalReasonIn) -> PublishingStateOut:
    access = api_access(request, org, "publishing.pause")
    resume_publishing(access.organization, actor=access.user, reason=payload.reason)
    return state_out(access.organization)


@router.post(
    "/orgs/{org}/accounts/{account_id}/pause",
    response={200: PublishingStateOut, **CHANGE},
    summary="Hold everything that would be published to one account",
    operation_id="flokk_publishing_api_pause_account",
)
def pause_account_endpoint(
    request: HttpRequest, org: OrgSlug, account_id: uuid.UUID, payload: ReasonIn
) -> PublishingStateOut:
    access = api_access(request, org, "publishing.pause")
    account = get_object_or_404(Account.objects.for_org(access.organization), pk=account_id)
    pause_account(account, reason=payload.reason, actor=access.user)
    return state_out(access.organization)


@router.post(
    "/orgs/{org}/accounts/{account_id}/resume",
    response={200: PublishingStateOut, **CHANGE},
    summary="Publish to the account again",
    operation_id="flokk_publishing_api_resume_account",
)
def resume_account_endpoint(request: HttpRequest, org: OrgSlug, account_id: uuid.UUID) -> PublishingStateOut:
    access = api_access(request, org, "publishing.pause")
    account = get_object_or_404(Account.objects.for_org(access.organization), pk=account_id)
    resume_account(account, actor=access.user)
    return state_out(access.organization)


@router.post(
    "/orgs/{org}/posts/{post_id}/publish-now",
    response={200: PostOut, **CHANGE},
    summary="Publish an approved or scheduled post now",
    operation_id="flokk_publishing_api_publish_now",
)
def publish_now_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> PostOut:
    access = api_access(request, org, "planning.work")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    publish_now(post, actor=access.user)
    return post_out(Post.objects.with_details().get(pk=post.pk))


@router.get(
    "/orgs/{org}/posts/{post_id}/deliveries",
    response={200: list[DeliveryOut], **READ},
    summary="Where the post went: one delivery per account, with every attempt",
    operation_id="flokk_publishing_api_list_deliveries",
)
def list_deliveries(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> list[DeliveryOut]:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    deliveries = Delivery.objects.filter(post=post).select_related("account").prefetch_related("attempts")
    return [delivery_out(d) for d in deliveries]
