"""The calendar and rescheduling: posts in a range of local days, and moving a post to another time."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema, Status

from flokk.channels.networks import Network
from flokk.content.api.common import READ, WRITE, PostOut, post_out, router
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.content.services.calendar import CalendarFilters, calendar_posts, local_day_range
from flokk.content.services.rescheduling import RescheduleConflict, reschedule_post
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

MAX_DAYS = 92
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(9000, 12, 31)


class CalendarQuery(Schema):
    start: dt.date = Field(description="First local day (the organization's time zone)")
    end: dt.date = Field(description=f"Last local day, included; at most {MAX_DAYS} days after `start`")
    network: Network | None = None
    campaign: uuid.UUID | None = None
    status: PostStatus | None = None
    person: uuid.UUID | None = Field(None, description="The author's user id")


class CalendarEntry(Schema):
    id: uuid.UUID
    status: str
    scheduled_at: dt.datetime = Field(description="UTC")
    local_date: dt.date = Field(description="The day in the organization's time zone")
    networks: list[Network]
    campaign_id: uuid.UUID | None
    summary: str


class RescheduleIn(Schema):
    scheduled_at: dt.datetime = Field(
        description="With an offset; a time without one is read in the organization's time zone"
    )


def _error(status: int, code: str, message: str) -> Status[Error]:
    return Status(status, Error(error=ErrorBody(code=code, message=message)))


@router.get(
    "/orgs/{org}/calendar",
    response={200: list[CalendarEntry], **READ, 400: Error},
    summary="Posts scheduled on the local days from start to end (at most 92 days), in time order",
    operation_id="flokk_content_api_calendar",
)
def calendar_endpoint(request: HttpRequest, org: OrgSlug, query: Query[CalendarQuery]) -> Any:
    access = api_access(request, org, "production.view")
    if query.start < EARLIEST or query.end > LATEST:
        return _error(400, "out_of_range", "Ask for days between 1900 and 9000.")
    if query.end < query.start:
        return _error(400, "invalid_range", "`end` is before `start`.")
    if (query.end - query.start).days + 1 > MAX_DAYS:
        return _error(400, "range_too_long", f"Ask for at most {MAX_DAYS} days at a time.")
    organization = access.organization
    filters = CalendarFilters.from_params(
        {
            "network": query.network.value if query.network else "",
            "campaign": query.campaign or "",
            "status": query.status.value if query.status else "",
            "person": query.person or "",
        }
    )
    start, end = local_day_range(query.start, query.end, organization.time_zone)
    return [
        CalendarEntry(
            id=row.id,
            status=row.status,
            scheduled_at=row.scheduled_at.astimezone(dt.UTC),
            local_date=row.local_date,
            networks=[Network(network) for network in row.networks],
            campaign_id=row.campaign_id,
            summary=row.summary,
        )
        for row in calendar_posts(organization, start, end, organization.time_zone, filters)
    ]


@router.post(
    "/orgs/{org}/posts/{post_id}/reschedule",
    response={200: PostOut, **WRITE, 409: Error},
    summary="Move a post to another time; its content, approval and status stay as they are",
    operation_id="flokk_content_api_reschedule_post",
)
def reschedule_endpoint(request: HttpRequest, org: OrgSlug, post_id: uuid.UUID, payload: RescheduleIn) -> Any:
    access = api_access(request, org, "planning.work")
    post = get_object_or_404(Post.objects.for_org(access.organization), pk=post_id)
    try:
        reschedule_post(post, new_at=payload.scheduled_at, actor=access.user)
    except ValidationError as error:
        return _error(400, str(error.code or "invalid"), " ".join(error.messages))
    except RescheduleConflict as error:
        return _error(409, error.code, error.message)
    return post_out(Post.objects.with_details().get(pk=post.pk))
