"""API: the networks' metrics of posts and accounts (their readings over time), and the rollups.

Readings are running totals as the network showed them; `missing` names the kinds the network does not
give (a page says "not available", never a zero), and `demo` marks the sandbox's made-up numbers. Rollups
are the sums of events per hour (UTC) or per day (the organization's own days).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from flokk.analytics.choices import EventKind
from flokk.analytics.models import DailyRollup, HourlyRollup, MetricSnapshot
from flokk.analytics.services import metrics as metrics_service
from flokk.channels.models import Account
from flokk.content.models import Post
from flokk.core.api import Error, ErrorBody
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

router = Router(tags=["analytics"])
READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
MAX_DAYS = {"hour": 31, "day": 400}  # the longest span one request may ask for
DEFAULT_DAYS = 30
START = Query(None, description="First day (default: 30 days before `end`)")  # type: ignore[type-arg]
END = Query(None, description="Last day, included (default: today)")  # type: ignore[type-arg]


class ReadingOut(Schema):
    taken_at: dt.datetime
    values: dict[str, int] = Field(..., description="Kind -> running total; `reach` too (it does not add up)")
    missing: list[str] = Field(..., description="Kinds the network does not give")
    demo: bool = Field(..., description="Made up by the sandbox network")


class MetricsOut(Schema):
    latest: ReadingOut | None = Field(None, description="The last reading, if there was one")
    series: list[ReadingOut] = Field(..., description="The readings, oldest first (at most the latest 500)")


class DeliveryMetricsOut(MetricsOut):
    delivery_id: uuid.UUID
    account_id: uuid.UUID
    network: str
    remote_url: str
    published_at: dt.datetime | None


class PostMetricsOut(Schema):
    post_id: uuid.UUID
    deliveries: list[DeliveryMetricsOut] = Field(..., description="One per account the post went out on")


class AccountMetricsOut(MetricsOut):
    account_id: uuid.UUID
    network: str
    handle: str


class RollupRowOut(Schema):
    hour: dt.datetime | None = Field(None, description="The UTC hour (grain=hour)")
    day: dt.date | None = Field(None, description="The organization's day (grain=day)")
    kind: str
    network: str
    account_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    total: int


class RollupsOut(Schema):
    grain: Literal["hour", "day"]
    start: dt.date
    end: dt.date
    rows: list[RollupRowOut]


def _reading(snapshot: MetricSnapshot) -> ReadingOut:
    return ReadingOut(
        taken_at=snapshot.taken_at, values=snapshot.values, missing=snapshot.missing, demo=snapshot.demo
    )


def _metrics(series: metrics_service.Series) -> dict[str, Any]:
    latest = series.latest
    return {
        "latest": _reading(latest) if latest is not None else None,
        "series": [_reading(snapshot) for snapshot in series.readings],
    }


@router.get(
    "/orgs/{org}/posts/{post_id}/metrics",
    response={200: PostMetricsOut, **READ},
    summary="A post's metrics on each account it was published on: latest counters and their readings",
)
def post_metrics(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID) -> PostMetricsOut:
    access = api_access(request, org, "analysis.view")
    post = get_object_or_404(Post, pk=post_id, organization=access.organization)
    deliveries = (
        Delivery.objects.filter(post=post, status=DeliveryStatus.PUBLISHED)
        .select_related("account")
        .order_by("published_at")
    )
    return PostMetricsOut(
        post_id=post.pk,
        deliveries=[
            DeliveryMetricsOut(
                delivery_id=delivery.pk,
                account_id=delivery.account_id,
                network=delivery.account.network,
                remote_url=delivery.remote_url,
                published_at=delivery.published_at,
                **_metrics(metrics_service.series_of(delivery.account, delivery)),
            )
            for delivery in deliveries
        ],
    )


@router.get(
    "/orgs/{org}/accounts/{account_id}/metrics",
    response={200: AccountMetricsOut, **READ},
    summary="An account's own metrics (followers): latest counters and their readings",
)
def account_metrics(request: HttpRequest, org: OrgSlug, account_id: uuid.UUID) -> AccountMetricsOut:
    access = api_access(request, org, "analysis.view")
    account = get_object_or_404(Account, pk=account_id, organization=access.organization)
    return AccountMetricsOut(
        account_id=account.pk,
        network=account.network,
        handle=account.handle,
        **_metrics(metrics_service.series_of(account)),
    )


@router.get(
    "/orgs/{org}/rollups",
    response={200: RollupsOut, **READ},
    summary="Sums of events per hour (UTC) or per day (the organization's days), by kind, account, campaign",
)
def rollups(
    request: HttpRequest,
    org: OrgSlug,
    grain: Literal["hour", "day"] = "day",
    start: dt.date | None = START,
    end: dt.date | None = END,
    kind: EventKind | None = None,
    account_id: uuid.UUID | None = None,
) -> Status[RollupsOut] | Status[Error]:
    access = api_access(request, org, "analysis.view")
    organization = access.organization
    end = end or timezone.localdate(timezone=zoneinfo.ZoneInfo(organization.time_zone or "UTC"))
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end or (end - start).days + 1 > MAX_DAYS[grain]:
        message = _("Ask for at most %(days)s days, with the start before the end.") % {
            "days": MAX_DAYS[grain]
        }
        return Status(422, Error(error=ErrorBody(code="bad_range", message=message)))
    if account_id is not None:
        get_object_or_404(Account, pk=account_id, organization=organization)
    rows = metrics_service.rollup_rows(
        organization.pk, grain=grain, start=start, end=end, kind=kind, account_id=account_id
    )
    return Status(200, RollupsOut(grain=grain, start=start, end=end, rows=[_row(row) for row in rows]))


def _row(row: HourlyRollup | DailyRollup) -> RollupRowOut:
    return RollupRowOut(
        hour=row.hour if isinstance(row, HourlyRollup) else None,
        day=row.day if isinstance(row, DailyRollup) else None,
        kind=row.kind,
        network=row.network,
        account_id=row.account_id if row.account_id.int else None,
        campaign_id=row.campaign_id if row.campaign_id.int else None,
        total=row.total,
    )
