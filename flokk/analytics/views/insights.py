"""Analytics pages: insights (the best time to post per network, and the learnings)."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.urls import URLPattern, path

from flokk.analytics.models import Learning
from flokk.analytics.services import best_time, learnings
from flokk.analytics.templatetags.analytics_insights import describe_best_time, hours_label, weekday_name
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

MAX_LEARNINGS = 50


@dataclass(frozen=True)
class Cell:
    slot: best_time.Slot | None
    best: bool
    default: bool


@dataclass(frozen=True)
class Grid:
    """One network's weekday x block table, for the page."""

    network: str
    label: str
    result: best_time.BestTime
    summary: str
    rows: list[tuple[str, list[Cell]]]


def grid_of(result: best_time.BestTime, label: str) -> Grid:
    best = result.best
    rows = []
    for weekday in best_time.WEEKDAYS:
        cells = []
        for block in best_time.BLOCKS:
            is_best = best is not None and (best.weekday, best.block) == (weekday, block)
            is_default = result.is_default and result.is_default_slot(weekday, block)
            cells.append(Cell(result.slot(weekday, block), is_best, is_default))
        rows.append((weekday_name(weekday), cells))
    return Grid(result.network, label, result, describe_best_time(result), rows)


@org_permission("analysis.view")
def insights(request: OrgRequest) -> HttpResponse:
    results = best_time.best_times_for(request.org)
    connected = Account.objects.for_org(request.org).values_list("network", flat=True).order_by().distinct()
    labels = dict(Network.choices)
    networks = sorted(set(results) | set(connected), key=lambda network: str(labels.get(network, network)))
    grids = [
        grid_of(best_time.for_network(results, network), str(labels.get(network, network)))
        for network in networks
    ]
    stored = Learning.objects.filter(organization=request.org).order_by("-confidence", "-effect")[
        :MAX_LEARNINGS
    ]
    context = {
        "grids": grids,
        "blocks": [hours_label(block, block + best_time.BLOCK_HOURS) for block in best_time.BLOCKS],
        "learnings": [(item, learnings.subject(item), learnings.describe(item)) for item in stored],
        "min_posts": best_time.MIN_POSTS,
    }
    return render_page(request, "analytics/pages/insights.html", context)


urlpatterns: list[URLPattern] = [
    path("o/<slug:org>/analytics/insights/", insights, name="insights"),
]
