"""Gathering the month's report from the dashboard's queries, the goals and the action plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from flokk.analytics.services import dashboard
from flokk.analytics.services.dashboard import Period
from flokk.analytics.services.report.data import (
    DATE,
    MINUTES,
    MONEY,
    NEEDS_AHEAD_DAYS,
    PERCENT,
    TEXT,
    Chart,
    Column,
    Report,
    ReportTable,
    Section,
    next_month,
)
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.strategy.models import Goal, Milestone, Resource
from flokk.teams.models import Organization


def monthly_report(organization: Organization, month: dt.date) -> Report:
    """The report of the calendar month that contains `month` (the organization's days)."""
    start = month.replace(day=1)
    period = Period(start, next_month(start))
    sections = [
        _goals_section(organization, period),
        _content_section(organization, period),
        _spend_section(organization, period),
        _responses_section(organization, period),
        _needs_section(organization, period),
    ]
    return Report(
        organization_name=organization.name,
        organization_slug=organization.slug,
        month=start,
        period=period,
        kpis=list(dashboard.kpi_cards(organization, period)),
        sections=sections,
        created_at=timezone.now(),
    )


def _goals_section(organization: Organization, period: Period) -> Section:
    goals = ReportTable(
        "goals",
        gettext_lazy("Goals"),
        [
            Column("goal", gettext_lazy("Goal"), TEXT),
            Column("kpi", gettext_lazy("KPI"), TEXT),
            Column("latest", gettext_lazy("Latest value")),
            Column("target", gettext_lazy("Target")),
            Column("progress", gettext_lazy("Progress"), PERCENT),
            Column("deadline", gettext_lazy("Deadline"), DATE),
        ],
        empty=gettext_lazy("No goals yet."),
    )
    for goal in Goal.objects.for_org(organization).with_progress().filter(deadline__gte=period.start):
        kpis = list(goal.kpis.all())
        if not kpis:
            goals.rows.append([goal.title, "", None, None, goal.progress_percent, goal.deadline])
        for kpi in kpis:
            goals.rows.append(
                [
                    goal.title,
                    kpi.metric_name,
                    kpi.latest_value(),
                    kpi.target_value,
                    kpi.progress_percent,
                    goal.deadline,
                ]
            )
    milestones = ReportTable(
        "milestones",
        gettext_lazy("Milestones reached this month"),
        [
            Column("milestone", gettext_lazy("Milestone"), TEXT),
            Column("goal", gettext_lazy("Goal"), TEXT),
            Column("target", gettext_lazy("Target")),
            Column("reached", gettext_lazy("Reached"), DATE),
        ],
        empty=gettext_lazy("No milestone was reached this month."),
    )
    zone = dashboard.zone_of(organization)
    start, end = period.bounds(zone)
    reached = (
        Milestone.objects.filter(organization=organization, reached_at__gte=start, reached_at__lt=end)
        .select_related("kpi__goal")
        .order_by("reached_at")
    )
    for milestone in reached:
        assert milestone.reached_at is not None
        milestones.rows.append(
            [
                milestone.title,
                milestone.kpi.goal.title,
                milestone.target_value,
                milestone.reached_at.astimezone(zone).date(),
            ]
        )
    return Section("goals", gettext_lazy("Goals and progress"), [goals, milestones])


def _content_section(organization: Organization, period: Period) -> Section:
    growth = dashboard.audience_growth(organization, period)
    content = dashboard.engagement_by_content_type(organization, period)
    campaigns = dashboard.engagement_by_campaign(organization, period)
    section = Section("content", gettext_lazy("Content and reach"))
    section.charts.append(_audience_chart(growth))
    section.tables.append(_audience_table(growth))
    section.tables.append(_content_table(content))
    section.tables.append(_campaign_table(campaigns))
    return section


def _spend_section(organization: Organization, period: Period) -> Section:
    return Section(
        "spend",
        gettext_lazy("Spend and return"),
        [_spend_table(dashboard.spend_vs_results(organization, period))],
    )


def _responses_section(organization: Organization, period: Period) -> Section:
    return Section(
        "responses",
        gettext_lazy("Response times"),
        [
            _response_table(dashboard.response_times(organization, period)),
            _negative_table(dashboard.negative_share(organization, period)),
        ],
    )


def _needs_section(organization: Organization, period: Period) -> Section:
    """The plan's resources still to come, and the posts waiting in approval (the team's bottleneck)."""
    resources = ReportTable(
        "needs",
        gettext_lazy("Resources the plan adds"),
        [
            Column("name", gettext_lazy("Resource"), TEXT),
            Column("kind", gettext_lazy("Kind"), TEXT),
            Column("arrives_on", gettext_lazy("Arrives on"), DATE),
            Column("note", gettext_lazy("Note"), TEXT),
        ],
        empty=gettext_lazy("The action plan adds no resources in the coming months."),
    )
    horizon = period.end + dt.timedelta(days=NEEDS_AHEAD_DAYS)
    for resource in Resource.objects.filter(
        organization=organization, arrives_on__gte=period.start, arrives_on__lt=horizon
    ).order_by("arrives_on", "name"):
        resources.rows.append(
            [resource.name, resource.get_kind_display(), resource.arrives_on, resource.note]
        )
    waiting = ReportTable(
        "waiting",
        gettext_lazy("Posts waiting"),
        [
            Column("status", gettext_lazy("Status"), TEXT),
            Column("posts", gettext_lazy("Posts")),
            Column("since", gettext_lazy("Oldest waiting since"), DATE),
        ],
        empty=gettext_lazy("No posts are waiting for approval or changes."),
    )
    zone = dashboard.zone_of(organization)
    for status in (PostStatus.IN_REVIEW, PostStatus.CHANGES_REQUESTED):
        posts = Post.objects.filter(organization=organization, status=status)
        oldest = posts.order_by("updated_at").values_list("updated_at", flat=True).first()
        if oldest is not None:
            waiting.rows.append([status.label, posts.count(), oldest.astimezone(zone).date()])
    return Section("needs", gettext_lazy("What the team needs"), [resources, waiting])


def _audience_chart(growth: dashboard.AudienceGrowth) -> Chart:
    totals = [
        float(sum(series.values[i] or 0 for series in growth.networks)) for i in range(len(growth.days))
    ]
    return Chart(
        "audience",
        gettext_lazy("Followers, all networks"),
        list(growth.days),
        totals if growth.networks else [],
        "line",
    )


def _audience_table(growth: dashboard.AudienceGrowth) -> ReportTable:
    table = ReportTable(
        "audience",
        gettext_lazy("Audience"),
        [
            Column("network", gettext_lazy("Network"), TEXT),
            Column("followers", gettext_lazy("Followers at month end")),
        ],
    )
    for series in growth.networks:
        table.rows.append([series.label, series.values[-1] if series.values else None])
    return table


def _group_table(
    key: str, title: str | Promise, label: str | Promise, groups: Sequence[dashboard.GroupFigure]
) -> ReportTable:
    table = ReportTable(
        key,
        title,
        [
            Column("group", label, TEXT),
            Column("posts", gettext_lazy("Posts")),
            Column("impressions", gettext_lazy("Impressions")),
            Column("engagements", gettext_lazy("Engagements")),
            Column("engagement_rate", gettext_lazy("Engagement rate"), PERCENT),
            Column("per_post", gettext_lazy("Engagements per post")),
        ],
        empty=gettext_lazy("No posts were published this month."),
    )
    for group in groups:
        table.rows.append(
            [
                group.label,
                group.posts,
                group.impressions,
                group.engagements,
                None if group.per_post else round(100 * group.rate, 2),
                round(group.engagements / group.posts, 2) if group.posts else None,
            ]
        )
    return table


def _content_table(groups: Sequence[dashboard.GroupFigure]) -> ReportTable:
    return _group_table(
        "content_types", gettext_lazy("Engagement by content type"), gettext_lazy("Content type"), groups
    )


def _campaign_table(groups: Sequence[dashboard.GroupFigure]) -> ReportTable:
    return _group_table("campaigns", gettext_lazy("Engagement by campaign"), gettext_lazy("Campaign"), groups)


def _spend_table(rows: Sequence[dashboard.SpendRow]) -> ReportTable:
    table = ReportTable(
        "spend",
        gettext_lazy("Planned budget against results"),
        [
            Column("campaign", gettext_lazy("Campaign"), TEXT),
            Column("budget", gettext_lazy("Planned budget"), MONEY),
            Column("currency", gettext_lazy("Currency"), TEXT),
            Column("clicks", gettext_lazy("Clicks")),
            Column("conversions", gettext_lazy("Conversions")),
            Column("engagements", gettext_lazy("Engagements")),
            Column("cost_per_click", gettext_lazy("Cost per click"), MONEY),
            Column("cost_per_conversion", gettext_lazy("Cost per conversion"), MONEY),
        ],
        empty=gettext_lazy("No campaigns ran this month."),
    )
    for row in rows:
        table.rows.append(
            [
                row.campaign,
                row.planned,
                row.currency or " ".join(row.budget),
                row.clicks,
                row.conversions,
                row.engagements,
                row.cost_per_click,
                row.cost_per_conversion,
            ]
        )
    return table


# The inbox's report also groups by person; management gets teams and networks.
RESPONSE_GROUPS = {"team": gettext_lazy("Team"), "network": gettext_lazy("Network")}


def _response_table(figures: dict[str, list[Any]]) -> ReportTable:
    table = ReportTable(
        "response_times",
        gettext_lazy("First answers to conversations that started this month"),
        [
            Column("dimension", gettext_lazy("By"), TEXT),
            Column("group", gettext_lazy("Group"), TEXT),
            Column("conversations", gettext_lazy("Conversations")),
            Column("answered", gettext_lazy("Answered")),
            Column("median_minutes", gettext_lazy("Median time to first answer"), MINUTES),
            Column("within_target", gettext_lazy("Within target"), PERCENT),
        ],
        empty=gettext_lazy("No conversations started this month."),
    )
    for dimension, label in RESPONSE_GROUPS.items():
        for row in figures.get(dimension, []):
            table.rows.append(
                [
                    label,
                    row.label,
                    row.conversations,
                    row.answered,
                    row.median_minutes,
                    row.within_target_percent,
                ]
            )
    return table


def _negative_table(days: Sequence[dashboard.DayShare]) -> ReportTable:
    table = ReportTable(
        "negative",
        gettext_lazy("Negative feedback"),
        [
            Column("messages", gettext_lazy("Messages with a known tone")),
            Column("negative", gettext_lazy("Negative")),
            Column("share", gettext_lazy("Share negative"), PERCENT),
        ],
        empty=gettext_lazy("No messages this month."),
    )
    messages = sum(day.messages for day in days)
    negative = sum(day.negative for day in days)
    if messages:
        table.rows.append([messages, negative, round(100 * negative / messages, 1)])
    return table
