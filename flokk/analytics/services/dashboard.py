"""The dashboard's figures, read from the rollups: KPI cards, audience growth, engagement by group, posts
against history, response times, negative feedback, spend against results.

Every function answers for one organization and one `Period` of its own calendar days, in a handful of
queries on the rollups (plus deliveries, posts and campaigns for their labels), never on raw events. Each
returns plain dataclasses of numbers and labels; the page, the CSV export and the monthly report lay them
out as they need.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, JSONField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from flokk.analytics.choices import ENGAGEMENT_KINDS, EventKind
from flokk.analytics.models import (
    NONE,
    DailyRollup,
    MetricSnapshot,
    OrganizationDailyRollup,
    PostSummary,
    RefreshState,
)
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.models import BudgetLine, Campaign
from flokk.content.services.csv_posts import BOM, escape_cell
from flokk.inbox.choices import Direction, Sentiment
from flokk.inbox.models import Message
from flokk.inbox.services import reports
from flokk.publishing.models import Delivery
from flokk.strategy.choices import Direction as GoalDirection
from flokk.strategy.choices import Metric
from flokk.strategy.models import KPI
from flokk.teams.models import Organization

ENGAGEMENTS = tuple(str(kind) for kind in ENGAGEMENT_KINDS)
CLICKS = (str(EventKind.LINK_CLICK), str(EventKind.CLICK))
IMPRESSION = str(EventKind.IMPRESSION)
FOLLOWER = str(EventKind.FOLLOWER)
CONVERSION = str(EventKind.CONVERSION)
POSTS_SHOWN = 50  # on the dashboard, in the table of posts against history
HISTORY_LIMIT = 2_000  # earlier deliveries a post is compared with: the most recent ones


# --- the period ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    """Days of the organization's calendar from `start` up to, not including, `end`."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware instants: local midnight of `start` and of `end`."""
        return (
            dt.datetime.combine(self.start, dt.time(), tzinfo=zone),
            dt.datetime.combine(self.end, dt.time(), tzinfo=zone),
        )

    @classmethod
    def last_days(cls, days: int, today: dt.date) -> Period:
        """The `days` days up to and including `today`."""
        return cls(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))


def zone_of(organization: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone_of(organization)).date()


def rate(engagements: int, impressions: int) -> float | None:
    return engagements / impressions if impressions > 0 else None


# --- KPI cards -----------------------------------------------------------------------------------------
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


# --- audience --------------------------------------------------------------------------------------------
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


def network_label(network: str) -> str:
    if network in Network.values:
        return str(Network(network).label)
    return network or _("No network")


# --- engagement by group ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PublishedPost:
    """A delivery published in the period, with what it collected over its life so far."""

    delivery_id: uuid.UUID
    post_id: uuid.UUID
    network: str
    account: str
    published_at: dt.datetime  # in the organization's time zone
    text: str
    content_type: str
    tags: list[str]
    campaign_id: uuid.UUID | None
    campaign: str
    impressions: int
    engagements: int

    @property
    def rate(self) -> float | None:
        return rate(self.engagements, self.impressions)

    @property
    def network_label(self) -> str:
        return network_label(self.network)


@dataclass
class GroupFigure:
    """Engagement of the posts in one group: over impressions, or per post where no impressions exist.

    Where some posts of the group have impressions and others do not (Bluesky reports none), the rate
    counts only the posts with impressions, so posts without them do not inflate it.
    """

    key: str
    label: str
    posts: int = 0
    impressions: int = 0
    engagements: int = 0
    engagements_seen: int = 0  # of the posts with impressions

    def add(self, post: PublishedPost) -> None:
        self.posts += 1
        self.impressions += post.impressions
        self.engagements += post.engagements
        if post.impressions > 0:
            self.engagements_seen += post.engagements

    @property
    def per_post(self) -> bool:
        """Whether the rate is engagements per post (no impressions known) rather than a share."""
        return self.impressions <= 0

    @property
    def rate(self) -> float:
        if self.impressions > 0:
            return self.engagements_seen / self.impressions
        return self.engagements / self.posts if self.posts else 0.0

    @property
    def rate_display(self) -> float:
        """Percent of impressions, or engagements per post: what the charts draw."""
        return round(self.rate if self.per_post else 100 * self.rate, 2)


