"""KPI cards against goals, and audience growth: read from the organization's daily rollup."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from flokk.analytics.models import OrganizationDailyRollup
from flokk.analytics.services.dashboard.common import (
    CLICKS,
    CONVERSION,
    ENGAGEMENTS,
    FOLLOWER,
    IMPRESSION,
    Period,
    network_label,
    rate,
)
from flokk.strategy.choices import Direction as GoalDirection
from flokk.strategy.choices import Metric
from flokk.strategy.models import KPI
from flokk.teams.models import Organization


@dataclass(frozen=True)
class KpiCard:
    """One headline figure of the period, the previous period's, and the goal it serves, if any.

    `unit` is "" for counts and "%" for the engagement rate (then `value` is in percent). `change` is the
    relative change against the previous period (0.25 = 25 % more), None when there is nothing to compare.
    """

    key: str
    label: str
    value: float | None
    previous_value: float | None
    change: float | None
    goal_target: float | None
    goal_progress: float | None
    unit: str = ""
    goal_label: str = ""

    @property
    def change_percent(self) -> int | None:
        return round(100 * self.change) if self.change is not None else None


# card key -> the strategy metric a KPI measures it with (engagements have no metric of their own)
CARD_METRICS = {
    "impressions": Metric.IMPRESSIONS,
    "engagements": None,
    "engagement_rate": Metric.ENGAGEMENT_RATE,
    "followers": Metric.FOLLOWERS,
    "link_clicks": Metric.LINK_CLICKS,
    "conversions": Metric.CONVERSIONS,
}


def kpi_cards(
    organization: Organization,
    period: Period,
    network: str = "",
    *,
    audience: AudienceGrowth | None = None,
) -> list[KpiCard]:
    """Impressions, engagements, engagement rate, followers gained, link clicks and conversions in the
    period, against the previous period and against the organization's KPIs whose period overlaps.

    A KPI counts when it measures the card's metric on the same network (an organization-wide KPI when no
    network is chosen). Progress compares the period's figure with the target (from the KPI's starting value
    when it has one); for followers it compares the audience's size at the end of the period (taken from
    `audience`, the period's `audience_growth`, when the caller has it). The engagement rate counts the
    engagements of the networks that report impressions only (Bluesky reports none, and its likes would
    inflate the rate). Two queries, three without `audience`.
    """
    previous = period.previous()
    kinds = (IMPRESSION, *ENGAGEMENTS, FOLLOWER, *CLICKS, CONVERSION)
    rows = (
        OrganizationDailyRollup.objects.filter(
            organization=organization, day__gte=previous.start, day__lt=period.end
        )
        .filter(Q(network=network) if network else Q(), kind__in=kinds)
        .values("kind", "network")
        .annotate(
            current=Sum("total", filter=Q(day__gte=period.start)),
            before=Sum("total", filter=Q(day__lt=period.start)),
        )
        .order_by()
    )
    now: dict[str, int] = defaultdict(int)
    then: dict[str, int] = defaultdict(int)
    by_network: dict[tuple[str, str, str], int] = defaultdict(int)  # (current/before, network, kind)
    for row in rows:
        now[row["kind"]] += row["current"] or 0
        then[row["kind"]] += row["before"] or 0
        by_network[("now", row["network"], row["kind"])] += row["current"] or 0
        by_network[("then", row["network"], row["kind"])] += row["before"] or 0
    if audience is None:
        audience_size = sum(_followers_before(organization, period.start, network).values()) + now[FOLLOWER]
    else:
        audience_size = sum(int(s.values[-1] or 0) for s in audience.networks if s.values)

    def total(kinds: Iterable[str], figures: dict[str, int]) -> int:
        return sum(figures[kind] for kind in kinds)

    def percent(when: str) -> float | None:
        seen = {net for w, net, kind in by_network if w == when and kind == IMPRESSION}
        seen = {net for net in seen if by_network[(when, net, IMPRESSION)] > 0}
        engagements = sum(by_network[(when, net, kind)] for net in seen for kind in ENGAGEMENTS)
        found = rate(engagements, sum(by_network[(when, net, IMPRESSION)] for net in seen))
        return round(100 * found, 2) if found is not None else None

    figures: dict[str, tuple[float | None, float | None]] = {
        "impressions": (now[IMPRESSION], then[IMPRESSION]),
        "engagements": (total(ENGAGEMENTS, now), total(ENGAGEMENTS, then)),
        "engagement_rate": (percent("now"), percent("then")),
        "followers": (now[FOLLOWER], then[FOLLOWER]),
        "link_clicks": (total(CLICKS, now), total(CLICKS, then)),
        "conversions": (now[CONVERSION], then[CONVERSION]),
    }
    goals = _goals(organization, period, network)
    cards = []
    for key, (value, before) in figures.items():
        metric = CARD_METRICS[key]
        kpi = goals.get(metric) if metric else None
        measured = audience_size if key == "followers" else value
        cards.append(
            KpiCard(
                key=key,
                label=_card_label(key),
                value=value,
                previous_value=before,
                change=_change(value, before),
                goal_target=float(kpi.target_value) if kpi else None,
                goal_progress=_progress(kpi, measured) if kpi else None,
                unit="%" if key == "engagement_rate" else "",
                goal_label=kpi.goal.title if kpi else "",
            )
        )
    return cards


def _card_label(key: str) -> str:
    metric = CARD_METRICS[key]
    if key == "followers":
        return _("Followers gained")
    if metric is None:
        return _("Engagements")
    return str(metric.label)


def _goals(organization: Organization, period: Period, network: str) -> dict[str, KPI]:
    """The KPI for each metric whose period overlaps this one: the one that started last."""
    kpis = (
        KPI.objects.for_org(organization)
        .filter(
            network=network,
            period_start__lt=period.end,
            period_end__gte=period.start,
            metric__in=[m for m in CARD_METRICS.values() if m],
        )
        .select_related("goal")
        .order_by("period_start", "created_at")
    )
    return {kpi.metric: kpi for kpi in kpis}  # later ones replace earlier ones


def _change(value: float | None, before: float | None) -> float | None:
    if value is None or not before:
        return None
    return (value - before) / abs(before)


def _progress(kpi: KPI, value: float | None) -> float | None:
    """How far `value` has come towards the KPI's target, 0..1."""
    if value is None:
        return None
    target = float(kpi.target_value)
    baseline = float(kpi.baseline_value) if kpi.baseline_value is not None else None
    if kpi.direction == GoalDirection.DECREASE:
        if value <= target:
            return 1.0
        if baseline is None or baseline <= target:
            return 0.0
        return _clamp((baseline - value) / (baseline - target))
    start = baseline if baseline is not None else 0.0
    if value >= target:
        return 1.0
    if target <= start:
        return 0.0
    return _clamp((value - start) / (target - start))


