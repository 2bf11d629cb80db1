"""The calendar's month grid: local days in the organization's time zone, Monday weeks, DST safety."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flokk.content.models import Post, Variant
from flokk.content.services.calendar import (
    by_local_day,
    calendar_posts,
    local_day_range,
    month_dates,
    month_grid,
)
from flokk.content.tests.helpers import network_account
from flokk.teams.models import Organization

STOCKHOLM = "Europe/Stockholm"


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def post_at(org: Organization, at: dt.datetime, text: str = "Hello") -> Post:
    post = Post.objects.create(organization=org, scheduled_at=at)
    Variant.objects.create(post=post, network="mastodon", text=text)
    post.accounts.add(network_account(org, "mastodon", handle=f"brand-{post.pk}"))
    return post


def test_month_weeks_start_on_monday_and_cover_the_month() -> None:
    weeks = month_dates(2026, 3)
    assert weeks[0][0] == dt.date(2026, 2, 23)  # March 2026 starts on a Sunday
    assert weeks[-1][-1] == dt.date(2026, 4, 5)
    assert all(len(week) == 7 and week[0].weekday() == 0 for week in weeks)


def test_dst_weeks_are_one_hour_short_and_long() -> None:
    spring_start, spring_end = local_day_range(dt.date(2026, 3, 23), dt.date(2026, 3, 29), STOCKHOLM)
    autumn_start, autumn_end = local_day_range(dt.date(2026, 10, 19), dt.date(2026, 10, 25), STOCKHOLM)
    assert spring_end - spring_start == dt.timedelta(hours=167)
    assert autumn_end - autumn_start == dt.timedelta(hours=169)
    assert spring_start == utc(2026, 3, 22, 23, 0)  # CET midnight
    assert spring_end == utc(2026, 3, 29, 22, 0)  # CEST midnight


def test_late_evening_posts_land_on_their_local_day(demo: Organization) -> None:
    # Given posts at 23:30 local around both daylight-saving changes in Stockholm
    before_spring = post_at(demo, utc(2026, 3, 28, 22, 30))  # 23:30 CET on Saturday 28 March
    after_spring = post_at(demo, utc(2026, 3, 29, 21, 30))  # 23:30 CEST on Sunday 29 March
    after_autumn = post_at(demo, utc(2026, 10, 25, 22, 30))  # 23:30 CET on Sunday 25 October
    # When they are grouped by local day, then each is on its local date, not the UTC one
    rows = calendar_posts(demo, utc(2026, 3, 1, 0, 0), utc(2026, 11, 1, 0, 0), STOCKHOLM)
    grouped = {day: [row.id for row in posts] for day, posts in by_local_day(rows).items()}
    assert grouped[dt.date(2026, 3, 28)] == [before_spring.pk]
    assert grouped[dt.date(2026, 3, 29)] == [after_spring.pk]
    assert grouped[dt.date(2026, 10, 25)] == [after_autumn.pk]
    assert dt.date(2026, 10, 26) not in grouped
    assert [row.time for row in rows] == ["23:30", "23:30", "23:30"]


def test_month_grid_places_posts_and_iso_weeks(demo: Organization) -> None:
    # Given a post just after local midnight on 1 November (still 31 October in UTC)
    november_first = post_at(demo, utc(2026, 10, 31, 23, 15))
    # When the October and November grids are built
    october = month_grid(demo, 2026, 10, STOCKHOLM)
    november = month_grid(demo, 2026, 11, STOCKHOLM)
    # Then it sits on 1 November in both (October's grid shows 1 November as a padding day)
    cells = {day.date: day for week in november for day in week.days}
    assert [p.id for p in cells[dt.date(2026, 11, 1)].posts] == [november_first.pk]
    assert cells[dt.date(2026, 11, 1)].in_month
    october_cells = {day.date: day for week in october for day in week.days}
    assert october_cells[dt.date(2026, 10, 31)].posts == []
    assert [p.id for p in october_cells[dt.date(2026, 11, 1)].posts] == [november_first.pk]
    assert not october_cells[dt.date(2026, 11, 1)].in_month
    assert [week.iso_week for week in november] == [44, 45, 46, 47, 48, 49]


def test_month_grid_query_count_does_not_grow_with_posts(demo: Organization) -> None:
    # Given a month with a few posts, then with many more
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            grid = month_grid(demo, 2026, 6, STOCKHOLM)
            for week in grid:
                for day in week.days:
                    for post in day.posts:
                        assert post.summary and post.networks == ["mastodon"]
        return len(captured)

    post_at(demo, utc(2026, 6, 3, 8, 0))
    few = queries()
    for day in range(1, 29):
        post_at(demo, utc(2026, 6, day, 9, 0))
    # Posts outside the shown weeks are not loaded at all
    post_at(demo, utc(2026, 9, 1, 9, 0))
    # Then the number of queries stays the same
    assert queries() == few == 1


@pytest.mark.parametrize("month", [1, 12])
def test_month_grid_handles_year_edges(month: int) -> None:
    weeks = month_dates(2026, month)
    assert any(day.month == month and day.day == 1 for day in weeks[0])
