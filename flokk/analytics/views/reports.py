"""Analytics pages: the monthly report for management (web page, PDF, CSV tables), and who gets it by mail."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from flokk.analytics.models import NONE, ReportSchedule
from flokk.analytics.services import report as report_service
from flokk.teams.models import User
from flokk.teams.permissions import OrgRequest, org_permission

SCHEDULE_PERMISSION = "analysis.work"


def _month(request: OrgRequest) -> dt.date:
    """The month asked for (`?month=YYYY-MM`), last month without one; 404 for anything else."""
    text = request.GET.get("month")
    if not text:
        return report_service.last_month(request.org)
    month = report_service.parse_month(text)
    if month is None:
        raise Http404("no such month")
    return month


@require_GET
@org_permission("analysis.view")
def report(request: OrgRequest) -> HttpResponse:
    month = _month(request)
    data = report_service.monthly_report(request.org, month)
    this_month = report_service.local_today(request.org).replace(day=1)
    following = report_service.next_month(month)
    context = {
        "previous_param": report_service.previous_month(month).strftime("%Y-%m"),
        "next_param": following.strftime("%Y-%m") if following <= this_month else "",
        "schedules": ReportSchedule.objects.filter(organization=request.org).select_related("recipient"),
        "can_schedule": request.perms.has(SCHEDULE_PERMISSION),
        "candidates": report_service.schedule_candidates(request.org),
        "languages": settings.LANGUAGES,
    }
    html = report_service.render_report_html(data, get_language(), request=request, context=context)
    return HttpResponse(html)


@require_GET
@org_permission("analysis.view")
def report_pdf(request: OrgRequest) -> HttpResponse:
    data = report_service.monthly_report(request.org, _month(request))
    response = HttpResponse(report_service.report_pdf(data, get_language()), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_service.pdf_file_name(data)}"'
    return response


@require_GET
@org_permission("analysis.view")
def report_csv(request: OrgRequest, table: str) -> HttpResponse:
    data = report_service.monthly_report(request.org, _month(request))
    found = data.tables().get(table)
    if found is None:
        raise Http404("no such table")
    response = HttpResponse(
        report_service.table_csv(found, get_language()), content_type="text/csv; charset=utf-8"
    )
    name = f"flokk-{request.org.slug}-{data.month:%Y-%m}-{found.key}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@org_permission(SCHEDULE_PERMISSION)
def report_schedules(request: OrgRequest) -> HttpResponse:
    back = reverse("analytics:report", args=[request.org.slug])
    if request.POST.get("action") == "remove":
        schedule = get_object_or_404(
            ReportSchedule, pk=_uuid(request.POST.get("schedule")) or NONE, organization=request.org
        )
        report_service.remove_schedule(schedule, actor=request.user)
        messages.success(request, _("The recipient was removed."))
        return HttpResponseRedirect(back)
    recipient = User.objects.filter(pk=_uuid(request.POST.get("recipient")) or NONE).first()
    try:
        if recipient is None:
            raise ValidationError({"recipient": [_("Choose a member.")]})
        report_service.add_schedule(
            request.org,
            recipient=recipient,
            language=request.POST.get("language", ""),
            day_of_month=_int(request.POST.get("day_of_month")),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report will be sent by e-mail."))
    return HttpResponseRedirect(back)


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return 0


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


org = "o/<slug:org>/analytics/report/"
urlpatterns: list[URLPattern] = [
    path(org, report, name="report"),
    path(org + "pdf/", report_pdf, name="report_pdf"),
    path(org + "schedules/", report_schedules, name="report_schedules"),
    path(org + "export/<slug:table>.csv", report_csv, name="report_csv"),
]
