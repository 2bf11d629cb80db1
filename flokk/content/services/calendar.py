"""The calendar's view of time: month grids and day buckets in the organization's time zone.

Posts are stored in UTC; the calendar shows them on the local day of the organization's time zone, so a
post at 23:30 local lands on its local day even when that is the next UTC day. Ranges are computed from
local midnights, which makes weeks with a daylight-saving change 167 or 169 hours long, as they are.
Weeks start on Monday and carry ISO week numbers.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from flokk.content.models import Post, PostQuerySet, Variant
from flokk.teams.models import Organization


@dataclass
class CalendarDay:
    """One local day of the grid and the posts scheduled on it, in local time order."""

    date: dt.date
    in_month: bool
    posts: list[Post] = field(default_factory=list)


@dataclass
class CalendarWeek:
    """A Monday-to-Sunday row of the grid with its ISO week number."""

    iso_week: int
    days: list[CalendarDay]


def month_dates(year: int, month: int) -> list[list[dt.date]]:
    """The Monday-first weeks covering the month, padded with days of the neighbouring months."""
    first = dt.date(year, month, 1)
    start = first - dt.timedelta(days=first.weekday())
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = next_month - dt.timedelta(days=1)
    end = last + dt.timedelta(days=6 - last.weekday())
    days = [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]
    return [days[index : index + 7] for index in range(0, len(days), 7)]


def local_day_range(first: dt.date, last: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC interval [start, end) from local midnight of `first` to the local midnight after `last`."""
    zone = zoneinfo.ZoneInfo(time_zone)
    start = dt.datetime.combine(first, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def posts_between(organization: Organization, start: dt.datetime, end: dt.datetime) -> PostQuerySet:
    """The organization's posts scheduled in [start, end), with what a calendar cell shows preloaded."""
    return (
        Post.objects.for_org(organization)
        .filter(scheduled_at__gte=start, scheduled_at__lt=end)
        .select_related("campaign")
        # A cell shows only the first variant's text: skip the variants' other (large) fields.
        .prefetch_related(
            Prefetch("variants", queryset=Variant.objects.only("post_id", "network", "text")), "accounts"
        )
        .order_by("scheduled_at", "pk")
    )


def by_local_day(posts: Iterable[Post], time_zone: str) -> dict[dt.date, list[Post]]:
    """Posts grouped by the local date of their scheduled time (posts without a time are skipped)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    grouped: dict[dt.date, list[Post]] = defaultdict(list)
    for post in posts:
        if post.scheduled_at is not None:
            grouped[post.scheduled_at.astimezone(zone).date()].append(post)
    return dict(grouped)


def month_grid(organization: Organization, year: int, month: int, time_zone: str) -> list[CalendarWeek]:
    """The month as weeks of local days, each holding its posts; one query for posts, two prefetches."""
    weeks = month_dates(year, month)
    start, end = local_day_range(weeks[0][0], weeks[-1][-1], time_zone)
    grouped = by_local_day(posts_between(organization, start, end), time_zone)
    return [
        CalendarWeek(
            iso_week=days[0].isocalendar().week,
            days=[
                CalendarDay(date=day, in_month=day.month == month, posts=grouped.get(day, [])) for day in days
            ],
        )
        for days in weeks
    ]
