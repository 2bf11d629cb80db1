"""The strategy's hashtag rules (form, API, versions and their diff), and metrics that may go below zero."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from flokk.strategy.choices import Direction, Metric
from flokk.strategy.models import Measurement, Strategy, StrategyVersion
from flokk.strategy.services.goals import add_kpi, add_milestone, record_measurement
from flokk.strategy.services.strategy import current_content, diff_versions, save_strategy
from flokk.strategy.tests.test_pages import _form_values


@pytest.fixture
def strategist(member):
    return member("head-of-social")


# --- hashtag rules --------------------------------------------------------------------------------------
def test_the_edit_page_saves_hashtag_rules_and_shows_them(demo, strategist, client_for):
    # Given the edit page as it is
    client = client_for(strategist)
    page = client.get("/o/demo/strategy/edit/").content.decode()
    data = _form_values(page)
    # When the strategist sets the hashtag rules (with and without "#", commas or spaces)
    data.update(
        {"max_hashtags": "3", "required_hashtags": "#Bageri, sommarrea", "banned_hashtags": "#ærø #REA"}
    )
    response = client.post("/o/demo/strategy/edit/", data)
    # Then they are saved as typed (without "#"), versioned, and shown on the strategy page
    assert response.status_code == 302
    strategy = Strategy.objects.get(organization=demo)
    assert strategy.max_hashtags == 3
    assert strategy.required_hashtags == ["Bageri", "sommarrea"]
    assert strategy.banned_hashtags == ["ærø", "REA"]
    version = StrategyVersion.objects.filter(strategy=strategy).first()
    assert version is not None and version.content["changed"] == ["hashtags"]
    overview = client.get("/o/demo/strategy/").content.decode()
    assert "#Bageri" in overview and "#ærø" in overview
    # And the edit page shows them again, so saving it unchanged changes nothing
    again = _form_values(client.get("/o/demo/strategy/edit/").content.decode())
    assert again["required_hashtags"] == ["#Bageri #sommarrea"]
    client.post("/o/demo/strategy/edit/", again)
    assert StrategyVersion.objects.filter(strategy=strategy).first().content["changed"] == []  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        ({"max_hashtags": "-1"}, "greater than or equal to 0"),
        ({"required_hashtags": "#brand #no-dash"}, "is not a hashtag"),
        ({"banned_hashtags": "#2026"}, "is not a hashtag"),
        ({"required_hashtags": "#Rea", "banned_hashtags": "#rea"}, "both required and banned"),
    ],
)
def test_bad_hashtag_rules_are_refused(demo, strategist, client_for, data, shown):
    client = client_for(strategist)
    values = _form_values(client.get("/o/demo/strategy/edit/").content.decode())
    before = StrategyVersion.objects.count()
    response = client.post("/o/demo/strategy/edit/", {**values, **data})
    assert response.status_code == 400
    assert shown in response.content.decode()
    assert StrategyVersion.objects.count() == before


def test_hashtag_rules_through_the_api(demo, strategist, api_for):
    client = api_for(strategist)
    body = client.get("/api/v1/orgs/demo/strategy").json()
    assert body["max_hashtags"] is None and body["required_hashtags"] == [] and body["banned_hashtags"] == []
    body.update({"max_hashtags": 2, "required_hashtags": ["#Bageri", "bageri"], "banned_hashtags": ["rea"]})
    for key in ("version", "updated_at", "warnings"):
        body.pop(key)
    response = client.put("/api/v1/orgs/demo/strategy", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert (data["max_hashtags"], data["required_hashtags"], data["banned_hashtags"]) == (
        2,
        ["Bageri"],
        ["rea"],
    )
    versions = client.get("/api/v1/orgs/demo/strategy/versions").json()
    assert versions[0]["changed"] == ["hashtags"]
    # A tag that is no tag answers 422 with the reason, and nothing changes
    body["banned_hashtags"] = ["two words"]
    refused = client.put("/api/v1/orgs/demo/strategy", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422
    assert "not a hashtag" in refused.json()["error"]["fields"]["banned_hashtags"][0]
    too_many = {**body, "banned_hashtags": [], "max_hashtags": 31}
    assert (
        client.put(
            "/api/v1/orgs/demo/strategy", json.dumps(too_many), content_type="application/json"
        ).status_code
        == 422
    )
    assert Strategy.objects.get(organization=demo).banned_hashtags == ["rea"]


def test_the_version_diff_shows_hashtag_rules_line_by_line(demo, strategist):
    strategy = Strategy.objects.get(organization=demo)
    content = current_content(strategy)
    first = save_strategy(
        demo, dataclasses.replace(content, max_hashtags=3, required_hashtags=["Bageri"]), actor=strategist
    )
    second = save_strategy(
        demo,
        dataclasses.replace(content, max_hashtags=3, required_hashtags=["Bageri"], banned_hashtags=["rea"]),
        actor=strategist,
    )
    sections = {s.key: s for s in diff_versions(first, second)}
    assert sections["hashtags"].lines == [
        ("same", "At most 3 per post"),
        ("same", "Required (at least one): #Bageri"),
        ("added", "Banned: #rea"),
    ]
    assert not sections["brand_identity"].changed
    assert "Hashtags" in second.changed_labels
    # A version saved before the rules existed reads as "no rules"
    old = StrategyVersion.objects.filter(strategy=strategy, number=1).get()
    assert {s.key: s for s in diff_versions(None, old)}["hashtags"].lines == []


# --- signed metrics -------------------------------------------------------------------------------------
def test_roi_and_custom_metrics_may_be_negative_counts_may_not(demo, strategist, demo_goal, demo_kpi):
    roi = add_kpi(
        demo_goal,
        metric=Metric.ROI,
        target_value=Decimal("0.5"),
        baseline_value=Decimal("-0.2"),
        direction=Direction.INCREASE,
        period_start=date(2030, 1, 1),
        period_end=date(2030, 6, 1),
        actor=strategist,
    )
    assert record_measurement(roi, value=Decimal("-0.1"), actor=strategist).value == Decimal("-0.1")
    add_milestone(
        roi, title="Break even", target_value=Decimal("-0.05"), due_on=date(2030, 3, 1), actor=strategist
    )
    custom = add_kpi(
        demo_goal,
        metric=Metric.CUSTOM,
        custom_metric="Change in engagement",
        target_value=Decimal("-5"),
        direction=Direction.DECREASE,
        period_start=date(2030, 1, 1),
        period_end=date(2030, 6, 1),
        actor=strategist,
    )
    assert custom.target_value == Decimal("-5")
    # Followers (the demo KPI) is a count: below zero is a typo, refused and not stored
    assert demo_kpi.metric == Metric.FOLLOWERS
    before = Measurement.objects.count()
    with pytest.raises(ValidationError) as caught:
        record_measurement(demo_kpi, value=Decimal("-1"), actor=strategist)
    assert "Enter zero or more." in caught.value.messages
    assert Measurement.objects.count() == before
    with pytest.raises(ValidationError):
        add_kpi(
            demo_goal,
            metric=Metric.REACH,
            target_value=Decimal("-10"),
            direction=Direction.INCREASE,
            period_start=date(2030, 1, 1),
            period_end=date(2030, 6, 1),
            actor=strategist,
        )


def test_negative_values_through_the_pages_and_the_api(demo, strategist, demo_goal, client_for, api_for):
    client = client_for(strategist)
    kpi_form = {
        "metric": "roi",
        "target_value": "-0.5",
        "direction": "increase",
        "period_start": "2030-01-01",
        "period_end": "2030-02-01",
    }
    assert client.post(f"/o/demo/goals/{demo_goal.pk}/kpis/", kpi_form).status_code == 302
    roi = demo_goal.kpis.get(metric=Metric.ROI)
    assert client.post(f"/o/demo/kpis/{roi.pk}/measurements/", {"value": "-1.25"}).status_code == 302
    assert roi.measurements.get().value == Decimal("-1.25")
    refused = client.post(f"/o/demo/goals/{demo_goal.pk}/kpis/", {**kpi_form, "metric": "followers"})
    assert refused.status_code == 400
    assert "only ROI and custom metrics can be negative" in refused.content.decode()
    api = api_for(strategist)
    response = api.post(
        f"/api/v1/orgs/demo/kpis/{roi.pk}/measurements",
        json.dumps({"value": -3}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == -3