def published_posts(organization: Organization, period: Period, network: str = "") -> list[PublishedPost]:
    """Deliveries published in the period, newest first, with their lifetime impressions and engagements.

    One query: the deliveries with their labels and their post summaries.
    """
    zone = zone_of(organization)
    since, until = period.bounds(zone)
    deliveries = _published(organization, network).filter(published_at__gte=since, published_at__lt=until)
    rows = deliveries.annotate(
        impressions=_summed(organization, "impressions"), engagements=_summed(organization, "engagements")
    ).values_list(
        "pk", "post_id", "account__network", "account__handle", "published_at", "variant__text",
        "post__content_type", "post__tags", "post__campaign_id", "post__campaign__name", "impressions",
        "engagements",
    )  # fmt: skip
    posts = []
    for pk, post, net, handle, published, text, content_type, tags, campaign, name, seen, engaged in rows:
        assert published is not None  # the filter on published_at
        posts.append(
            PublishedPost(
                delivery_id=pk,
                post_id=post,
                network=net,
                account=handle,
                published_at=published.astimezone(zone),
                text=text,
                content_type=content_type,
                tags=[str(tag) for tag in tags or [] if str(tag).strip()],
                campaign_id=campaign,
                campaign=name or "",
                impressions=seen,
                engagements=engaged,
            )
        )
    return posts


def _published(organization: Organization, network: str) -> Any:
    """The organization's published deliveries (on `network`), newest first: on the (organization,
    published_at) index."""
    deliveries = Delivery.objects.filter(organization=organization, published_at__isnull=False)
    if network:
        deliveries = deliveries.filter(account__network=network)
    return deliveries.order_by("-published_at", "-pk")


def _summed(organization: Organization, figure: str) -> Coalesce:
    """A delivery's lifetime `figure` ("impressions" or "engagements") from its post summary, 0 without."""
    summary = PostSummary.objects.filter(organization=organization, delivery_id=OuterRef("pk"))
    return Coalesce(Subquery(summary.values(figure)[:1]), Value(0))


def _grouped(
    posts: Iterable[PublishedPost], keys: Callable[[PublishedPost], list[tuple[str, str]]]
) -> list[GroupFigure]:
    """Posts into groups: `keys(post)` gives (key, label) pairs, a post may be in several groups."""
    groups: dict[str, GroupFigure] = {}
    for post in posts:
        for key, label in keys(post):
            groups.setdefault(key, GroupFigure(key, label)).add(post)
    return sorted(groups.values(), key=lambda g: (-g.rate if not g.per_post else 0, g.per_post, g.label))


def _content_type_key(post: PublishedPost) -> list[tuple[str, str]]:
    return [(post.content_type, post.content_type or _("No content type"))]


def _tag_keys(post: PublishedPost) -> list[tuple[str, str]]:
    return [(tag.casefold(), tag) for tag in dict.fromkeys(post.tags)]


def _campaign_key(post: PublishedPost) -> list[tuple[str, str]]:
    return [(str(post.campaign_id or ""), post.campaign or _("No campaign"))]


def engagement_by_content_type(
    organization: Organization, period: Period, network: str = ""
) -> list[GroupFigure]:
    """Per content type of the posts published in the period. Two queries."""
    return _grouped(
        published_posts(organization, period, network),
        _content_type_key,
    )


def engagement_by_tag(organization: Organization, period: Period, network: str = "") -> list[GroupFigure]:
    """Per angle tag (a post with two tags counts in both; untagged posts in none). Two queries."""
    return _grouped(
        published_posts(organization, period, network),
        _tag_keys,
    )


def engagement_by_campaign(
    organization: Organization, period: Period, network: str = ""
) -> list[GroupFigure]:
    """Per campaign, and the posts outside any campaign. Two queries."""
    return _grouped(
        published_posts(organization, period, network),
        _campaign_key,
    )


@dataclass(frozen=True)
class HeatCell:
    group: GroupFigure
    level: int  # 1..5: how its rate compares with the best cell's


@dataclass(frozen=True)
class WeekdayHour:
    """Engagement by the local weekday (0 = Monday) and hour of publication: a 7 x 24 grid."""

    cells: dict[tuple[int, int], GroupFigure]
    by_weekday: list[GroupFigure]
    by_hour: list[GroupFigure]

    def rows(self) -> list[tuple[str, list[HeatCell | None]]]:
        """Per weekday its label and 24 cells (None where nothing was published), shaded against the best."""
        best: dict[bool, float] = defaultdict(float)
        for cell in self.cells.values():
            best[cell.per_post] = max(best[cell.per_post], cell.rate)

        def heat(cell: GroupFigure | None) -> HeatCell | None:
            if cell is None:
                return None
            top = best[cell.per_post]
            return HeatCell(cell, 1 + round(4 * cell.rate / top) if top > 0 else 1)

        return [
            (self.by_weekday[day].label, [heat(self.cells.get((day, hour))) for hour in range(24)])
            for day in range(7)
        ]


def engagement_by_weekday_hour(organization: Organization, period: Period, network: str = "") -> WeekdayHour:
    """Per weekday and hour the posts were published, in the organization's time zone. Two queries."""
    return _weekday_hour(published_posts(organization, period, network))


