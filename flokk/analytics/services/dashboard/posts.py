"""The period's published posts with their lifetime figures, grouped by content type, tag, campaign,
weekday and hour, and each post against the organization's earlier posts: read from the post summaries."""

from __future__ import annotations

import bisect
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from flokk.analytics.services.dashboard.common import Period, network_label, rate, zone_of
from flokk.analytics.services.rollups import summarised
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

POSTS_SHOWN = 50  # on the dashboard, in the table of posts against history
HISTORY_LIMIT = 2_000  # earlier deliveries a post is compared with: the most recent ones


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
    rows = summarised(deliveries, organization.id).values_list(
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


def by_content_type(posts: Iterable[PublishedPost]) -> list[GroupFigure]:
    return _grouped(posts, _content_type_key)


def by_tag(posts: Iterable[PublishedPost]) -> list[GroupFigure]:
    """A post with two tags counts in both; untagged posts in none."""
    return _grouped(posts, _tag_keys)


def by_campaign(posts: Iterable[PublishedPost]) -> list[GroupFigure]:
    """Per campaign, and the posts outside any campaign."""
    return _grouped(posts, _campaign_key)


def engagement_by_content_type(
    organization: Organization, period: Period, network: str = ""
) -> list[GroupFigure]:
    """Per content type of the posts published in the period. One query."""
    return by_content_type(published_posts(organization, period, network))


def engagement_by_tag(organization: Organization, period: Period, network: str = "") -> list[GroupFigure]:
    """Per angle tag of the posts published in the period. One query."""
    return by_tag(published_posts(organization, period, network))


def engagement_by_campaign(
    organization: Organization, period: Period, network: str = ""
) -> list[GroupFigure]:
    """Per campaign of the posts published in the period. One query."""
    return by_campaign(published_posts(organization, period, network))


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
    """Per weekday and hour the posts were published, in the organization's time zone. One query."""
    return by_weekday_hour(published_posts(organization, period, network))


def by_weekday_hour(posts: Iterable[PublishedPost]) -> WeekdayHour:
    cells: dict[tuple[int, int], GroupFigure] = {}
    weekdays = {day: GroupFigure(str(day), str(WEEKDAYS[day])) for day in range(7)}
    hours = {hour: GroupFigure(str(hour), f"{hour:02d}") for hour in range(24)}
    for post in posts:
        day, hour = post.published_at.weekday(), post.published_at.hour
        cells.setdefault((day, hour), GroupFigure(f"{day}-{hour}", f"{WEEKDAYS[day]} {hour:02d}")).add(post)
        weekdays[day].add(post)
        hours[hour].add(post)
    return WeekdayHour(cells, list(weekdays.values()), list(hours.values()))


@dataclass(frozen=True)
class PostAgainstHistory:
    post: PublishedPost
    earlier_posts: int  # the organization's earlier posts on the same network
    percentile: float | None  # share of those with fewer engagements (ties count half), 0..100


def posts_vs_history(
    organization: Organization, period: Period, limit: int = POSTS_SHOWN, network: str = ""
) -> list[PostAgainstHistory]:
    """The period's latest `limit` posts, each with its percentile among the organization's earlier posts
    on the same network (by engagements; of its HISTORY_LIMIT most recent posts). Two queries."""
    return against_history(organization, published_posts(organization, period, network)[:limit], network)


def against_history(
    organization: Organization, posts: list[PublishedPost], network: str = ""
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
        summarised(_published(organization, network), organization.id, ["engagements"])
        .filter(up_to_newest)
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
