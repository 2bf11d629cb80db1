"""The calendar API: posts in a range of local days, and rescheduling a post."""

from __future__ import annotations

import datetime as dt

import pytest

from flokk.channels.tests.matrix import check_matrix
from flokk.content.choices import PostStatus
from flokk.content.models import Post, Variant
from flokk.teams.models import Organization

BASE = "/api/v1/orgs/demo"


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)  # type: ignore[misc]


def post_at(
    org: Organization, at: dt.datetime, text: str = "Hello", network: str = "mastodon", **fields
) -> Post:
    post = Post.objects.create(organization=org, scheduled_at=at, **fields)
    Variant.objects.create(post=post, network=network, text=text)
    return post


def test_calendar_lists_posts_on_local_days(demo, member, api_for):
    # Given a post at 00:30 local on 1 June (31 May in UTC) and one on 30 June
    first = post_at(demo, utc(2031, 5, 31, 22, 30), "First", status=PostStatus.SCHEDULED)
    post_at(demo, utc(2031, 6, 30, 9, 0), "Last", network="linkedin")
    post_at(demo, utc(2031, 5, 31, 21, 30), "Still May")
    api = api_for(member("copywriter"))
    # When June is asked for
    body = api.get(f"{BASE}/calendar?start=2031-06-01&end=2031-06-30").json()
    # Then both June posts come, in time order, with their UTC time and local date
    assert [e["summary"] for e in body] == ["First", "Last"]
    assert body[0]["id"] == str(first.pk)
    assert body[0]["local_date"] == "2031-06-01"
    assert dt.datetime.fromisoformat(body[0]["scheduled_at"]) == utc(2031, 5, 31, 22, 30)
    assert body[0]["networks"] == ["mastodon"] and body[0]["status"] == "scheduled"
    filtered = api.get(f"{BASE}/calendar?start=2031-06-01&end=2031-06-30&network=linkedin").json()
    assert [e["summary"] for e in filtered] == ["Last"]
    by_status = api.get(f"{BASE}/calendar?start=2031-06-01&end=2031-06-30&status=scheduled").json()
    assert [e["summary"] for e in by_status] == ["First"]


def test_calendar_range_is_limited(demo, member, api_for):
    api = api_for(member("copywriter"))
    assert api.get(f"{BASE}/calendar?start=2031-01-01&end=2031-04-02").status_code == 200  # 92 days
    too_long = api.get(f"{BASE}/calendar?start=2031-01-01&end=2031-04-03")
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == "range_too_long"
    assert api.get(f"{BASE}/calendar?start=2031-02-01&end=2031-01-01").status_code == 400
    assert api.get(f"{BASE}/calendar?start=nonsense&end=2031-01-01").status_code == 422


def test_calendar_permissions(demo, outsider, client_for, api_for):
    wrong = check_matrix(
        "production.view",
        lambda c: c.get(f"{BASE}/calendar?start=2031-01-01&end=2031-01-31"),
        api=True,
        client_for=client_for,
        api_for=api_for,
    )
    assert wrong == []


def test_reschedule_reads_a_naive_time_in_the_organizations_zone(demo, member, api_for):
    post = post_at(demo, utc(2031, 6, 2, 8, 0), status=PostStatus.APPROVED)
    api = api_for(member("content-manager"))
    response = api.post(
        f"{BASE}/posts/{post.pk}/reschedule",
        {"scheduled_at": "2031-06-03T14:00:00"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert dt.datetime.fromisoformat(response.json()["scheduled_at"]) == utc(2031, 6, 3, 12, 0)  # CEST
    assert response.json()["status"] == "approved"
    with_offset = api.post(
        f"{BASE}/posts/{post.pk}/reschedule",
        {"scheduled_at": "2031-06-04T10:00:00Z"},
        content_type="application/json",
    )
    assert dt.datetime.fromisoformat(with_offset.json()["scheduled_at"]) == utc(2031, 6, 4, 10, 0)


@pytest.mark.parametrize(
    ("status", "at", "code", "error"),
    [
        (PostStatus.PUBLISHED, "2031-06-03T14:00:00", 409, "not_movable"),
        (PostStatus.SCHEDULED, "2020-06-03T14:00:00", 400, "in_the_past"),
        (PostStatus.SCHEDULED, "2031-03-30T02:30:00", 400, "nonexistent_time"),
    ],
)
def test_reschedule_refusals(demo, member, api_for, status, at, code, error):
    post = post_at(demo, utc(2031, 6, 2, 8, 0), status=status)
    response = api_for(member("content-manager")).post(
        f"{BASE}/posts/{post.pk}/reschedule", {"scheduled_at": at}, content_type="application/json"
    )
    assert response.status_code == code and response.json()["error"]["code"] == error
    post.refresh_from_db()
    assert post.scheduled_at == utc(2031, 6, 2, 8, 0)


def test_reschedule_permissions(demo, outsider, client_for, api_for):
    post = post_at(demo, utc(2031, 6, 2, 8, 0), status=PostStatus.SCHEDULED)
    moves = iter(range(1, 100))

    def move(client):
        day = next(moves) % 28 + 1
        return client.post(
            f"{BASE}/posts/{post.pk}/reschedule",
            {"scheduled_at": f"2031-07-{day:02d}T10:00:00"},
            content_type="application/json",
        )

    wrong = check_matrix("planning.work", move, api=True, client_for=client_for, api_for=api_for)
    assert wrong == []


def test_unknown_or_foreign_post_is_404(demo, member, api_for, outsider):
    api = api_for(member("content-manager"))
    missing = api.post(
        f"{BASE}/posts/00000000-0000-0000-0000-000000000000/reschedule",
        {"scheduled_at": "2031-07-01T10:00:00"},
        content_type="application/json",
    )
    assert missing.status_code == 404
    foreign = post_at(Organization.objects.get(slug="other"), utc(2031, 6, 2, 8, 0))
    response = api.post(
        f"{BASE}/posts/{foreign.pk}/reschedule",
        {"scheduled_at": "2031-07-01T10:00:00"},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_openapi_declares_every_status(client):
    schema = client.get("/api/v1/openapi.json").json()
    calendar = schema["paths"]["/api/v1/orgs/{org}/calendar"]["get"]
    assert calendar["operationId"] == "flokk_content_api_calendar"
    assert {"200", "400", "401", "403", "404", "422"} <= set(calendar["responses"])
    reschedule = schema["paths"]["/api/v1/orgs/{org}/posts/{post_id}/reschedule"]["post"]
    assert reschedule["operationId"] == "flokk_content_api_reschedule_post"
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(reschedule["responses"])


def test_dates_at_the_ends_of_the_calendar_are_refused_not_errors(demo, member, api_for, client_for):
    api = api_for(member("content-manager"))
    assert api.get(f"{BASE}/calendar?start=0001-01-01&end=0001-01-02").status_code == 400
    assert api.get(f"{BASE}/calendar?start=9999-12-30&end=9999-12-31").status_code == 400
    post = post_at(demo, utc(2031, 1, 1, 9, 0), status=PostStatus.SCHEDULED)
    for at in ["0001-01-01T00:00:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:00-05:00"]:
        response = api.post(
            f"{BASE}/posts/{post.pk}/reschedule", {"scheduled_at": at}, content_type="application/json"
        )
        assert response.status_code == 400, at
    pages = client_for(member("content-manager"))
    for query in ["?month=9999-12", "?month=0001-01", "week/?week=9999-12-31", "list/?from=0001-01-01"]:
        assert pages.get(f"/o/demo/calendar/{query}").status_code == 200, query
