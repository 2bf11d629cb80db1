"""Every dashboard table as rows and as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from flokk.analytics.services.dashboard.cards import audience_growth, kpi_cards
from flokk.analytics.services.dashboard.common import Period
from flokk.analytics.services.dashboard.feedback import negative_share, response_times
from flokk.analytics.services.dashboard.posts import (
    GroupFigure,
    engagement_by_campaign,
    engagement_by_content_type,
    engagement_by_tag,
    engagement_by_weekday_hour,
    posts_vs_history,
)
from flokk.analytics.services.dashboard.spend import spend_vs_results
from flokk.content.services.csv_posts import BOM, escape_cell
from flokk.teams.models import Organization

EXPORTS = (
    "kpis", "audience", "content_types", "weekday_hour", "tags", "campaigns", "posts", "response_times",
    "negative", "spend",
)  # fmt: skip


def export_table(
    organization: Organization, table: str, period: Period, network: str = ""
) -> list[list[Any]]:
    """One dashboard table as rows, its header first. Raises KeyError for an unknown table."""
    if table not in EXPORTS:
        raise KeyError(table)
    if table == "kpis":
        return [
            [_("Figure"), _("Value"), _("Previous period"), _("Change"), _("Target"), _("Progress")],
            *(
                [
                    c.label,
                    c.value,
                    c.previous_value,
                    _fraction(c.change),
                    c.goal_target,
                    _fraction(c.goal_progress),
                ]
                for c in kpi_cards(organization, period, network)
            ),
        ]
    if table == "audience":
        growth = audience_growth(organization, period, network)
        return [
            [_("Day"), *(series.label for series in growth.networks)],
            *(
                [day.isoformat(), *(s.values[i] for s in growth.networks)]
                for i, day in enumerate(growth.days)
            ),
        ]
    if table in ("content_types", "tags", "campaigns"):
        grouping = {
            "content_types": engagement_by_content_type,
            "tags": engagement_by_tag,
            "campaigns": engagement_by_campaign,
        }[table]
        return _group_rows(grouping(organization, period, network))
    if table == "weekday_hour":
        grid = engagement_by_weekday_hour(organization, period, network)
        return _group_rows([cell.group for _day, cells in grid.rows() for cell in cells if cell is not None])
    if table == "posts":
        return [
            [
                _("Published"), _("Network"), _("Account"), _("Post"), _("Campaign"), _("Impressions"),
                _("Engagements"), _("Earlier posts"), _("Percentile"),
            ],
            *(
                [
                    row.post.published_at.isoformat(), row.post.network, row.post.account, row.post.text,
                    row.post.campaign, row.post.impressions, row.post.engagements, row.earlier_posts,
                    row.percentile,
                ]
                for row in posts_vs_history(organization, period, network=network)
            ),
        ]  # fmt: skip
    if table == "response_times":
        return [
            [_("Group"), "", _("Conversations"), _("Answered"), _("Median minutes"), _("Within target"),
             _("Targets missed")],
            *(
                [dimension, r.label, r.conversations, r.answered, r.median_minutes, r.within_target,
                 r.breached]
                for dimension, rows in response_times(organization, period).items()
                for r in rows
            ),
        ]  # fmt: skip
    if table == "negative":
        return [
            [_("Day"), _("Messages"), _("Negative"), _("Share")],
            *(
                [d.day.isoformat(), d.messages, d.negative, _fraction(d.share)]
                for d in negative_share(organization, period)
            ),
        ]
    return [
        [
            _("Campaign"), _("Planned budget"), _("Currency"), _("Clicks"), _("Conversions"),
            _("Engagements"), _("Cost per click"), _("Cost per conversion"), _("Cost per engagement"),
        ],
        *(
            [
                row.campaign, row.planned, row.currency or " ".join(row.budget), row.clicks, row.conversions,
                row.engagements, row.cost_per_click, row.cost_per_conversion, row.cost_per_engagement,
            ]
            for row in spend_vs_results(organization, period)
        ),
    ]  # fmt: skip


def _group_rows(groups: Sequence[GroupFigure]) -> list[list[Any]]:
    return [
        [_("Group"), _("Posts"), _("Impressions"), _("Engagements"), _("Engagement rate"), _("Per post")],
        *(
            [
                g.label,
                g.posts,
                g.impressions,
                g.engagements,
                None if g.per_post else round(g.rate, 4),
                g.per_post,
            ]
            for g in groups
        ),
    ]


def _fraction(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def rows_csv(rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV (semicolons, as spreadsheets in the Nordics expect), every cell safe from formulas."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";")
    for row in rows:
        writer.writerow(escape_cell("" if cell is None else str(cell)) for cell in row)
    return out.getvalue()
