"""The calendar's view of time: month, week and list views in the organization's time zone.

Posts are stored in UTC; the calendar shows them on the local day of the organization's time zone, so a
post at 23:30 local lands on its local day even when that is the next UTC day. Ranges are computed from
local midnights, which makes weeks with a daylight-saving change 167 or 169 hours long, as they are.
Weeks start on Monday and carry ISO week numbers.

The grids hold plain `CalendarPost` rows built from one `values()` query (posts joined with their
variants) rather than model instances: a month can hold hundreds of posts, and the cells only need a time,
a status, a short text and the networks. The number of queries does not depend on the number of posts.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.db.models.functions import Substr

from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import Post, PostQuerySet, Variant
from flokk.teams.models import Organization

SUMMARY_LENGTH = 60
# A post in one of these states has left the plan: it cannot be moved on the calendar.
FIXED_STATUSES = frozenset({PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.REJECTED})
# What counts as "actually planned" when the calendar compares with the strategy's frequency targets.
COUNTED_STATUSES = (PostStatus.SCHEDULED, PostStatus.PUBLISHED)


# --- filters -----------------------------------------------------------------------------------------
def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class CalendarFilters:
    """What the calendar is narrowed to: a network, a campaign, a status, a person (the post's author).

    Built from GET parameters or a feed's stored filters; unreadable values are ignored rather than
    refused, so an old bookmark still opens the calendar.
    """

    network: str = ""
    campaign: uuid.UUID | None = None
    status: str = ""
    person: uuid.UUID | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CalendarFilters:
        network = str(params.get("network") or "")
        status = str(params.get("status") or "")
        campaign = params.get("campaign") or ""
        person = params.get("person") or ""
        return cls(
            network=network if network in Network.values else "",
            campaign=_uuid_or_none(campaign) if campaign else None,
            status=status if status in PostStatus.values else "",
            person=_uuid_or_none(person) if person else None,
        )

    def as_params(self) -> dict[str, str]:
        """The filters that are set, as GET parameters (and as a feed's stored `filters`)."""
        params = {
            "network": self.network,
            "campaign": str(self.campaign) if self.campaign else "",
            "status": self.status,
            "person": str(self.person) if self.person else "",
        }
        return {name: value for name, value in params.items() if value}

    def query(self) -> str:
        """`network=x&status=y`: appended to the calendar's links so switching views keeps the filters."""
        return urlencode(self.as_params())

    def __bool__(self) -> bool:
        return bool(self.as_params())


def filter_posts(posts: PostQuerySet, filters: CalendarFilters) -> PostQuerySet:
    """Narrow posts to the filters; a network matches posts that have a variant for it."""
    if filters.network:
        posts = posts.filter(Exists(Variant.objects.filter(post=OuterRef("pk"), network=filters.network)))
    if filters.campaign:
        posts = posts.filter(campaign_id=filters.campaign)
    if filters.status:
        posts = posts.filter(status=filters.status)
    if filters.person:
        posts = posts.filter(created_by_id=filters.person)
    return posts


# --- time --------------------------------------------------------------------------------------------
def month_dates(year: int, month: int) -> list[list[dt.date]]:
    """The Monday-first weeks covering the month, padded with days of the neighbouring months."""
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=first.weekday())
    last = month_end(first)
    end = last + dt.timedelta(days=6 - last.weekday())
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    return [days[index : index + 7] for index in range(0, len(days), 7)]


def month_end(first: dt.date) -> dt.date:
    """The last day of the month `first` falls in."""
    next_month = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return next_month - dt.timedelta(days=1)


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def local_day_range(first: dt.date, last: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval [start, end) from local midnight of `first` to the local midnight after `last`."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# --- what a cell shows --------------------------------------------------------------------------------
@dataclass
class CalendarPost:
    """One post as the calendar shows it: plain values, ready for a template or the API."""

    id: uuid.UUID
    status: str
    scheduled_at: dt.datetime  # UTC
    local: dt.datetime  # in the organization's time zone
    summary: str
    networks: list[str] = field(default_factory=list)
    campaign_id: uuid.UUID | None = None
    movable: bool = False

    @property
    def local_date(self) -> dt.date:
        return self.local.date()

    @property
    def time(self) -> str:
        """`09:30`, the local wall-clock time shown in the cell."""
        return f"{self.local.hour:02d}:{self.local.minute:02d}"

    @property
    def utc_iso(self) -> str:
        return self.scheduled_at.isoformat()


def _summary(text: str) -> str:
    return text[:SUMMARY_LENGTH] + "…" if len(text) > SUMMARY_LENGTH else text


def calendar_posts(
    organization: Organization,
    start: dt.datetime,
    end: dt.datetime,
    time_zone: str,
    filters: CalendarFilters | None = None,
    *,
    may_move: bool = False,
) -> list[CalendarPost]:
    """Posts scheduled in [start, end) as plain rows in local time order; one query whatever the count.

    `may_move` is whether the viewer may reschedule (`planning.work`); a post is then movable unless it has
    been published, has failed or was rejected.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    posts = filter_posts(
        Post.objects.for_org(organization).filter(scheduled_at__gte=start, scheduled_at__lt=end),
        filters or CalendarFilters(),
    )
    # One row per variant (LEFT JOIN, so a post without variants still comes), variants in network order:
    # the first one's text is the post's summary, as in `str(post)`. Only the start of the text is read.
    joined = posts.order_by("scheduled_at", "pk", "variants__network").values_list(
        "pk",
        "status",
        "scheduled_at",
        "campaign_id",
        "variants__network",
        Substr("variants__text", 1, SUMMARY_LENGTH + 1),
    )
    rows: list[CalendarPost] = []
    current: CalendarPost | None = None
    for pk, status, at, campaign_id, network, text in joined:
        if current is None or current.id != pk:
            current = CalendarPost(
                id=pk,
                status=status,
                scheduled_at=at,
                local=at.astimezone(zone),
                summary=_summary(text or ""),
                campaign_id=campaign_id,
                movable=may_move and status not in FIXED_STATUSES,
            )
            rows.append(current)
        if network is not None:
            current.networks.append(network)
    return rows


def by_local_day(posts: Iterable[CalendarPost]) -> dict[dt.date, list[CalendarPost]]:
    """Rows grouped by their local date, keeping their order."""
    grouped: dict[dt.date, list[CalendarPost]] = defaultdict(list)
    for post in posts:
        grouped[post.local.date()].append(post)
    return dict(grouped)


# --- month -------------------------------------------------------------------------------------------
@dataclass
class CalendarDay:
    """One local day of the grid and the posts scheduled on it, in local time order."""

    date: dt.date
    in_month: bool
    posts: list[CalendarPost] = field(default_factory=list)

    @property
    def iso(self) -> str:
        return self.date.isoformat()


@dataclass
class CalendarWeek:
    """A Monday-to-Sunday row of the grid with its ISO week number."""

    iso_week: int
    days: list[CalendarDay]


def month_grid(
    organization: Organization,
    year: int,
    month: int,
    time_zone: str,
    filters: CalendarFilters | None = None,
    *,
    may_move: bool = False,
) -> list[CalendarWeek]:
    """The month as weeks of local days, each holding its posts; one query."""
    weeks = month_dates(year, month)
    start, end = local_day_range(weeks[0][0], weeks[-1][-1], time_zone)
    grouped = by_local_day(calendar_posts(organization, start, end, time_zone, filters, may_move=may_move))
    return [
        CalendarWeek(
            iso_week=days[0].isocalendar().week,
            days=[
                CalendarDay(date=day, in_month=day.month == month, posts=grouped.get(day, [])) for day in days
            ],
        )
        for days in weeks
    ]


# --- week --------------------------------------------------------------------------------------------
@dataclass
class HourSlot:
    """One real hour of one local day: `02:00` exists twice on the autumn change and not at all in spring."""

    start: dt.datetime  # UTC
    label: str  # local `HH:00`
    offset: str  # local UTC offset, e.g. `+02:00`, told apart when an hour happens twice
    posts: list[CalendarPost] = field(default_factory=list)


@dataclass
class WeekDay:
    date: dt.date
    slots: list[HourSlot]

    @property
    def iso(self) -> str:
        return self.date.isoformat()


@dataclass
class WeekRow:
    """One local hour (0 to 23) across the seven days; a cell holds 0, 1 or 2 slots (DST)."""

    hour: int
    cells: list[tuple[WeekDay, list[HourSlot]]]


@dataclass
class WeekView:
    monday: dt.date
    iso_week: int
    days: list[WeekDay]
    rows: list[WeekRow]
    hours: int  # 168, or 167/169 in a week with a daylight-saving change


def _offset(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def day_slots(day: dt.date, time_zone: str) -> list[HourSlot]:
    """The real hours of a local day, walked in UTC from local midnight to the next: 23, 24 or 25."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start, end = local_day_range(day, day, time_zone)
    slots = []
    moment = start
    while moment < end:
        local = moment.astimezone(zone)
        slots.append(HourSlot(start=moment, label=f"{local.hour:02d}:00", offset=_offset(local)))
        moment += dt.timedelta(hours=1)
    return slots


def week_view(
    organization: Organization,
    monday: dt.date,
    time_zone: str,
    filters: CalendarFilters | None = None,
    *,
    may_move: bool = False,
) -> WeekView:
    """The Monday-to-Sunday week in local hours with its posts in their hour slots; one query."""
    monday = week_start(monday)
    dates = [monday + dt.timedelta(days=offset) for offset in range(7)]
    days = [WeekDay(date=day, slots=day_slots(day, time_zone)) for day in dates]
    start, end = local_day_range(dates[0], dates[-1], time_zone)
    slots = [slot for day in days for slot in day.slots]
    index = 0
    # Both lists are in time order: walk them together.
    for post in calendar_posts(organization, start, end, time_zone, filters, may_move=may_move):
        while index + 1 < len(slots) and slots[index + 1].start <= post.scheduled_at:
            index += 1
        slots[index].posts.append(post)
    rows = [
        WeekRow(
            hour=hour,
            cells=[(day, [slot for slot in day.slots if int(slot.label[:2]) == hour]) for day in days],
        )
        for hour in range(24)
    ]
    return WeekView(
        monday=monday,
        iso_week=monday.isocalendar().week,
        days=days,
        rows=rows,
        hours=int((end - start).total_seconds()) // 3600,
    )


# --- list --------------------------------------------------------------------------------------------
def upcoming_posts(
    organization: Organization, start: dt.datetime, filters: CalendarFilters | None = None
) -> PostQuerySet:
    """Scheduled posts from `start` on, in time order, with campaign, author and variants preloaded."""
    posts = (
        Post.objects.for_org(organization)
        .filter(scheduled_at__gte=start)
        .select_related("campaign", "created_by")
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.only("post_id", "network", "text")))
        .order_by("scheduled_at", "pk")
    )
    return filter_posts(posts, filters or CalendarFilters())


