"""The content API's router, response maps, schemas and the converters from models to schemas."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Router, Schema

from flokk.channels.networks import Network
from flokk.content.choices import ApprovalRoundStatus, ApprovalVerdict, BudgetCategory
from flokk.content.models import Asset, Campaign, Post
from flokk.content.services.campaigns import (
    BudgetLineInput,
    CampaignInput,
)
from flokk.content.services.checks import Check
from flokk.content.services.posts import post_checks
from flokk.core.api import Error
from flokk.teams.api.common import TEXT_PATTERN

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


class DeliverySummary(Schema):
    """Where the post went on one account (full attempt log: `GET /posts/{id}/deliveries`)."""

    account_id: uuid.UUID
    status: str
    remote_id: str = Field(description="The network's id, e.g. the record's AT-URI on Bluesky")
    remote_url: str
    attempts: int
    published_at: dt.datetime | None
    error: str


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
    deliveries: list[DeliverySummary] = Field(default_factory=list)


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
        deliveries=[
            DeliverySummary(
                account_id=d.account_id,
                status=d.status,
                remote_id=d.remote_id,
                remote_url=d.remote_url,
                attempts=d.attempt_count,
                published_at=d.published_at,
                error=d.last_error,
            )
            for d in post.deliveries.all()
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
