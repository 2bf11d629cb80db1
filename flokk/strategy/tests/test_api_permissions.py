"""Who may call which strategy API endpoint: every endpoint for every built-in role, the agency, an outsider
and a caller without a token. Expectations come from the role table of `test_view_permissions`; API
answers are 401 without a token, 404 for outsiders, 403 for members without the permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from flokk.core.models import AuditEntry
from flokk.strategy.api import router
from flokk.strategy.models import Milestone
from flokk.strategy.tests.test_view_permissions import MEASURE, SUBJECTS, VIEW, WORK, may
from flokk.teams.models import Membership, Organization, User
from flokk.teams.services.demo import demo_email


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # under /api/v1, with {org}, {goal_id}, {kpi_id}
    permission: str
    success: int
    body: Callable[[dict[str, str]], dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def _goal(ids: dict[str, str]) -> dict[str, Any]:
    return {"title": "Grow", "owner": ids["member_id"], "deadline": "2030-01-01", "challenges": ["sales"]}


CALLS = [
    Call("GET", "/orgs/{org}/strategy", VIEW, 200),
    Call(
        "PUT",
        "/orgs/{org}/strategy",
        WORK,
        200,
        lambda ids: {"brand_identity": "B", "channels": [{"network": "bluesky", "priority": 1}]},
    ),
    Call("GET", "/orgs/{org}/strategy/versions", VIEW, 200),
    Call("GET", "/orgs/{org}/goals", VIEW, 200),
    Call("POST", "/orgs/{org}/goals", WORK, 201, _goal),
    Call("GET", "/orgs/{org}/goals/{goal_id}", VIEW, 200),
    Call("PUT", "/orgs/{org}/goals/{goal_id}", WORK, 200, _goal),
    Call("DELETE", "/orgs/{org}/goals/{goal_id}", WORK, 204),
    Call(
        "POST",
        "/orgs/{org}/goals/{goal_id}/kpis",
        WORK,
        201,
        lambda ids: {
            "metric": "custom",
            "custom_metric": "Newsletter sign-ups",
            "target_value": 100,
            "direction": "increase",
            "period_start": "2030-01-01",
            "period_end": "2030-02-01",
        },
    ),
    Call(
        "POST",
        "/orgs/{org}/kpis/{kpi_id}/milestones",
        WORK,
        201,
        lambda ids: {"title": "Half", "target_value": "3500", "due_on": "2030-01-01"},
    ),
    Call("GET", "/orgs/{org}/kpis/{kpi_id}/measurements", VIEW, 200),
    Call("DELETE", "/orgs/{org}/kpis/{kpi_id}", WORK, 204),
    Call("DELETE", "/orgs/{org}/milestones/{milestone_id}", WORK, 204),
    Call("POST", "/orgs/{org}/kpis/{kpi_id}/measurements", MEASURE, 201, lambda ids: {"value": 3300}),
    Call("GET", "/orgs/{org}/plan", VIEW, 200),
]


@pytest.fixture
def ids(demo: Organization, demo_goal, demo_kpi) -> dict[str, str]:
    return {
        "org": "demo",
        "goal_id": str(demo_goal.pk),
        "kpi_id": str(demo_kpi.pk),
        "milestone_id": str(demo_kpi.milestones.first().pk),
        "member_id": str(Membership.objects.get(organization=demo, user__email=demo_email("analyst")).pk),
    }


def send(client: Client, call: Call, ids: dict[str, str]) -> Any:
    url = "/api/v1" + call.path.format(**ids)
    if call.body is None:
        return client.generic(call.method, url)
    return client.generic(call.method, url, json_body(call.body(ids)), content_type="application/json")


def json_body(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)


def test_the_table_covers_every_endpoint():
    routes = {
        (method, path)
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    }
    assert routes == {(c.method, c.path) for c in CALLS}


def expected(subject: str, call: Call) -> int:
    if subject == "anonymous":
        return 401
    if subject == "outsider":
        return 404
    return call.success if may(subject, call.permission) else 403


@pytest.mark.parametrize("subject", SUBJECTS)
def test_strategy_api_by_role(ids, api_for, outsider, subject):
    if subject == "anonymous":
        client = Client()
    else:
        email = {"agency": "producer@demo-agency.example", "outsider": outsider.email}.get(
            subject, demo_email(subject)
        )
        client = api_for(User.objects.get(email=email))
    wrong = []
    for call in CALLS:
        with transaction.atomic():
            before = AuditEntry.objects.count()
            response = send(client, call, ids)
            written = AuditEntry.objects.count() - before
            transaction.set_rollback(True)
        want = expected(subject, call)
        if response.status_code != want:
            wrong.append(
                f"{call.label}: expected {want}, got {response.status_code} {response.content[:200]!r}"
            )
        elif want >= 400:
            if written:
                wrong.append(f"{call.label}: refused, but wrote {written} audit entries")
            if "error" not in response.json():
                wrong.append(f"{call.label}: the refusal is not a JSON error")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("call", [c for c in CALLS if "_id}" in c.path], ids=lambda c: c.label)
def test_objects_of_another_organization_answer_404(ids, other_goal, member, api_for, call):
    client = api_for(member("head-of-social"))
    other_kpi = other_goal.kpis.get()
    milestone = Milestone.objects.create(
        organization=other_kpi.organization, kpi=other_kpi, title="M", target_value=1, due_on="2030-01-01"
    )
    foreign = {
        **ids,
        "goal_id": str(other_goal.pk),
        "kpi_id": str(other_kpi.pk),
        "milestone_id": str(milestone.pk),
    }
    before = AuditEntry.objects.count()
    response = send(client, call, foreign)
    assert response.status_code == 404
    assert AuditEntry.objects.count() == before