# --- planned vs actual frequency ---------------------------------------------------------------------
@dataclass(frozen=True)
class FrequencyRow:
    """Per network: how many posts the plan asks for in the period, and how many are scheduled/published."""

    network: str
    label: str
    planned: Decimal
    actual: int

    @property
    def difference(self) -> Decimal:
        return Decimal(self.actual) - self.planned

    @property
    def on_plan(self) -> bool:
        return Decimal(self.actual) >= self.planned


def frequency_rows(
    organization: Organization, first: dt.date, last: dt.date, time_zone: str
) -> list[FrequencyRow]:
    """Planned posts per network (the strategy's posts per week * days / 7, one decimal) against the
    scheduled and published posts in the local days [first, last]; networks with either appear.

    A post counts once on each network it has a variant for. The comparison is for the whole organization,
    not narrowed by the calendar's filters: the plan is the team's.
    """
    from flokk.strategy.services.plan import planned_frequency

    days = (last - first).days + 1
    planned = {
        network: (per_week * days / 7).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        for network, per_week in planned_frequency(organization).items()
    }
    start, end = local_day_range(first, last, time_zone)
    # Counted from the posts' side, so the query starts from the organization's posts (indexed) rather than
    # from every variant of every organization.
    actual = {
        network: posts
        for network, posts in Post.objects.for_org(organization)
        .filter(status__in=COUNTED_STATUSES, scheduled_at__gte=start, scheduled_at__lt=end)
        .values_list("variants__network")
        .annotate(posts=Count("pk", distinct=True))
        .order_by()
        .values_list("variants__network", "posts")
        if network is not None
    }
    labels = dict(Network.choices)
    return [
        FrequencyRow(
            network=network,
            label=str(labels.get(network, network)),
            planned=planned.get(network, Decimal("0.0")),
            actual=actual.get(network, 0),
        )
        for network in sorted(set(planned) | set(actual))
    ]
