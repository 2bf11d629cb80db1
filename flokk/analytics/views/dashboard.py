"""Analytics pages: the dashboard, with its period and network filters, charts and CSV exports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.http import Http404, HttpResponse
from django.urls import URLPattern, path
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from flokk.analytics.services.dashboard import (
    EXPORTS,
    Dashboard,
    GroupFigure,
    Period,
    dashboard,
    export_table,
    local_today,
    rows_csv,
)
from flokk.channels.networks import Network
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

DEFAULT_DAYS = 28
PRESETS = (7, 28, 90, 365)
MAX_DAYS = 366


def period_from(params: Mapping[str, str], today: dt.date) -> Period:
    """The period the filter form asks for: `days` (the last n days up to today) or `from` and `until`
    (both included). Anything unreadable falls back to the last 28 days; a period never exceeds a year."""
    default = Period.last_days(DEFAULT_DAYS, today)
    if params.get("from") or params.get("until"):
        try:
            start = dt.date.fromisoformat(params.get("from", ""))
            last = dt.date.fromisoformat(params.get("until", ""))
        except ValueError:
            return default
        if last < start:
            start, last = last, start
        start = max(start, last - dt.timedelta(days=MAX_DAYS - 1))
        return Period(start, last + dt.timedelta(days=1))
    days = params.get("days", "")
    if days.isdigit() and 1 <= int(days) <= MAX_DAYS:
        return Period.last_days(int(days), today)
    return default


def network_from(params: Mapping[str, str]) -> str:
    network = params.get("network", "")
    return network if network in Network.values else ""


@org_permission("analysis.view")
def dashboard_page(request: OrgRequest) -> HttpResponse:
    period = period_from(request.GET, local_today(request.org))
    network = network_from(request.GET)
    table = request.GET.get("export")
    if table is not None:
        if table not in EXPORTS:
            raise Http404("no such table")
        response = HttpResponse(
            rows_csv(export_table(request.org, table, period, network)),
            content_type="text/csv; charset=utf-8",
        )
        name = f"{request.org.slug}-{table}-{period.start.isoformat()}-{period.last_day.isoformat()}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    figures = dashboard(request.org, period, network)
    query = request.GET.copy()
    query.pop("export", None)
    return render_page(
        request,
        "analytics/pages/dashboard.html",
        {
            "figures": figures,
            "period": period,
            "network": network,
            "networks": Network.choices,
            "presets": PRESETS,
            "days": request.GET.get("days", "") if not request.GET.get("from") else "",
            "export_query": query.urlencode(),
            # json_script ids: "chart-<key>", each read by the <canvas data-chart="<key>">
            "charts": {f"chart-{key}": chart for key, chart in chart_data(figures).items()},
        },
    )


def chart_data(figures: Dashboard) -> dict[str, Any]:
    """What analytics.js draws, embedded in the page with json_script: labels and numbers only."""
    days = [date_format(day, "SHORT_DATE_FORMAT") for day in figures.period.dates()]
    return {
        "audience": {
            "type": "line",
            "labels": days,
            "datasets": [{"label": s.label, "data": s.values} for s in figures.audience.networks],
        },
        "content_types": _groups_chart(figures.content_types),
        "weekdays": _groups_chart(figures.weekday_hour.by_weekday),
        "hours": _groups_chart(figures.weekday_hour.by_hour),
        "tags": _groups_chart(figures.tags),
        "campaigns": _groups_chart(figures.campaigns),
        "negative": {
            "type": "line",
            "labels": days,
            "unit": "%",
            "datasets": [
                {
                    "label": _("Share of negative feedback"),
                    "data": [
                        round(100 * d.share, 1) if d.share is not None else None for d in figures.negative
                    ],
                }
            ],
        },
    }


def _groups_chart(groups: Sequence[GroupFigure]) -> dict[str, Any]:
    """Bars per group: the engagement rate in percent, or engagements per post where no impressions exist."""
    datasets = [
        {
            "label": _("Engagement rate (%)"),
            "data": [None if g.per_post else g.rate_display for g in groups],
        }
    ]
    if any(g.per_post and g.posts for g in groups):
        datasets.append(
            {
                "label": _("Engagements per post (no impressions reported)"),
                "data": [g.rate_display if g.per_post else None for g in groups],
            }
        )
    return {"type": "bar", "labels": [g.label for g in groups], "datasets": datasets}


urlpatterns: list[URLPattern] = [
    path("o/<slug:org>/analytics/", dashboard_page, name="dashboard"),
]
