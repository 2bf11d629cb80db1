"""Content API: posts with their variants and checks, campaigns, and the asset library.

Handlers parse (schemas), authorize (`api_access`), call one service and return a schema. Objects are looked
up inside the caller's organization, so another organization's ids answer 404 like unknown ones.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from flokk.channels.networks import Network
from flokk.content.choices import ApprovalRoundStatus, ApprovalVerdict, BudgetCategory
from flokk.content.models import Asset, Campaign, Post
from flokk.content.services.approval import (
    ApprovalConflict,
    approve_step,
    reject,
    request_changes,
    submit_for_approval,
)
from flokk.content.services.assets import upload_asset
from flokk.content.services.campaigns import (
    BudgetLineInput,
    CampaignInput,
    create_campaign,
    delete_campaign,
    update_campaign,
)
from flokk.content.services.checks import Check
from flokk.content.services.posts import PostInput, VariantInput, create_post, post_checks
from flokk.content.services.scheduling import local_to_utc
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import TEXT_PATTERN, OrgSlug
from flokk.teams.permissions import api_access

router = Router(tags=["content"])

READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
WRITE: dict[int, Any] = {**READ, 400: Error}


# --- schemas ----------------------------------------------------------------------------------------
class CheckOut(Schema):
    code: str
    level: Literal["error", "warning"]
    message: str


class VariantOut(Schema):
    id: uuid.UUID
    network: Network
    text: str
    link: str
    first_comment: str
    hashtags: list[str]
    asset_ids: list[uuid.UUID]
    checks: list[CheckOut]


class DecisionOut(Schema):
    step: int
    step_name: str
    verdict: ApprovalVerdict
    approver_id: uuid.UUID | None
    external_approver: str
    comment: str
    created_at: dt.datetime


class ApprovalOut(Schema):
    round_id: uuid.UUID
    status: ApprovalRoundStatus
    current_step: int | None
    current_step_name: str | None
    steps: list[str]
    four_eyes: bool
    decisions: list[DecisionOut]


class PostOut(Schema):
    id: uuid.UUID
    status: str
    approval: ApprovalOut | None = None
    objective: str
    campaign_id: uuid.UUID | None
    content_type: str
    tags: list[str]
    scheduled_at: dt.datetime | None
    account_ids: list[uuid.UUID]
    created_at: dt.datetime
    updated_at: dt.datetime
    variants: list[VariantOut]


class PostSummary(Schema):
    id: uuid.UUID
    status: str
    objective: str
    campaign_id: uuid.UUID | None
    scheduled_at: dt.datetime | None
    networks: list[Network]
    created_at: dt.datetime


class VariantIn(Schema):
    text: str = Field("", max_length=70000, pattern=TEXT_PATTERN, description="Empty: the post's `text`")
    link: str = Field("", max_length=1000, pattern=TEXT_PATTERN)
    first_comment: str = Field("", max_length=10000, pattern=TEXT_PATTERN)
    hashtags: list[str] = Field(default_factory=list, max_length=100)
    asset_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class PostIn(Schema):
    text: str = Field("", max_length=70000, pattern=TEXT_PATTERN, description="Default text of every variant")
    account_ids: list[uuid.UUID] = Field(min_length=1, max_length=50)
    scheduled_at: dt.datetime | None = Field(
        None, description="With an offset; a time without one is read in the organization's time zone"
    )
    campaign_id: uuid.UUID | None = None
    objective: str = Field("", max_length=500, pattern=TEXT_PATTERN)
    content_type: str = Field("", max_length=60, pattern=TEXT_PATTERN)
    tags: list[str] = Field(default_factory=list, max_length=50)
    variants: dict[Network, VariantIn] = Field(
        default_factory=dict, description="Per-network overrides; networks without one use `text`"
    )


class BudgetLineSchema(Schema):
    category: BudgetCategory
    planned_amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    currency: str = Field("SEK", pattern=r"^[A-Za-z]{3}$")
    note: str = Field("", max_length=300, pattern=TEXT_PATTERN)


class CampaignIn(Schema):
    name: str = Field(min_length=1, max_length=150, pattern=TEXT_PATTERN)
    theme: str = Field("", max_length=150, pattern=TEXT_PATTERN)
    starts_on: dt.date
    ends_on: dt.date
    description: str = Field("", max_length=10000, pattern=TEXT_PATTERN)
    objective: str = Field("", max_length=300, pattern=TEXT_PATTERN)
    budget_lines: list[BudgetLineSchema] = Field(default_factory=list, max_length=50)


class CampaignOut(CampaignIn):
    id: uuid.UUID
    created_at: dt.datetime


class AssetOut(Schema):
    id: uuid.UUID
    original_name: str
    kind: str
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    alt_text: str
    tags: list[str]
    usage_rights: str
    rights_expire_on: dt.date | None
    rights_expired: bool
    created_at: dt.datetime


class AssetMeta(Schema):
    alt_text: str = Field("", max_length=1000, pattern=TEXT_PATTERN)
    tags: str = Field("", max_length=500, pattern=TEXT_PATTERN, description="Comma separated")
    usage_rights: str = Field("", max_length=500, pattern=TEXT_PATTERN)
    rights_expire_on: dt.date | None = None


# --- converters -------------------------------------------------------------------------------------
def _checks_out(checks: list[Check]) -> list[CheckOut]:
    return [CheckOut(code=c.code, level=c.level, message=c.message) for c in checks]


def approval_out(post: Post) -> ApprovalOut | None:
    round_ = post.approval_rounds.order_by("-created_at").first()
    if round_ is None:
        return None
    names = [step["name"] for step in round_.steps]
    is_open = round_.status == ApprovalRoundStatus.OPEN
    return ApprovalOut(
        round_id=round_.pk,
        status=ApprovalRoundStatus(round_.status),
        current_step=round_.current_step if is_open else None,
        current_step_name=names[round_.current_step] if is_open and names else None,
        steps=names,
        four_eyes=round_.four_eyes,
        decisions=[
            DecisionOut(
                step=d.step,
                step_name=names[d.step] if d.step < len(names) else "",
                verdict=ApprovalVerdict(d.verdict),
                approver_id=d.approver_id,
                external_approver=d.external_label,
                comment=d.comment,
                created_at=d.created_at,
            )
            for d in round_.decisions.all()
        ],
    )


def post_out(post: Post) -> PostOut:
    checks = post_checks(post)
    return PostOut(
        id=post.pk,
        status=post.status,
        approval=approval_out(post),
        objective=post.objective,
        campaign_id=post.campaign_id,
        content_type=post.content_type,
        tags=list(post.tags),
        scheduled_at=post.scheduled_at,
        account_ids=[a.pk for a in post.accounts.all()],
        created_at=post.created_at,
        updated_at=post.updated_at,
        variants=[
            VariantOut(
                id=v.pk,
                network=Network(v.network),
                text=v.text,
                link=v.link,
                first_comment=v.first_comment,
                hashtags=list(v.hashtags),
                asset_ids=[a.pk for a in v.assets.all()],
                checks=_checks_out(checks.get(v.network, [])),
            )
            for v in post.variants.all()
        ],
    )


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.pk,
        name=campaign.name,
        theme=campaign.theme,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        description=campaign.description,
        objective=campaign.objective,
        created_at=campaign.created_at,
        budget_lines=[
            BudgetLineSchema(
                category=BudgetCategory(line.category),
                planned_amount=line.planned_amount,
                currency=line.currency,
                note=line.note,
            )
            for line in campaign.budget_lines.all()
        ],
    )


def asset_out(asset: Asset) -> AssetOut:
    return AssetOut(
        id=asset.pk,
        original_name=asset.original_name,
        kind=asset.kind,
        mime_type=asset.mime_type,
        size_bytes=asset.size_bytes,
        width=asset.width,
        height=asset.height,
        alt_text=asset.alt_text,
        tags=list(asset.tags),
        usage_rights=asset.usage_rights,
        rights_expire_on=asset.rights_expire_on,
        rights_expired=asset.rights_expired(),
        created_at=asset.created_at,
    )


def _campaign_input(payload: CampaignIn) -> CampaignInput:
    return CampaignInput(
        name=payload.name,
        theme=payload.theme,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        objective=payload.objective,
        budget_lines=[
            BudgetLineInput(
                category=line.category.value,
                planned_amount=line.planned_amount,
                currency=line.currency,
                note=line.note,
            )
            for line in payload.budget_lines
        ],
    )


# --- posts ------------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/posts",
    response={200: list[PostSummary], **READ},
    summary="The organization's posts, newest first",
    operation_id="flokk_content_api_list_posts",
)
def list_posts(request: HttpRequest, org: OrgSlug) -> list[PostSummary]:
    access = api_access(request, org, "production.view")
    posts = Post.objects.for_org(access.organization).prefetch_related("variants")
    return [
        PostSummary(
            id=p.pk,
            status=p.status,
            objective=p.objective,
            campaign_id=p.campaign_id,
            scheduled_at=p.scheduled_at,
            networks=[Network(v.network) for v in p.variants.all()],
            created_at=p.created_at,
        )
        for p in posts
    ]


@router.post(
    "/orgs/{org}/posts",
    response={201: PostOut, **WRITE},
    summary="Create a draft post with a variant per network of its accounts",
    operation_id="flokk_content_api_create_post",
)
def create_post_endpoint(request: HttpRequest, org: OrgSlug, payload: PostIn) -> Status[PostOut]:
    access = api_access(request, org, "production.work")
    scheduled_at = payload.scheduled_at
    if scheduled_at is not None:
        try:
            scheduled_at = local_to_utc(scheduled_at, access.organization.time_zone)
        except ValidationError as error:
            raise ValidationError({"scheduled_at": error}) from None
    data = PostInput(
        account_ids=payload.account_ids,
        text=payload.text,
        objective=payload.objective,
        campaign_id=payload.campaign_id,
        content_type=payload.content_type,
        tags=payload.tags,
        scheduled_at=scheduled_at,
        variants={
            network.value: VariantInput(
                text=v.text,
                link=v.link,
                first_comment=v.first_comment,
                hashtags=tuple(v.hashtags),
                asset_ids=v.asset_ids,
            )
            for network, v in payload.variants.items()
        },
    )
    post = create_post(access.organization, data, actor=access.user)
    post = Post.objects.with_details().get(pk=post.pk)
    return Status(201, post_out(post))


@router.get(
    "/orgs/{org}/posts/{post_id}",
    response={200: PostOut, **READ},
    summary="One post with its variants and their checks",
    operation_id="flokk_content_api_get_post",
)
def get_post(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> PostOut:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization).with_details(), pk=post_id)
    return post_out(post)


# --- approval ---------------------------------------------------------------------------------------
TRANSITION: dict[int, Any] = {**WRITE, 409: Error}


class CommentIn(Schema):
    comment: str = Field(..., min_length=1, max_length=5000)


class OptionalCommentIn(Schema):
    comment: str = Field("", max_length=5000)


def _conflict(error: ApprovalConflict) -> Status[Error]:
    return Status(409, Error(error=ErrorBody(code=error.code, message=error.message)))


def _reloaded(post: Post) -> PostOut:
    return post_out(Post.objects.with_details().get(pk=post.pk))


@router.post(
    "/orgs/{org}/posts/{post_id}/submit",
    response={200: PostOut, **TRANSITION},
    summary="Submit a post for approval (check errors block it with 422)",
    operation_id="flokk_content_api_submit_post",
)
def submit_post_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> Any:
    access = api_access(request, org, "production.work")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        submit_for_approval(post, actor=access.user)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/approve",
    response={200: PostOut, **TRANSITION},
    summary="Approve the current approval step",
    operation_id="flokk_content_api_approve_post",
)
def approve_post_endpoint(
    request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: OptionalCommentIn | None = None
) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        approve_step(post, actor=access.user, comment=payload.comment if payload else "")
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/request-changes",
    response={200: PostOut, **TRANSITION},
    summary="Send the post back to its author with a comment",
    operation_id="flokk_content_api_request_changes",
)
def request_changes_endpoint(
    request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: CommentIn
) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        request_changes(post, actor=access.user, comment=payload.comment)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


@router.post(
    "/orgs/{org}/posts/{post_id}/reject",
    response={200: PostOut, **TRANSITION},
    summary="Reject the post, with a reason",
    operation_id="flokk_content_api_reject_post",
)
def reject_post_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: CommentIn) -> Any:
    access = api_access(request, org, "production.view")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        reject(post, actor=access.user, comment=payload.comment)
    except ApprovalConflict as error:
        return _conflict(error)
    return _reloaded(post)


# --- campaigns --------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/campaigns",
    response={200: list[CampaignOut], **READ},
    summary="The organization's campaigns",
    operation_id="flokk_content_api_list_campaigns",
)
def list_campaigns(request: HttpRequest, org: OrgSlug) -> list[CampaignOut]:
    access = api_access(request, org, "planning.view")
    campaigns = Campaign.objects.for_org(access.organization).prefetch_related("budget_lines")
    return [campaign_out(c) for c in campaigns]


@router.post(
    "/orgs/{org}/campaigns",
    response={201: CampaignOut, **WRITE},
    summary="Create a campaign",
    operation_id="flokk_content_api_create_campaign",
)
def create_campaign_endpoint(request: HttpRequest, org: OrgSlug, payload: CampaignIn) -> Status[CampaignOut]:
    access = api_access(request, org, "planning.work")
    campaign = create_campaign(access.organization, _campaign_input(payload), actor=access.user)
    return Status(201, campaign_out(campaign))


@router.get(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={200: CampaignOut, **READ},
    summary="One campaign",
    operation_id="flokk_content_api_get_campaign",
)
def get_campaign(request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID) -> CampaignOut:
    access = api_access(request, org, "planning.view")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    return campaign_out(campaign)


@router.put(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={200: CampaignOut, **WRITE},
    summary="Replace a campaign (its budget lines too)",
    operation_id="flokk_content_api_update_campaign",
)
def update_campaign_endpoint(
    request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID, payload: CampaignIn
) -> CampaignOut:
    access = api_access(request, org, "planning.work")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    return campaign_out(update_campaign(campaign, _campaign_input(payload), actor=access.user))


@router.delete(
    "/orgs/{org}/campaigns/{campaign_id}",
    response={204: None, **READ},
    summary="Delete a campaign; its posts stay without one",
    operation_id="flokk_content_api_delete_campaign",
)
def delete_campaign_endpoint(request: HttpRequest, org: OrgSlug, campaign_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "planning.work")
    campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=campaign_id)
    delete_campaign(campaign, actor=access.user)
    return Status(204, None)


# --- assets -----------------------------------------------------------------------------------------
@router.get(
    "/orgs/{org}/assets",
    response={200: list[AssetOut], **READ},
    summary="The organization's media library",
    operation_id="flokk_content_api_list_assets",
)
def list_assets(request: HttpRequest, org: OrgSlug) -> list[AssetOut]:
    access = api_access(request, org, "production.view")
    return [asset_out(a) for a in Asset.objects.for_org(access.organization)]


@router.post(
    "/orgs/{org}/assets",
    response={201: AssetOut, **WRITE},
    summary="Upload an image or video (multipart); the type is judged from the content",
    operation_id="flokk_content_api_upload_asset",
)
def upload_asset_endpoint(
    request: HttpRequest, org: OrgSlug, file: File[UploadedFile], meta: Form[AssetMeta]
) -> Status[AssetOut]:
    access = api_access(request, org, "production.work")
    asset = upload_asset(
        access.organization,
        file,
        actor=access.user,
        alt_text=meta.alt_text,
        tags=[t for t in meta.tags.split(",") if t.strip()],
        usage_rights=meta.usage_rights,
        rights_expire_on=meta.rights_expire_on,
    )
    return Status(201, asset_out(asset))
