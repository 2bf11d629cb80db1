"""The strategy API as a client uses it."""

from __future__ import annotations

import json

from flokk.strategy.models import Strategy
from flokk.teams.models import Membership
from flokk.teams.services.demo import demo_email


def test_put_strategy_replaces_it_and_keeps_a_version(demo, member, api_for):
    client = api_for(member("communications-lead"))
    body = {
        "brand_identity": "Bread",
        "challenges": ["sales", "reputation"],
        "purposes": [{"purpose": "sales", "aim": "Sell buns"}],
        "audiences": [{"name": "Parents"}, {"name": "New parents", "parent": "Parents"}],
        "channels": [
            {"network": n, "priority": i}
            for i, n in enumerate(["x", "bluesky", "mastodon", "facebook", "linkedin"], 1)
        ],
    }
    response = client.put("/api/v1/orgs/demo/strategy", json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    data = response.json()
    assert data["version"] == 3
    assert data["challenges"] == ["reputation", "sales"] or data["challenges"] == ["sales", "reputation"]
    assert data["audiences"][1] == {"name": "New parents", "description": "", "parent": "Parents"}
    assert data["warnings"]  # five networks
    versions = client.get("/api/v1/orgs/demo/strategy/versions").json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert versions[0]["saved_by"] == demo_email("communications-lead")
    assert Strategy.objects.get(organization=demo).version == 3


def test_goal_kpi_milestone_measurement_through_the_api(demo, member, api_for):
    client = api_for(member("head-of-social"))
    owner = Membership.objects.get(organization=demo, user__email=demo_email("sales"))

    def post(path: str, body: dict) -> dict:
        response = client.post(f"/api/v1/orgs/demo/{path}", json.dumps(body), content_type="application/json")
        assert response.status_code == 201, response.content
        return response.json()

    goal = post(
        "goals",
        {"title": "Sell more", "owner": str(owner.pk), "deadline": "2030-12-31", "challenges": ["sales"]},
    )
    assert goal["owner_email"] == demo_email("sales") and goal["progress"] == 0
    kpi = post(
        f"goals/{goal['id']}/kpis",
        {
            "metric": "negative_feedback_share",
            "target_value": "5",
            "baseline_value": 20,
            "direction": "decrease",
            "period_start": "2030-01-01",
            "period_end": "2030-12-31",
            "network": "facebook",
        },
    )
    milestone = post(
        f"kpis/{kpi['id']}/milestones", {"title": "Below 10 %", "target_value": 10, "due_on": "2030-06-01"}
    )
    assert milestone["reached_at"] is None
    analyst = api_for(member("analyst"))
    response = analyst.post(
        f"/api/v1/orgs/demo/kpis/{kpi['id']}/measurements",
        json.dumps({"value": 8, "source": "import", "measured_at": "2030-05-01T10:00:00+02:00"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    detail = client.get(f"/api/v1/orgs/demo/goals/{goal['id']}").json()
    assert detail["kpis"][0]["latest_value"] == 8
    assert detail["kpis"][0]["progress"] == 0.8
    assert detail["kpis"][0]["milestones"][0]["reached_at"] is not None
    assert client.delete(f"/api/v1/orgs/demo/goals/{goal['id']}").status_code == 204
    assert client.get(f"/api/v1/orgs/demo/goals/{goal['id']}").status_code == 404


def test_the_plan(demo, member, api_for):
    data = api_for(member("management")).get("/api/v1/orgs/demo/plan").json()
    assert data["posts_per_week"] == {"instagram": 5.0, "facebook": 3.0, "linkedin": 1.0}
    assert {r["kind"] for r in data["resources"]} == {"person", "budget"}
    assert [i["title"] for i in data["timeline"]] == ["Photo shoot in every shop", "Summer campaign"]


def test_every_status_is_declared_in_the_schema(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        if "/strategy" not in path and "/goals" not in path and "/kpis" not in path and "/plan" not in path:
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= codes, (method, path)
            if method in ("post", "put"):
                assert "400" in codes, (method, path)