def _weekday_hour(posts: Iterable[PublishedPost]) -> WeekdayHour:
    cells: dict[tuple[int, int], GroupFigure] = {}
    weekdays = {day: GroupFigure(str(day), str(WEEKDAYS[day])) for day in range(7)}
    hours = {hour: GroupFigure(str(hour), f"{hour:02d}") for hour in range(24)}
    for post in posts:
        day, hour = post.published_at.weekday(), post.published_at.hour
        cells.setdefault((day, hour), GroupFigure(f"{day}-{hour}", f"{WEEKDAYS[day]} {hour:02d}")).add(post)
        weekdays[day].add(post)
        hours[hour].add(post)
    return WeekdayHour(cells, list(weekdays.values()), list(hours.values()))


# --- each post against history ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PostAgainstHistory:
    post: PublishedPost
    earlier_posts: int  # the organization's earlier posts on the same network
    percentile: float | None  # share of those with fewer engagements (ties count half), 0..100


def posts_vs_history(
    organization: Organization, period: Period, limit: int = POSTS_SHOWN, network: str = ""
) -> list[PostAgainstHistory]:
    """The period's latest `limit` posts, each with its percentile among the organization's earlier posts
    on the same network (by engagements; of its HISTORY_LIMIT most recent posts). Four queries."""
    return _against_history(
        organization, period, published_posts(organization, period, network)[:limit], network
    )


def _against_history(
    organization: Organization, period: Period, posts: list[PublishedPost], network: str
) -> list[PostAgainstHistory]:
    """`posts` are the newest of the period, in `published_posts` order: so they are the first rows of the
    history up to the newest of them, read newest first in that same order (a post published meanwhile is
    newer, so not in it). One query."""
    if not posts:
        return []
    newest = posts[0]
    up_to_newest = Q(published_at__lt=newest.published_at) | Q(
        published_at=newest.published_at, pk__lte=newest.delivery_id
    )
    history = list(
        _published(organization, network)
        .filter(up_to_newest)
        .annotate(engagements=_summed(organization, "engagements"))
        .values_list("account__network", "engagements")[:HISTORY_LIMIT]
    )
    # Walk forward in time; each network's earlier engagements stay sorted for bisect.
    seen: dict[str, list[int]] = defaultdict(list)
    found: list[PostAgainstHistory] = []
    for index in range(len(history) - 1, -1, -1):
        net, engagements = history[index]
        earlier_ones = seen[net]
        if index < len(posts):
            below = bisect.bisect_left(earlier_ones, engagements)
            ties = bisect.bisect_right(earlier_ones, engagements) - below
            count = len(earlier_ones)
            percentile = round(100 * (below + ties / 2) / count, 1) if count else None
            found.append(PostAgainstHistory(posts[index], count, percentile))
        bisect.insort(earlier_ones, engagements)
    found.reverse()
    return found


# --- inbox -----------------------------------------------------------------------------------------------
def response_times(organization: Organization, period: Period) -> dict[str, list[reports.ResponseRow]]:
    """First-response figures of conversations that started in the period (the inbox's own report)."""
    since, until = period.bounds(zone_of(organization))
    return reports.response_times(organization, since, until)


@dataclass(frozen=True)
class DayShare:
    day: dt.date
    messages: int  # inbound messages whose sentiment is known
    negative: int

    @property
    def share(self) -> float | None:
        return self.negative / self.messages if self.messages else None


