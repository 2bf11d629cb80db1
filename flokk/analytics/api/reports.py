"""API: the monthly report for management, as data and as a PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from flokk.analytics.services import report as report_service
from flokk.core.api import Error, ErrorBody
from flokk.teams.api.common import OrgSlug
from flokk.teams.permissions import api_access

router = Router(tags=["analytics"])
READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
MonthQuery = Annotated[
    str | None, Query(description="The month, `YYYY-MM`; default the month before this one", max_length=7)
]


class KpiOut(Schema):
    key: str
    label: str
    value: float | None
    previous_value: float | None
    change: float | None = Field(None, description="Percent against the month before")
    goal_target: float | None
    goal_progress: float | None = Field(None, description="Share of the way to the goal, 0..1")
    unit: str


class ColumnOut(Schema):
    key: str
    label: str
    unit: str = Field(..., description="text, number, percent, minutes, date or money")


class TableOut(Schema):
    key: str
    section: str
    title: str
    columns: list[ColumnOut]
    rows: list[list[Any]] = Field(..., description="Raw values in the order of `columns`; dates ISO 8601")


class ReportOut(Schema):
    organization: str
    month: str
    start: dt.date
    end: dt.date = Field(..., description="The first day after the month")
    kpis: list[KpiOut]
    tables: list[TableOut]


def _bad_month() -> Status[Error]:
    body = ErrorBody(code="bad_month", message=_("Give the month as YYYY-MM."), fields={"month": ["YYYY-MM"]})
    return Status(422, Error(error=body))


def _month(request: HttpRequest, org: str, month: str | None) -> tuple[Any, dt.date | None]:
    access = api_access(request, org, "analysis.view")
    if not month:
        return access, report_service.last_month(access.organization)
    return access, report_service.parse_month(month)


@router.get(
    "/orgs/{org}/reports/monthly",
    response={200: ReportOut, **READ},
    summary="The monthly report for management: key figures and every table, as data",
)
def monthly_report(
    request: HttpRequest, org: OrgSlug, month: MonthQuery = None
) -> Status[ReportOut] | Status[Error]:
    access, first = _month(request, org, month)
    if first is None:
        return _bad_month()
    data = report_service.report_data(report_service.monthly_report(access.organization, first))
    return Status(200, ReportOut(**data))


@router.get(
    "/orgs/{org}/reports/monthly.pdf",
    response=READ,
    summary="The monthly report for management as a PDF, in the caller's language",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report (A4 PDF)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def monthly_report_pdf(
    request: HttpRequest, org: OrgSlug, month: MonthQuery = None
) -> HttpResponse | Status[Error]:
    access, first = _month(request, org, month)
    if first is None:
        return _bad_month()
    data = report_service.monthly_report(access.organization, first)
    response = HttpResponse(report_service.report_pdf(data, get_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_service.pdf_file_name(data)}"'
    return response
