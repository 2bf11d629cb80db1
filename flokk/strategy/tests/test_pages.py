"""The strategy pages as a person uses them: edit the strategy, set a goal with a KPI, measure, plan."""

from __future__ import annotations

import re

from flokk.strategy.models import KPI, Goal, Measurement, PlanItem, Strategy, StrategyVersion
from flokk.strategy.services.strategy import current_content
from flokk.teams.models import Membership
from flokk.teams.services.demo import demo_email


def _form_values(page: str) -> dict[str, str]:
    """The values a browser would send back unchanged (text inputs, textareas, checked boxes)."""
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="(?:text|number)" name="([^"]+)" value="([^"]*)"', page):
        data.setdefault(name, []).append(value)
    for name, value in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', page, re.S):
        data.setdefault(name, []).append(value)
    for name, value in re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)"[^>]*checked', page):
        data.setdefault(name, []).append(value)
    return data  # type: ignore[return-value]


def test_saving_the_edit_form_unchanged_keeps_everything(demo, member, client_for):
    # Given the demo strategy, with audiences, a sub-audience, purposes and three networks
    client = client_for(member("social-media-manager"))
    strategy = Strategy.objects.get(organization=demo)
    before = current_content(strategy)
    # When a strategist opens the edit page and saves it as it is
    page = client.get("/o/demo/strategy/edit/").content.decode()
    response = client.post("/o/demo/strategy/edit/", _form_values(page))
    # Then a new version says the same as the last one, and nothing is marked changed
    assert response.status_code == 302
    assert current_content(Strategy.objects.get(organization=demo)) == before
    assert StrategyVersion.objects.filter(strategy=strategy).first().content["changed"] == []  # type: ignore[union-attr]


def test_editing_the_strategy_makes_a_version_and_shows_it(demo, member, client_for):
    client = client_for(member("communications-lead"))
    response = client.post(
        "/o/demo/strategy/edit/",
        {
            "brand_identity": "Sourdough people",
            "aim_customer_service": "Answer within the hour",
            "audiences": "Parents: busy\n- New parents: very busy\nStudents",
            "priority_mastodon": "1",
            "reason_mastodon": "Our community moved there",
            "challenges": ["reputation"],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Strategy saved as version 3." in page
    assert "Our community moved there" in page
    assert "New parents" in page
    strategy = Strategy.objects.get(organization=demo)
    assert [(a.name, a.parent.name if a.parent else None) for a in strategy.audiences.all()] == [
        ("Parents", None),
        ("New parents", "Parents"),
        ("Students", None),
    ]
    assert strategy.challenges == ["reputation"]


def test_choosing_many_networks_warns_after_saving(demo, member, client_for):
    data = {
        f"priority_{n}": str(i) for i, n in enumerate(["x", "bluesky", "mastodon", "facebook", "linkedin"], 1)
    }
    page = (
        client_for(member("head-of-social"))
        .post("/o/demo/strategy/edit/", data, follow=True)
        .content.decode()
    )
    assert "You chose 5 networks" in page


def test_a_goal_from_kpi_to_measurement(demo, member, client_for):
    client = client_for(member("head-of-social"))
    owner = Membership.objects.get(organization=demo, user__email=demo_email("analyst"))
    response = client.post(
        "/o/demo/goals/new/",
        {"title": "More sign-ups", "owner": str(owner.pk), "deadline": "2030-06-30", "challenges": ["sales"]},
    )
    goal = Goal.objects.get(title="More sign-ups")
    assert response["Location"] == f"/o/demo/goals/{goal.pk}/"
    client.post(
        f"/o/demo/goals/{goal.pk}/kpis/",
        {
            "metric": "custom",
            "custom_metric": "Newsletter sign-ups",
            "target_value": "200",
            "direction": "increase",
            "period_start": "2030-01-01",
            "period_end": "2030-06-30",
        },
    )
    kpi = KPI.objects.get(goal=goal)
    analyst = client_for(member("analyst"))
    assert analyst.post(f"/o/demo/kpis/{kpi.pk}/measurements/", {"value": "50"}).status_code == 302
    assert Measurement.objects.get(kpi=kpi).source == "manual"
    page = analyst.get("/o/demo/goals/").content.decode()
    assert "More sign-ups" in page and "Newsletter sign-ups 25 %" in page
    detail = analyst.get(f"/o/demo/goals/{goal.pk}/").content.decode()
    assert 'value="25"' in detail  # the progress bar
    assert "Add a KPI" not in detail  # the analyst measures but does not change goals


def test_the_plan_page_lists_the_timeline(demo, member, client_for):
    client = client_for(member("head-of-social"))
    response = client.post(
        "/o/demo/plan/items/",
        {"title": "Launch video", "starts_on": "2030-03-01", "ends_on": "2030-03-10", "area": "production"},
    )
    assert response.status_code == 302
    assert PlanItem.objects.filter(organization=demo, title="Launch video").exists()
    page = client_for(member("management")).get("/o/demo/plan/").content.decode()
    assert "Launch video" in page and "Photo shoot in every shop" in page
    assert "Add to the timeline" not in page


def test_numbers_are_shown_as_people_write_them(demo, member, client_for, demo_goal):
    page = client_for(member("copywriter")).get(f"/o/demo/goals/{demo_goal.pk}/").content.decode()
    assert "Increase to 5,000" in page and "latest 3,100" in page
    assert "E+" not in page and "5000.0000" not in page


def test_the_history_says_who_changed_which_sections(demo, member, client_for):
    page = client_for(member("copywriter")).get("/o/demo/strategy/").content.decode()
    assert "Tone of voice, Networks" in page  # version 2 of the demo
    assert page.count("Hanna Head") == 2