def negative_share(organization: Organization, period: Period) -> list[DayShare]:
    """Per day, the share of inbound messages (of those with a known sentiment) that were negative.

    One query, counted in the database on the (organization, received_at) index.
    """
    zone = zone_of(organization)
    since, until = period.bounds(zone)
    rows = (
        Message.objects.filter(organization=organization, received_at__gte=since, received_at__lt=until)
        .filter(direction=Direction.INBOUND)
        .exclude(sentiment="")
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(messages=Count("pk"), negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .order_by()
    )
    counted = {row["day"]: (row["messages"], row["negative"]) for row in rows}
    return [DayShare(day, *counted.get(day, (0, 0))) for day in period.dates()]


# --- spend against results -------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpendRow:
    """A campaign's planned budget (the whole campaign's) against what it earned in the period."""

    campaign_id: uuid.UUID
    campaign: str
    budget: dict[str, Decimal] = field(default_factory=dict)  # currency -> planned amount
    clicks: int = 0
    conversions: int = 0
    engagements: int = 0

    @property
    def currency(self) -> str:
        return next(iter(self.budget)) if len(self.budget) == 1 else ""

    @property
    def planned(self) -> Decimal | None:
        return self.budget[self.currency] if self.currency else None

    def cost_per(self, results: int) -> Decimal | None:
        if self.planned is None or results <= 0:
            return None
        return (self.planned / results).quantize(Decimal("0.01"))

    @property
    def cost_per_click(self) -> Decimal | None:
        return self.cost_per(self.clicks)

    @property
    def cost_per_conversion(self) -> Decimal | None:
        return self.cost_per(self.conversions)

    @property
    def cost_per_engagement(self) -> Decimal | None:
        return self.cost_per(self.engagements)


def spend_vs_results(organization: Organization, period: Period) -> list[SpendRow]:
    """Campaigns running in the period or with results in it: planned budget, clicks (network link clicks
    and short-link clicks), conversions and engagements, and the cost of each. Three queries."""
    results = (
        DailyRollup.objects.filter(organization=organization, day__gte=period.start, day__lt=period.end)
        .exclude(campaign_id=NONE)
        .filter(kind__in=(*CLICKS, CONVERSION, *ENGAGEMENTS))
        .values("campaign_id")
        .annotate(
            clicks=Sum("total", filter=Q(kind__in=CLICKS)),
            conversions=Sum("total", filter=Q(kind=CONVERSION)),
            engagements=Sum("total", filter=Q(kind__in=ENGAGEMENTS)),
        )
        .order_by()
    )
    earned: dict[uuid.UUID, dict[str, Any]] = {row["campaign_id"]: dict(row) for row in results}
    campaigns = list(
        Campaign.objects.filter(organization=organization)
        .filter(Q(starts_on__lt=period.end, ends_on__gte=period.start) | Q(pk__in=list(earned)))
        .order_by("-starts_on", "name")
        .values_list("pk", "name")
    )
    budgets: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(dict)
    lines = (
        BudgetLine.objects.filter(campaign__in=[pk for pk, _name in campaigns])
        .values("campaign_id", "currency")
        .annotate(planned=Sum("planned_amount"))
        .order_by()
    )
    for line in lines:
        budgets[line["campaign_id"]][line["currency"]] = line["planned"]
    rows = []
    for pk, name in campaigns:
        row = earned.get(pk, {})
        rows.append(
            SpendRow(
                campaign_id=pk,
                campaign=name,
                budget=dict(sorted(budgets.get(pk, {}).items())),
                clicks=row.get("clicks") or 0,
                conversions=row.get("conversions") or 0,
                engagements=row.get("engagements") or 0,
            )
        )
    return rows


# --- freshness and gaps ----------------------------------------------------------------------------------
def data_as_of(organization: Organization) -> dt.datetime | None:
    """When the rollups last took in events for this organization."""
    return (
        RefreshState.objects.filter(organization=organization)
        .order_by("pk")
        .values_list("refreshed_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class NetworkGaps:
    network: str
    label: str
    missing: list[str]  # labels of the kinds the network does not report
    demo: bool  # the figures are made up by the sandbox


def missing_metrics(organization: Organization, network: str = "") -> list[NetworkGaps]:
    """Per network, what its latest metric reading says the network does not report. One query."""
    latest = MetricSnapshot.objects.filter(account=OuterRef("pk")).order_by("-taken_at")
    accounts = Account.objects.filter(organization=organization)
    if network:
        accounts = accounts.filter(network=network)
    rows = accounts.annotate(
        missing=Subquery(latest.values("missing")[:1], output_field=JSONField()),
        demo=Subquery(latest.values("demo")[:1]),
    ).values_list("network", "missing", "demo")
    gaps: dict[str, set[str]] = {}
    demo: dict[str, bool] = {}
    for net, missing, is_demo in rows:
        if missing is None:
            continue  # no reading yet
        gaps.setdefault(net, set()).update(str(kind) for kind in missing or [])
        demo[net] = demo.get(net, False) or bool(is_demo)
    found = []
    for net in sorted(gaps):
        labels = [
            str(EventKind(kind).label) if kind in EventKind.values else kind for kind in sorted(gaps[net])
        ]
        if labels or demo[net]:
            found.append(NetworkGaps(net, network_label(net), labels, demo[net]))
    return found


# --- the whole dashboard ---------------------------------------------------------------------------------
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
        content_types=_grouped(posts, _content_type_key),
        weekday_hour=_weekday_hour(posts),
        tags=_grouped(posts, _tag_keys),
        campaigns=_grouped(posts, _campaign_key),
        posts=_against_history(organization, period, posts[:POSTS_SHOWN], network),
        response_times=response_times(organization, period),
        negative=negative_share(organization, period),
        spend=spend_vs_results(organization, period),
        as_of=data_as_of(organization),
        gaps=missing_metrics(organization, network),
    )


# --- CSV -------------------------------------------------------------------------------------------------
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
