"""Posts as CSV: download the export, upload a file whose good rows become draft posts."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Schema, Status
from ninja.files import UploadedFile

from flokk.content.api.common import READ, WRITE, router
from flokk.content.choices import PostStatus
from flokk.content.models import Campaign
from flokk.content.services.csv_posts import (
    MAX_BYTES,
    CsvFileError,
    export_posts,
    import_posts,
    posts_for_export,
)
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "The posts as CSV (UTF-8 with BOM, header row)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


class ExportFilter(Schema):
    since: dt.date | None = Field(
        None, description="Scheduled on or after this day (organization's time zone)"
    )
    until: dt.date | None = Field(None, description="Scheduled on or before this day")
    status: PostStatus | None = None
    campaign_id: uuid.UUID | None = None


class RejectedRow(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    created: list[uuid.UUID]
    rejected: list[RejectedRow]


@router.get(
    "/orgs/{org}/posts/export.csv",
    response=READ,
    summary="The organization's posts as CSV, optionally filtered",
    operation_id="flokk_content_api_export_posts_csv",
    openapi_extra=CSV_RESPONSE,
)
def export_posts_csv(request: HttpRequest, org: OrgSlug, filters: Query[ExportFilter]) -> HttpResponse:
    access = api_access(request, org, "production.view")
    campaign = None
    if filters.campaign_id is not None:
        campaign = get_object_or_404(Campaign.objects.for_org(access.organization), pk=filters.campaign_id)
    posts = posts_for_export(
        access.organization,
        since=filters.since,
        until=filters.until,
        status=filters.status.value if filters.status else "",
        campaign=campaign,
    )
    response = HttpResponse(export_posts(access.organization, posts), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="posts-{access.organization.slug}.csv"'
    return response


@router.post(
    "/orgs/{org}/posts/import",
    response={200: ImportOut, **WRITE},
    summary="Import a CSV file (multipart, field `file`): each good row becomes a draft post",
    description=(
        f"At most {MAX_BYTES // 1024 // 1024} MB and 1,000 rows, UTF-8, comma- or semicolon-separated, "
        "the columns of the export. Refused rows are listed with their line and the reason; a file that "
        "cannot be read at all answers 400 and imports nothing."
    ),
    operation_id="flokk_content_api_import_posts_csv",
)
def import_posts_csv(
    request: HttpRequest, org: OrgSlug, file: File[UploadedFile]
) -> Status[ImportOut | Error]:
    access = api_access(request, org, "production.work")
    if file.size is not None and file.size > MAX_BYTES:
        return Status(
            400,
            Error(
                error=ErrorBody(
                    code="file_too_large",
                    message=_("The file is larger than 2 MB; split it into smaller files."),
                )
            ),
        )
    try:
        report = import_posts(access.organization, file.read(), actor=access.user)
    except CsvFileError as error:
        return Status(400, Error(error=ErrorBody(code="unreadable_file", message=str(error))))
    return Status(
        200,
        ImportOut(
            created=[post.pk for _line, post in report.created],
            rejected=[RejectedRow(line=line, reason=reason) for line, reason in report.rejected],
        ),
    )
