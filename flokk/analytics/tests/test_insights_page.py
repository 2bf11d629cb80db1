"""The insights page, the planner's sidebar in the post editor, and the trend on a goal's page."""

from __future__ import annotations

import zoneinfo

import pytest
from django.core.cache import cache

from flokk.analytics.models import Learning
from flokk.analytics.services.best_time import analyse
from flokk.analytics.tests.test_best_time import history
from flokk.strategy.models import Goal

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script>"
PAGE = "/o/demo/analytics/insights/"


def no_history(org) -> None:  # type: ignore[no-untyped-def]
    """As if the organization had published nothing yet (whatever the demo seeds): every network defaults."""
    cache.set(f"analytics:best_time:{org.pk}:{org.time_zone}", {})


def learning(org, **fields) -> Learning:  # type: ignore[no-untyped-def]
    values = {
        "feature": "tag",
        "value": HOSTILE,
        "effect": 1.8,
        "low": 1.3,
        "high": 2.4,
        "posts": 25,
        "others": 60,
    }
    return Learning.objects.create(organization=org, confidence=0.995, **{**values, **fields})


def test_an_analyst_sees_defaults_and_learnings_with_names_escaped(demo, member, client_for) -> None:  # type: ignore[no-untyped-def]
    learning(demo)
    learning(demo, feature="media", value="video", effect=2.1, low=1.6, high=2.7)
    no_history(demo)
    response = client_for(member("analyst")).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE not in html
    assert "Posts with a video" in html
    # Without a published history every connected network shows its default, labelled.
    assert "data-default" in html and "data-default-slot" in html
    assert "data-best-slot" not in html


def test_a_clear_best_time_is_highlighted_with_its_interval(demo, member, client_for) -> None:  # type: ignore[no-untyped-def]
    results = analyse(history(0, planted=1.6, network="sandbox"), zoneinfo.ZoneInfo(demo.time_zone))
    assert results["sandbox"].best is not None
    cache.set(f"analytics:best_time:{demo.pk}:{demo.time_zone}", results)
    html = client_for(member("analyst")).get(PAGE).content.decode()
    assert html.count("data-best-slot") == 1
    assert "Tuesday 09\N{EN DASH}12: " in html and "95 % interval" in html


@pytest.mark.parametrize(
    ("role", "status"), [("analyst", 200), ("community-manager", 200), ("copywriter", 403)]
)
def test_the_page_is_for_those_who_may_view_analysis(demo, member, client_for, role, status) -> None:  # type: ignore[no-untyped-def]
    assert client_for(member(role)).get(PAGE).status_code == status


def test_outsiders_get_404(outsider, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for(outsider).get(PAGE).status_code == 404


def test_the_post_editor_shows_learnings_and_best_times_to_those_who_may_see_them(
    demo, member, client_for
) -> None:  # type: ignore[no-untyped-def]
    learning(demo)
    no_history(demo)
    html = client_for(member("social-media-manager")).get("/o/demo/posts/new/").content.decode()
    assert "data-insights" in html
    assert "Posts with the angle “&lt;script&gt;alert(1)&lt;/script&gt;” got 1.8 times" in html
    assert HOSTILE not in html
    assert "a default, as there are too few of your own posts" in html  # no history yet
    # A copywriter writes posts but may not see analysis: no sidebar.
    html = client_for(member("copywriter")).get("/o/demo/posts/new/").content.decode()
    assert "data-insights" not in html


def test_a_goal_page_shows_each_kpis_trend(demo, member, client_for) -> None:  # type: ignore[no-untyped-def]
    goal = Goal.objects.for_org(demo).get(title="More people know our bakeries")
    html = client_for(member("analyst")).get(f"/o/demo/goals/{goal.pk}/").content.decode()
    assert "data-goal-trend" in html and "<polyline" in html
    assert "3 measurements from 2,150 to 3,100, target 5,000" in html
    assert 'points="4.0,56.0 ' in html  # the oldest measurement at the left, the lowest value at the bottom


def test_the_trend_keeps_svg_numbers_in_a_decimal_comma_language(demo, member, client_for) -> None:  # type: ignore[no-untyped-def]
    goal = Goal.objects.for_org(demo).get(title="More people know our bakeries")
    analyst = member("analyst")
    analyst.language = "sv"
    analyst.save(update_fields=["language"])
    html = client_for(analyst).get(f"/o/demo/goals/{goal.pk}/").content.decode()
    assert 'lang="sv"' in html
    assert 'y1="4.0"' in html and 'points="4.0,56.0 ' in html


def test_the_page_costs_the_same_queries_however_many_learnings(demo, member, client_for) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member("analyst"))
    no_history(demo)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    before = count()
    for index in range(12):
        learning(demo, value=f"angle {index}")
    assert count() == before
