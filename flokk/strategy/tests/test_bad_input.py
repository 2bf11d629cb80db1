"""Bad input to every strategy form and API write: negative, NaN, huge or malformed numbers, periods that
end before they start, another organization's member as owner, and markup.

Each bad request answers 400 (pages) or 400/422 (API), says what is wrong, stores nothing and never
fails with a 500; submitted markup is shown as text.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from flokk.core.models import AuditEntry
from flokk.strategy.models import (
    KPI,
    Audience,
    ChannelChoice,
    FrequencyTarget,
    Goal,
    Measurement,
    Milestone,
    PlanItem,
    Resource,
    Strategy,
    StrategyPurpose,
    StrategyVersion,
)
from flokk.teams.models import Membership, Organization
from flokk.teams.services.demo import demo_email

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
MODELS = (
    Strategy,
    StrategyPurpose,
    Audience,
    ChannelChoice,
    StrategyVersion,
    Goal,
    KPI,
    Milestone,
    Measurement,
    Resource,
    PlanItem,
    FrequencyTarget,
)


def snapshot() -> dict[str, Any]:
    tables: dict[str, Any] = {m.__name__: list(m.objects.order_by("pk").values()) for m in MODELS}
    tables["audit"] = AuditEntry.objects.exclude(action__startswith="teams.").count()
    return tables


@pytest.fixture
def head(member):
    return member("head-of-social")


@pytest.fixture
def ids(demo: Organization, outsider, demo_goal, demo_kpi) -> dict[str, str]:
    return {
        "goal": str(demo_goal.pk),
        "kpi": str(demo_kpi.pk),
        "member": str(Membership.objects.get(organization=demo, user__email=demo_email("analyst")).pk),
        "foreign_member": str(Membership.objects.get(organization__slug="other").pk),
    }


KPI_OK = {"metric": "reach", "target_value": "100", "direction": "increase", "period_start": "2030-01-01"}
KPI_OK_END = {**KPI_OK, "period_end": "2030-02-01"}

# (name, path under /o/demo/, form data, text the page must show)
BAD_FORMS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "negative target",
        "goals/{goal}/kpis/",
        {**KPI_OK_END, "target_value": "-5"},
        "only ROI and custom metrics can be negative",
    ),
    ("NaN target", "goals/{goal}/kpis/", {**KPI_OK_END, "target_value": "NaN"}, "Enter a number."),
    ("infinite target", "goals/{goal}/kpis/", {**KPI_OK_END, "target_value": "Infinity"}, "Enter a number."),
    ("huge target", "goals/{goal}/kpis/", {**KPI_OK_END, "target_value": "1e20"}, "less than or equal to"),
    ("end before start", "goals/{goal}/kpis/", {**KPI_OK, "period_end": "2029-12-31"}, "cannot be before"),
    (
        "unnamed custom metric",
        "goals/{goal}/kpis/",
        {**KPI_OK_END, "metric": "custom"},
        "Name the custom metric",
    ),
    ("unknown metric", "goals/{goal}/kpis/", {**KPI_OK_END, "metric": "vibes"}, "Select a valid choice"),
    ("negative measurement", "kpis/{kpi}/measurements/", {"value": "-1"}, "Enter zero or more."),
    ("NaN measurement", "kpis/{kpi}/measurements/", {"value": "nan"}, "Enter a number."),
    ("huge measurement", "kpis/{kpi}/measurements/", {"value": "9" * 30}, "digits"),
    ("text measurement", "kpis/{kpi}/measurements/", {"value": "lots"}, "Enter a number."),
    (
        "milestone NaN",
        "kpis/{kpi}/milestones/",
        {"title": "x", "target_value": "NaN", "due_on": "2030-01-01"},
        "Enter a number.",
    ),
    (
        "milestone without date",
        "kpis/{kpi}/milestones/",
        {"title": SCRIPT, "target_value": "1"},
        "This field is required.",
    ),
    (
        "foreign owner",
        "goals/new/",
        {"title": "Steal", "owner": "{foreign_member}", "deadline": "2030-01-01"},
        "Select a valid choice",
    ),
    ("goal with markup and no deadline", "goals/new/", {"title": SCRIPT, "owner": "{member}"}, ESCAPED),
    (
        "timeline item ending first",
        "plan/items/",
        {"title": SCRIPT, "starts_on": "2030-02-01", "ends_on": "2030-01-01", "area": "planning"},
        "cannot be before",
    ),
    (
        "resource of unknown kind",
        "plan/resources/",
        {"name": "x", "kind": "robot", "arrives_on": "2030-01-01"},
        "valid choice",
    ),
    (
        "negative frequency",
        "plan/frequency/",
        {"network": "x", "posts_per_week": "-1"},
        "greater than or equal to 0",
    ),
    ("unknown network", "plan/frequency/", {"network": "myspace", "posts_per_week": "1"}, "valid choice"),
    ("sub-audience first", "strategy/edit/", {"audiences": f"- {SCRIPT}\nParents"}, "must come after"),
    ("priority zero", "strategy/edit/", {"priority_x": "0", "brand_identity": SCRIPT}, ESCAPED),
    ("duplicate audience", "strategy/edit/", {"audiences": "Parents\nParents"}, "Two audiences are called"),
    ("NUL in text", "strategy/edit/", {"brand_identity": "a\x00b"}, "Null characters are not allowed"),
]


@pytest.mark.parametrize(("name", "path", "data", "shown"), BAD_FORMS, ids=[f[0] for f in BAD_FORMS])
def test_bad_forms_are_refused_and_change_nothing(ids, head, client_for, name, path, data, shown):
    client = client_for(head)
    before = snapshot()
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in data.items()}
    response = client.post("/o/demo/" + path.format(**ids), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert shown in page
    assert SCRIPT not in page
    assert snapshot() == before


def test_markup_in_saved_text_is_shown_as_text(ids, head, client_for):
    client = client_for(head)
    response = client.post(
        "/o/demo/goals/new/", {"title": SCRIPT, "owner": ids["member"], "deadline": "2030-01-01"}, follow=True
    )
    assert response.status_code == 200
    client.post("/o/demo/strategy/edit/", {"brand_identity": SCRIPT, "audiences": f"{SCRIPT}: {SCRIPT}"})
    for url in (
        "/o/demo/goals/",
        "/o/demo/strategy/",
        f"/o/demo/strategy/versions/{StrategyVersion.objects.first().pk}/",
    ):
        page = client.get(url).content.decode()
        assert ESCAPED in page, url
        assert SCRIPT not in page, url


# --- the API ------------------------------------------------------------------------------------------
def _kpi_body(**changes: Any) -> dict[str, Any]:
    return {
        "metric": "reach",
        "target_value": 100,
        "direction": "increase",
        "period_start": "2030-01-01",
        "period_end": "2030-02-01",
        **changes,
    }


BAD_CALLS: list[tuple[str, str, str, Any, int]] = [
    ("negative measurement", "POST", "kpis/{kpi}/measurements", {"value": -1}, 422),
    ("NaN string measurement", "POST", "kpis/{kpi}/measurements", {"value": "NaN"}, 422),
    ("NaN literal measurement", "POST", "kpis/{kpi}/measurements", '{"value": NaN}', 422),
    ("Infinity measurement", "POST", "kpis/{kpi}/measurements", '{"value": Infinity}', 422),
    ("huge measurement", "POST", "kpis/{kpi}/measurements", {"value": 1e300}, 422),
    ("too precise measurement", "POST", "kpis/{kpi}/measurements", {"value": "1.000001"}, 422),
    (
        "naive time",
        "POST",
        "kpis/{kpi}/measurements",
        {"value": 1, "measured_at": "2030-01-01T10:00:00"},
        422,
    ),
    ("unknown source", "POST", "kpis/{kpi}/measurements", {"value": 1, "source": "guess"}, 422),
    ("malformed JSON", "POST", "kpis/{kpi}/measurements", '{"value": ', 400),
    ("end before start", "POST", "goals/{goal}/kpis", _kpi_body(period_end="2029-01-01"), 422),
    ("negative target", "POST", "goals/{goal}/kpis", _kpi_body(target_value=-1), 422),
    ("custom without name", "POST", "goals/{goal}/kpis", _kpi_body(metric="custom"), 422),
    (
        "milestone NaN",
        "POST",
        "kpis/{kpi}/milestones",
        {"title": "x", "target_value": "NaN", "due_on": "2030-01-01"},
        422,
    ),
    (
        "foreign owner",
        "POST",
        "goals",
        {"title": "x", "owner": "{foreign_member}", "deadline": "2030-01-01"},
        422,
    ),
    ("owner is no uuid", "POST", "goals", {"title": "x", "owner": "nobody", "deadline": "2030-01-01"}, 422),
    ("empty title", "POST", "goals", {"title": " ", "owner": "{member}", "deadline": "2030-01-01"}, 422),
    (
        "foreign owner on change",
        "PUT",
        "goals/{goal}",
        {"title": "x", "owner": "{foreign_member}", "deadline": "2030-01-01"},
        422,
    ),
    (
        "duplicate network",
        "PUT",
        "strategy",
        {"channels": [{"network": "x"}, {"network": "x", "priority": 2}]},
        422,
    ),
    ("unknown network", "PUT", "strategy", {"channels": [{"network": "myspace"}]}, 422),
    ("priority zero", "PUT", "strategy", {"channels": [{"network": "x", "priority": 0}]}, 422),
    ("dangling parent", "PUT", "strategy", {"audiences": [{"name": "Kids", "parent": "Parents"}]}, 422),
    ("NUL in text", "PUT", "strategy", {"brand_identity": "a\u0000b"}, 422),
    ("unknown challenge", "PUT", "strategy", {"challenges": ["boredom"]}, 422),
    (
        "purpose twice",
        "PUT",
        "strategy",
        {"purposes": [{"purpose": "pr", "aim": "a"}, {"purpose": "pr", "aim": "b"}]},
        422,
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "status"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS]
)
def test_bad_api_calls_are_refused_and_change_nothing(ids, head, api_for, name, method, path, body, status):
    client: Client = api_for(head)
    if isinstance(body, dict):
        body = json.loads(
            json.dumps(body)
            .replace("{foreign_member}", ids["foreign_member"])
            .replace("{member}", ids["member"])
        )
        body = json.dumps(body)
    before = snapshot()
    response = client.generic(
        method, f"/api/v1/orgs/demo/{path.format(**ids)}", body, content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert "error" in response.json()
    assert snapshot() == before
