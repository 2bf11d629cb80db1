"""API: short links, imported web traffic (conversions) and traffic imports, under /orgs/{org}/."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from flokk.analytics.models import Link, TrafficDay
from flokk.analytics.services.links import create_link, short_url
from flokk.analytics.services.traffic_import import MAX_BYTES, import_traffic
from flokk.content.models import Campaign, Post
from flokk.core.api import Error
from flokk.teams.api.common import TEXT_PATTERN, OrgSlug
from flokk.teams.permissions import api_access

router = Router(tags=["analytics"])
READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CHANGE: dict[int, Any] = {**READ, 400: Error}
MAX_PAGE = 500


class LinkOut(Schema):
    id: uuid.UUID
    code: str
    short_url: str
    target_url: str
    network: str
    post_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    clicks: int = Field(..., description="Clicks by people (bots not counted), as of the last rollup refresh")
    created_at: dt.datetime


class LinkIn(Schema):
    target_url: str = Field(..., min_length=1, max_length=2000, pattern=TEXT_PATTERN)
    network: str = Field("", max_length=20, pattern=r"^[a-z]*$")
    post_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None


class TrafficDayOut(Schema):
    day: dt.date
    source: str = Field(..., description="ga4, matomo or plausible")
    landing_page: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    sessions: int
    conversions: int
    bounces: int
    bounce_rate: float | None


class ProblemOut(Schema):
    row: int = Field(..., description="The row in the file (1 is the header); 0 for the file as a whole")
    column: str
    message: str


class TrafficImportOut(Schema):
    id: uuid.UUID
    source: str
    file_name: str
    rows: int
    imported: bool
    written: int
    problems: list[ProblemOut]


def link_out(link: Link) -> LinkOut:
    return LinkOut(
        id=link.pk,
        code=link.code,
        short_url=short_url(link),
        target_url=link.target_url,
        network=link.network,
        post_id=link.post_id,
        campaign_id=link.campaign_id,
        clicks=link.clicks,
        created_at=link.created_at,
    )


@router.get("/orgs/{org}/links", response={200: list[LinkOut], **READ}, summary="Short links, newest first")
def list_links(
    request: HttpRequest,
    org: OrgSlug,
    post_id: uuid.UUID | None = None,
    campaign_id: uuid.UUID | None = None,
    limit: int = Query(100, ge=1, le=MAX_PAGE),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0, le=100_000),  # type: ignore[type-arg]
) -> list[LinkOut]:
    access = api_access(request, org, "analysis.view")
    links = Link.objects.filter(organization=access.organization)
    if post_id is not None:
        links = links.filter(post_id=post_id)
    if campaign_id is not None:
        links = links.filter(campaign_id=campaign_id)
    return [link_out(link) for link in links.order_by("-created_at")[offset : offset + limit]]


@router.post(
    "/orgs/{org}/links",
    response={201: LinkOut, **CHANGE},
    summary="Make a short link (http or https target, no credentials in it)",
)
def add_link(request: HttpRequest, org: OrgSlug, payload: LinkIn) -> Status[LinkOut]:
    access = api_access(request, org, "analysis.work")
    post = None
    if payload.post_id is not None:
        post = get_object_or_404(Post, pk=payload.post_id, organization=access.organization)
    campaign = None
    if payload.campaign_id is not None:
        campaign = get_object_or_404(Campaign, pk=payload.campaign_id, organization=access.organization)
    link = create_link(
        access.organization,
        payload.target_url,
        post=post,
        network=payload.network,
        campaign=campaign,
        actor=access.user,
    )
    return Status(201, link_out(link))


@router.get(
    "/orgs/{org}/conversions",
    response={200: list[TrafficDayOut], **READ},
    summary="Imported web traffic per day, landing page and UTM campaign: sessions, conversions, bounces",
)
def list_conversions(
    request: HttpRequest,
    org: OrgSlug,
    start: dt.date | None = None,
    end: dt.date | None = None,
    utm_campaign: str | None = Query(None, max_length=200),  # type: ignore[type-arg]
    limit: int = Query(100, ge=1, le=MAX_PAGE),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0, le=1_000_000),  # type: ignore[type-arg]
) -> list[TrafficDayOut]:
    access = api_access(request, org, "analysis.view")
    days = TrafficDay.objects.filter(organization=access.organization)
    if start is not None:
        days = days.filter(day__gte=start)
    if end is not None:
        days = days.filter(day__lte=end)
    if utm_campaign is not None:
        days = days.filter(utm_campaign=utm_campaign)
    page = days.order_by("-day", "landing_page", "utm_source", "utm_medium", "utm_campaign", "source")
    return [
        TrafficDayOut(
            day=row.day,
            source=row.source,
            landing_page=row.landing_page,
            utm_source=row.utm_source,
            utm_medium=row.utm_medium,
            utm_campaign=row.utm_campaign,
            sessions=row.sessions,
            conversions=row.conversions,
            bounces=row.bounces,
            bounce_rate=row.bounce_rate,
        )
        for row in page[offset : offset + limit]
    ]


@router.post(
    "/orgs/{org}/traffic-imports",
    response={201: TrafficImportOut, 422: Error, 401: Error, 403: Error, 404: Error, 400: Error},
    summary=(
        "Import a CSV export of GA4, Matomo or Plausible, all rows or none: the import is recorded either "
        "way, with `imported` false and every problem by row and column when the file had any"
    ),
)
def add_traffic_import(
    request: HttpRequest,
    org: OrgSlug,
    file: File[UploadedFile],
    source: Form[Literal["ga4", "matomo", "plausible", ""]] = "",
) -> Status[TrafficImportOut]:
    access = api_access(request, org, "analysis.work")
    data = file.read(MAX_BYTES + 1)  # a larger file is reported as too large by the service
    report = import_traffic(
        access.organization,
        data,
        file_name=file.name or "",
        actor=access.user,
        source=source or None,
    )
    traffic_import = report.traffic_import
    out = TrafficImportOut(
        id=traffic_import.pk,
        source=traffic_import.source,
        file_name=traffic_import.file_name,
        rows=traffic_import.rows,
        imported=traffic_import.imported,
        written=report.written,
        problems=[ProblemOut(**problem) for problem in traffic_import.problems],
    )
    return Status(201, out)