def _clamp(share: float) -> float:
    return max(0.0, min(1.0, share))


@dataclass(frozen=True)
class Series:
    """A line or a set of bars: one value per label."""

    label: str
    values: list[float | None]


@dataclass(frozen=True)
class AudienceGrowth:
    days: list[dt.date]
    networks: list[Series]  # followers at the end of each day, one series per network


def audience_growth(organization: Organization, period: Period, network: str = "") -> AudienceGrowth:
    """Followers per network at the end of each day: every follower event up to that day. Two queries."""
    start = _followers_before(organization, period.start, network)
    base = OrganizationDailyRollup.objects.filter(organization=organization, kind=FOLLOWER)
    if network:
        base = base.filter(network=network)
    changes: dict[tuple[str, dt.date], int] = {
        (row["network"], row["day"]): row["followers"] or 0
        for row in base.filter(day__gte=period.start, day__lt=period.end)
        .values("network", "day")
        .annotate(followers=Sum("total"))
        .order_by()
    }
    days = period.dates()
    networks = sorted(set(start) | {net for net, _day in changes})
    series = []
    for net in networks:
        running = start.get(net, 0)
        values: list[float | None] = []
        for day in days:
            running += changes.get((net, day), 0)
            values.append(running)
        series.append(Series(network_label(net), values))
    return AudienceGrowth(days, series)


def _followers_before(organization: Organization, day: dt.date, network: str = "") -> dict[str, int]:
    """Per network, the sum of every follower event before `day`: the audience's size at its start."""
    rows = OrganizationDailyRollup.objects.filter(organization=organization, kind=FOLLOWER, day__lt=day)
    if network:
        rows = rows.filter(network=network)
    return {
        row["network"]: row["followers"] or 0
        for row in rows.values("network").annotate(followers=Sum("total")).order_by()
    }
