"""The dashboard's figures, read from the rollups: KPI cards, audience growth, engagement by group, posts
against history, response times, negative feedback, spend against results.

Every function answers for one organization and one `Period` of its own calendar days, in a handful of
queries on the rollups (plus deliveries, posts and campaigns for their labels), never on raw events. Each
returns plain dataclasses of numbers and labels; the page, the CSV export and the monthly report lay them
out as they need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flokk.analytics.services.dashboard.cards import (
    CARD_METRICS,
    AudienceGrowth,
    KpiCard,
    Series,
    audience_growth,
    kpi_cards,
)
from flokk.analytics.services.dashboard.common import Period, local_today, network_label, rate, zone_of
from flokk.analytics.services.dashboard.export import EXPORTS, export_table, rows_csv
from flokk.analytics.services.dashboard.feedback import DayShare, negative_share, response_times
from flokk.analytics.services.dashboard.freshness import NetworkGaps, data_as_of, missing_metrics
from flokk.analytics.services.dashboard.posts import (
    POSTS_SHOWN,
    GroupFigure,
    HeatCell,
    PostAgainstHistory,
    PublishedPost,
    WeekdayHour,
    against_history,
    by_campaign,
    by_content_type,
    by_tag,
    by_weekday_hour,
    engagement_by_campaign,
    engagement_by_content_type,
    engagement_by_tag,
    engagement_by_weekday_hour,
    posts_vs_history,
    published_posts,
)
from flokk.analytics.services.dashboard.spend import SpendRow, spend_vs_results
from flokk.inbox.services import reports
from flokk.teams.models import Organization

__all__ = [
    "CARD_METRICS", "EXPORTS", "POSTS_SHOWN", "AudienceGrowth", "Dashboard", "DayShare", "GroupFigure",
    "HeatCell", "KpiCard", "NetworkGaps", "Period", "PostAgainstHistory", "PublishedPost", "Series",
    "SpendRow", "WeekdayHour", "audience_growth", "dashboard", "data_as_of", "engagement_by_campaign",
    "engagement_by_content_type", "engagement_by_tag", "engagement_by_weekday_hour", "export_table",
    "kpi_cards", "local_today", "missing_metrics", "negative_share", "network_label", "posts_vs_history",
    "published_posts", "rate", "response_times", "rows_csv", "spend_vs_results", "zone_of",
]  # fmt: skip


@dataclass(frozen=True)
class Dashboard:
    period: Period
    network: str
    cards: list[KpiCard]
    audience: AudienceGrowth
    content_types: list[GroupFigure]
    weekday_hour: WeekdayHour
    tags: list[GroupFigure]
    campaigns: list[GroupFigure]
    posts: list[PostAgainstHistory]
    response_times: dict[str, list[reports.ResponseRow]]
    negative: list[DayShare]
    spend: list[SpendRow]
    as_of: dt.datetime | None
    gaps: list[NetworkGaps]


def dashboard(organization: Organization, period: Period, network: str = "") -> Dashboard:
    """Everything the dashboard page shows. The published posts are read once for all their groupings."""
    posts = published_posts(organization, period, network)
    audience = audience_growth(organization, period, network)
    return Dashboard(
        period=period,
        network=network,
        cards=kpi_cards(organization, period, network, audience=audience),
        audience=audience,
        content_types=by_content_type(posts),
        weekday_hour=by_weekday_hour(posts),
        tags=by_tag(posts),
        campaigns=by_campaign(posts),
        posts=against_history(organization, posts[:POSTS_SHOWN], network),
        response_times=response_times(organization, period),
        negative=negative_share(organization, period),
        spend=spend_vs_results(organization, period),
        as_of=data_as_of(organization),
        gaps=missing_metrics(organization, network),
    )
