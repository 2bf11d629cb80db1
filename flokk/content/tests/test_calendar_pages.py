"""The month page: who may see it, and posts shown at their local day and hour across DST changes."""

from __future__ import annotations

import datetime as dt

from flokk.channels.tests.matrix import check_matrix
from flokk.content.models import Post, Variant
from flokk.teams.models import Organization


def test_month_page_permissions(demo, outsider, client_for, api_for):
    wrong = check_matrix(
        "production.view",
        lambda c: c.get("/o/demo/calendar/"),
        api=False,
        client_for=client_for,
        api_for=api_for,
    )
    assert wrong == []


def test_month_page_shows_local_hours_around_dst(demo: Organization, member, client_for):
    # Given a Stockholm organization with posts right after both daylight-saving changes
    demo.time_zone = "Europe/Stockholm"
    demo.save(update_fields=["time_zone"])
    for at, text in [
        (dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC), "Spring <b>forward</b>"),  # 03:30 CEST
        (dt.datetime(2026, 10, 25, 22, 45, tzinfo=dt.UTC), "Autumn late"),  # 23:45 CET
    ]:
        post = Post.objects.create(organization=demo, scheduled_at=at)
        Variant.objects.create(post=post, network="mastodon", text=text)
    client = client_for(member("content-manager"))
    # When March and October are shown
    march = client.get("/o/demo/calendar/?month=2026-03").content.decode()
    october = client.get("/o/demo/calendar/?month=2026-10").content.decode()
    # Then each post is in its local day's cell at its local hour, with its text escaped
    spring_cell = march.split('data-date="2026-03-29"')[1].split("</td>")[0]
    assert "03:30" in spring_cell and "Spring &lt;b&gt;forward&lt;/b&gt;" in spring_cell
    autumn_cell = october.split('data-date="2026-10-25"')[1].split("</td>")[0]
    assert "23:45" in autumn_cell and "Autumn late" in autumn_cell
    assert "Autumn late" not in october.split('data-date="2026-10-26"')[1].split("</td>")[0]
    # ISO week 13 holds 29 March 2026, and the grid starts on Monday 23 February
    assert ">13</th>" in march
    assert march.index('data-date="2026-02-23"') < march.index('data-date="2026-03-01"')


def test_unreadable_month_falls_back_to_this_month(demo: Organization, member, client_for):
    response = client_for(member("content-manager")).get("/o/demo/calendar/?month=nonsense")
    assert response.status_code == 200
