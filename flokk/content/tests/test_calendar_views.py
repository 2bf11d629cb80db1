"""Week and list views, filters kept across views, planned vs actual frequency, and pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from flokk.channels.tests.matrix import check_matrix
from flokk.content.choices import PostStatus
from flokk.content.models import Campaign, Post, Variant
from flokk.content.services.calendar import (
    CalendarFilters,
    calendar_posts,
    day_slots,
    frequency_rows,
    local_day_range,
    week_view,
)
from flokk.strategy.services.plan import set_frequency
from flokk.teams.models import Organization

STOCKHOLM = "Europe/Stockholm"


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


@pytest.fixture
def stockholm(demo: Organization) -> Organization:
    demo.time_zone = STOCKHOLM
    demo.save(update_fields=["time_zone"])
    return demo


def post_at(org, at, text="Hello", network="mastodon", status=PostStatus.DRAFT, **fields) -> Post:
    post = Post.objects.create(organization=org, scheduled_at=at, status=status, **fields)
    Variant.objects.create(post=post, network=network, text=text)
    return post


# --- week --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("monday", "hours", "day", "slots"),
    [
        (dt.date(2026, 3, 23), 167, dt.date(2026, 3, 29), 23),
        (dt.date(2026, 10, 19), 169, dt.date(2026, 10, 25), 25),
    ],
)
def test_dst_weeks_have_167_and_169_hours(stockholm, monday, hours, day, slots):
    week = week_view(stockholm, monday, STOCKHOLM)
    assert week.hours == hours
    assert sum(len(d.slots) for d in week.days) == hours
    assert len(day_slots(day, STOCKHOLM)) == slots


def test_week_view_puts_posts_in_their_local_hour_around_dst(stockholm):
    # Given posts in the repeated hour of the autumn change (02:30 CEST, then 02:30 CET) and after spring's
    first = post_at(stockholm, utc(2026, 10, 25, 0, 30), "First 02:30")
    second = post_at(stockholm, utc(2026, 10, 25, 1, 30), "Second 02:30")
    spring = post_at(stockholm, utc(2026, 3, 29, 1, 30), "Spring 03:30")
    autumn = week_view(stockholm, dt.date(2026, 10, 21), STOCKHOLM)  # any day picks its Monday
    assert autumn.monday == dt.date(2026, 10, 19)
    sunday = autumn.days[6]
    two_oclock = [slot for slot in sunday.slots if slot.label == "02:00"]
    assert [(s.offset, [p.id for p in s.posts]) for s in two_oclock] == [
        ("+02:00", [first.pk]),
        ("+01:00", [second.pk]),
    ]
    spring_week = week_view(stockholm, dt.date(2026, 3, 23), STOCKHOLM)
    labels = [slot.label for slot in spring_week.days[6].slots]
    assert "02:00" not in labels
    three = next(slot for slot in spring_week.days[6].slots if slot.label == "03:00")
    assert [p.id for p in three.posts] == [spring.pk]


def test_week_page_shows_hours_and_marks_the_skipped_hour(stockholm, member, client_for):
    post_at(stockholm, utc(2026, 3, 29, 1, 30), "Spring <b>forward</b>")
    page = (
        client_for(member("content-manager")).get("/o/demo/calendar/week/?week=2026-03-25").content.decode()
    )
    assert 'data-hours="167"' in page
    cell = page.split('data-day="2026-03-29" data-hour="3"')[1].split("</td>")[0]
    assert "03:30" in cell and "Spring &lt;b&gt;forward&lt;/b&gt;" in cell
    assert 'data-day="2026-03-29" data-hour="2"' not in page and "skipped-hour" in page
    assert 'draggable="true"' in page


def test_calendar_views_permissions(demo, outsider, client_for, api_for):
    for url in ["/o/demo/calendar/week/", "/o/demo/calendar/list/"]:
        wrong = check_matrix(
            "production.view",
            lambda c, url=url: c.get(url),
            api=False,
            client_for=client_for,
            api_for=api_for,
        )
        assert wrong == [], url


def test_cards_are_draggable_only_for_planners_and_movable_posts(stockholm, member, client_for):
    post_at(stockholm, utc(2026, 6, 3, 8, 0), "Movable", status=PostStatus.SCHEDULED)
    post_at(stockholm, utc(2026, 6, 4, 8, 0), "Done", status=PostStatus.PUBLISHED)
    planner = client_for(member("content-manager")).get("/o/demo/calendar/?month=2026-06").content.decode()
    assert planner.count('draggable="true"') == 1
    assert "data-reschedule-url" in planner and "flokk/calendar.js" in planner
    writer = client_for(member("copywriter")).get("/o/demo/calendar/?month=2026-06").content.decode()
    assert 'draggable="true"' not in writer and "data-reschedule-url" not in writer
    assert 'data-day="2026-06-03"' in writer and "data-post-id=" in writer


# --- list --------------------------------------------------------------------------------------------
def test_list_view_is_chronological_and_paged(stockholm, member, client_for):
    campaign = Campaign.objects.create(
        organization=stockholm,
        name="Spring <sale>",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    author = member("copywriter")
    for index in range(55):
        post_at(
            stockholm,
            utc(2030, 1, 1, 8, 0) + dt.timedelta(hours=index),
            f"Post {index:02d}",
            campaign=campaign,
            created_by=author,
            status=PostStatus.SCHEDULED,
        )
    client = client_for(member("content-manager"))
    first = client.get("/o/demo/calendar/list/?from=2030-01-01").content.decode()
    assert first.index("Post 00") < first.index("Post 01") < first.index("Post 49")
    assert "Post 50" not in first and "Page 1 of 2" in first
    assert "Spring &lt;sale&gt;" in first and author.display_name in first and "Mastodon" in first
    assert 'name="at"' in first and 'value="2030-01-01T09:00"' in first  # "Move to", local time
    second = client.get("/o/demo/calendar/list/?from=2030-01-01&page=2").content.decode()
    assert "Post 54" in second and "Post 49" not in second
    # A member who may not reschedule sees no "Move to"
    assert (
        'name="at"'
        not in client_for(member("copywriter")).get("/o/demo/calendar/list/?from=2030-01-01").content.decode()
    )


# --- filters -----------------------------------------------------------------------------------------
def test_filters_narrow_posts(stockholm, member):
    campaign = Campaign.objects.create(
        organization=stockholm, name="Autumn", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    writer = member("copywriter")
    a = post_at(stockholm, utc(2026, 6, 1, 8, 0), network="linkedin", campaign=campaign)
    b = post_at(stockholm, utc(2026, 6, 2, 8, 0), status=PostStatus.SCHEDULED, created_by=writer)
    c = post_at(stockholm, utc(2026, 6, 3, 8, 0))
    start, end = local_day_range(dt.date(2026, 6, 1), dt.date(2026, 6, 30), STOCKHOLM)

    def ids(**params: str) -> list:
        return [
            row.id
            for row in calendar_posts(stockholm, start, end, STOCKHOLM, CalendarFilters.from_params(params))
        ]

    assert ids() == [a.pk, b.pk, c.pk]
    assert ids(network="linkedin") == [a.pk]
    assert ids(campaign=str(campaign.pk)) == [a.pk]
    assert ids(status="scheduled") == [b.pk]
    assert ids(person=str(writer.pk)) == [b.pk]
    # Unreadable values are ignored, not an error
    assert ids(network="myspace", campaign="x", person="y", status="nope") == [a.pk, b.pk, c.pk]


def test_filters_are_kept_across_views_and_months(stockholm, member, client_for):
    post_at(stockholm, utc(2026, 6, 1, 8, 0), "On LinkedIn", network="linkedin")
    post_at(stockholm, utc(2026, 6, 2, 8, 0), "On Mastodon")
    page = client_for(member("content-manager")).get("/o/demo/calendar/?month=2026-06&network=linkedin")
    html = page.content.decode()
    assert "On LinkedIn" in html and "On Mastodon" not in html
    assert "?month=2026-07&amp;network=linkedin" in html
    assert "/o/demo/calendar/week/?network=linkedin" in html
    assert "/o/demo/calendar/list/?network=linkedin" in html
    assert '<option value="linkedin" selected>' in html


# --- frequency ---------------------------------------------------------------------------------------
def test_planned_vs_actual_frequency(stockholm, member):
    # Given the demo plan (instagram 5, facebook 3, linkedin 1 a week) and bluesky added at 2.5
    set_frequency(stockholm, network="bluesky", posts_per_week=Decimal("2.5"), actor=member("head-of-social"))
    for day in (1, 2, 3):
        post_at(stockholm, utc(2026, 6, day, 8, 0), network="instagram", status=PostStatus.SCHEDULED)
    post_at(stockholm, utc(2026, 6, 4, 8, 0), network="instagram", status=PostStatus.PUBLISHED)
    post_at(stockholm, utc(2026, 6, 5, 8, 0), network="instagram")  # a draft does not count
    post_at(stockholm, utc(2026, 6, 6, 8, 0), network="mastodon", status=PostStatus.SCHEDULED)  # no target
    post_at(
        stockholm, utc(2026, 5, 31, 22, 30), network="facebook", status=PostStatus.SCHEDULED
    )  # 1 June local
    # When June (30 days) is compared
    rows = {
        row.network: row
        for row in frequency_rows(stockholm, dt.date(2026, 6, 1), dt.date(2026, 6, 30), STOCKHOLM)
    }
    # Then planned is per week * 30/7 and actual counts scheduled and published posts on local days
    assert rows["instagram"].planned == Decimal("21.4") and rows["instagram"].actual == 4
    assert rows["facebook"].planned == Decimal("12.9") and rows["facebook"].actual == 1
    assert rows["bluesky"].planned == Decimal("10.7") and rows["bluesky"].actual == 0
    assert rows["mastodon"].planned == Decimal("0.0") and rows["mastodon"].actual == 1
    assert not rows["instagram"].on_plan and rows["mastodon"].on_plan
    # A week is 7/7 of the weekly target
    week = {
        r.network: r for r in frequency_rows(stockholm, dt.date(2026, 6, 1), dt.date(2026, 6, 7), STOCKHOLM)
    }
    assert week["instagram"].planned == Decimal("5.0") and week["instagram"].actual == 4


def test_month_page_shows_the_frequency_table(stockholm, member, client_for):
    post_at(stockholm, utc(2026, 6, 3, 8, 0), network="instagram", status=PostStatus.SCHEDULED)
    html = client_for(member("content-manager")).get("/o/demo/calendar/?month=2026-06").content.decode()
    row = html.split('data-network="instagram"')[1].split("</tr>")[0]
    assert "21.4" in row and "<td>1</td>" in row


# --- query counts ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    [
        "/o/demo/calendar/?month=2026-06",
        "/o/demo/calendar/week/?week=2026-06-01",
        "/o/demo/calendar/list/?from=2026-06-01",
    ],
)
def test_calendar_pages_query_count_does_not_grow_with_posts(stockholm, member, client_for, url):
    client = client_for(member("content-manager"))
    post_at(stockholm, utc(2026, 6, 2, 8, 0), status=PostStatus.SCHEDULED)
    client.get(url)  # warm up the session and caches

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = count()
    campaign = Campaign.objects.create(
        organization=stockholm, name="C", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31)
    )
    for hour in range(30):
        post_at(
            stockholm,
            utc(2026, 6, 1, 6, 0) + dt.timedelta(hours=hour * 5),
            network="linkedin",
            status=PostStatus.SCHEDULED,
            campaign=campaign,
            created_by=member("copywriter"),
        )
    assert count() == few
    assert few <= 16
