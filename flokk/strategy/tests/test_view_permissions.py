"""Who may open which strategy page: every strategy URL for every built-in role, the agency, an outsider
and an anonymous visitor.

The expectations come from the tables below, written from the product rules (DOMAIN.md and the built-in
roles' descriptions), not read from the code: viewing needs strategy.view, changing strategy, goals and
plan needs strategy.work, and measurements may also be entered by anyone with analysis.work. Members
without the permission get 403, outsiders 404, anonymous visitors the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, reverse

from flokk.core.models import AuditEntry
from flokk.strategy import urls as strategy_urls
from flokk.strategy.models import KPI, Goal, Milestone, PlanItem, Resource, StrategyVersion
from flokk.teams.choices import BUILTIN_ROLES
from flokk.teams.models import Membership, Organization, User
from flokk.teams.services.demo import demo_email

OPEN, DONE, LOGIN, FORBIDDEN, NOT_FOUND = "page", "done", "sign-in", "403", "404"
VIEW, WORK, MEASURE = "strategy.view", "strategy.work", "measure"

# The strategy level of each built-in role, as the role descriptions promise (0 none, 1 view, 2 work, ...).
STRATEGY_LEVEL = {
    "head-of-social": 4,
    "social-media-manager": 3,
    "communications-lead": 3,
    "marketing-coordinator": 1,
    "content-manager": 1,
    "copywriter": 1,
    "graphic-designer": 1,
    "video-producer": 1,
    "community-manager": 1,
    "care-manager": 1,
    "customer-support": 1,
    "paid-media-manager": 1,
    "analyst": 1,
    "sales": 1,
    "management": 1,
    "agency": 0,  # the demo agency works in production and advertising only
}
# Who works in analysis (and so may enter measurements without strategy.work).
ANALYSIS_WORKERS = {
    "head-of-social",
    "social-media-manager",
    "marketing-coordinator",
    "paid-media-manager",
    "analyst",
}
SUBJECTS = [*BUILTIN_ROLES, "agency", "outsider", "anonymous"]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    permission: str
    objects: tuple[str, ...] = ()
    data: Callable[[dict[str, str]], dict[str, Any]] | None = None
    allowed: str = OPEN

    @property
    def label(self) -> str:
        return f"{self.method} {self.name}"


ENDPOINTS = [
    Endpoint("overview", "GET", VIEW),
    Endpoint("version", "GET", VIEW, ("version_id",)),
    Endpoint("edit", "GET", WORK),
    Endpoint(
        "edit",
        "POST",
        WORK,
        (),
        lambda ids: {
            "brand_identity": "Bread",
            "aim_sales": "Sell",
            "priority_bluesky": "1",
            "audiences": "A",
        },
        DONE,
    ),
    Endpoint("goals", "GET", VIEW),
    Endpoint("goal_create", "GET", WORK),
    Endpoint(
        "goal_create",
        "POST",
        WORK,
        (),
        lambda ids: {"title": "New", "owner": ids["member_id"], "deadline": "2030-01-01"},
        DONE,
    ),
    Endpoint("goal_detail", "GET", VIEW, ("goal_id",)),
    Endpoint("goal_edit", "GET", WORK, ("goal_id",)),
    Endpoint(
        "goal_edit",
        "POST",
        WORK,
        ("goal_id",),
        lambda ids: {"title": "Renamed", "owner": ids["member_id"], "deadline": "2030-01-01"},
        DONE,
    ),
    Endpoint("goal_delete", "POST", WORK, ("goal_id",), lambda ids: {}, DONE),
    Endpoint(
        "kpi_create",
        "POST",
        WORK,
        ("goal_id",),
        lambda ids: {
            "metric": "reach",
            "target_value": "1000",
            "direction": "increase",
            "period_start": "2030-01-01",
            "period_end": "2030-06-30",
        },
        DONE,
    ),
    Endpoint(
        "milestone_create",
        "POST",
        WORK,
        ("kpi_id",),
        lambda ids: {"title": "Halfway", "target_value": "3500", "due_on": "2030-01-01"},
        DONE,
    ),
    Endpoint("kpi_remove", "POST", WORK, ("kpi_id",), lambda ids: {}, DONE),
    Endpoint("milestone_remove", "POST", WORK, ("milestone_id",), lambda ids: {}, DONE),
    Endpoint("measurement_create", "POST", MEASURE, ("kpi_id",), lambda ids: {"value": "3200"}, DONE),
    Endpoint("plan", "GET", VIEW),
    Endpoint(
        "resource_create",
        "POST",
        WORK,
        (),
        lambda ids: {"name": "Designer", "kind": "person", "arrives_on": "2030-01-01"},
        DONE,
    ),
    Endpoint("resource_remove", "POST", WORK, ("resource_id",), lambda ids: {}, DONE),
    Endpoint(
        "item_create",
        "POST",
        WORK,
        (),
        lambda ids: {
            "title": "Launch",
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-02",
            "area": "planning",
        },
        DONE,
    ),
    Endpoint("item_remove", "POST", WORK, ("item_id",), lambda ids: {}, DONE),
    Endpoint("frequency_set", "POST", WORK, (), lambda ids: {"network": "x", "posts_per_week": "2"}, DONE),
]


def may(subject: str, permission: str) -> bool:
    level = STRATEGY_LEVEL[subject]
    if permission == VIEW:
        return level >= 1
    if permission == WORK:
        return level >= 2
    return level >= 2 or subject in ANALYSIS_WORKERS


def expected(subject: str, endpoint: Endpoint) -> str:
    if subject == "anonymous":
        return LOGIN
    if subject == "outsider":
        return NOT_FOUND
    return endpoint.allowed if may(subject, endpoint.permission) else FORBIDDEN


def outcome(response: HttpResponse) -> str:
    if response.status_code == 200:
        return OPEN
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("teams:login") + "?next=") else DONE
    return str(response.status_code)


def client_of(subject: str, client_for: Callable[[User], Client]) -> Client:
    if subject == "anonymous":
        return Client()
    email = {"agency": "producer@demo-agency.example", "outsider": "outsider@other.example"}.get(
        subject, demo_email(subject)
    )
    return client_for(User.objects.get(email=email))


@pytest.fixture
def ids(demo: Organization, outsider: User) -> dict[str, str]:
    goal = Goal.objects.for_org(demo).get(title="More people know our bakeries")
    return {
        "goal_id": str(goal.pk),
        "kpi_id": str(KPI.objects.filter(goal=goal).get().pk),
        "milestone_id": str(Milestone.objects.filter(kpi__goal=goal).first().pk),  # type: ignore[union-attr]
        "version_id": str(StrategyVersion.objects.filter(organization=demo).first().pk),  # type: ignore[union-attr]
        "resource_id": str(Resource.objects.filter(organization=demo).first().pk),  # type: ignore[union-attr]
        "item_id": str(PlanItem.objects.filter(organization=demo).first().pk),  # type: ignore[union-attr]
        "member_id": str(Membership.objects.get(organization=demo, user__email=demo_email("analyst")).pk),
    }


def send(client: Client, endpoint: Endpoint, ids: dict[str, str], org: str = "demo") -> HttpResponse:
    url = reverse(f"strategy:{endpoint.name}", kwargs={"org": org, **{k: ids[k] for k in endpoint.objects}})
    if endpoint.method == "POST":
        return client.post(url, endpoint.data(ids) if endpoint.data else {})
    return client.get(url)


def test_the_table_covers_every_strategy_url():
    names = {
        (p.name, m) for p in strategy_urls.urlpatterns if isinstance(p, URLPattern) for m in ("GET", "POST")
    }
    covered = {(e.name, e.method) for e in ENDPOINTS}
    assert {name for name, _m in names} == {name for name, _m in covered}


def test_the_role_table_names_every_built_in_role():
    assert set(STRATEGY_LEVEL) == {*BUILTIN_ROLES, "agency"}


@pytest.mark.parametrize("subject", SUBJECTS)
def test_strategy_pages_by_role(ids, client_for, subject):
    # Given a person with one built-in role (or the agency's producer, an outsider, nobody signed in)
    client = client_of(subject, client_for)
    wrong = []
    for endpoint in ENDPOINTS:
        # When they open the page or send its form (each request is undone, so the next starts clean)
        with transaction.atomic():
            audit_before = AuditEntry.objects.count()
            response = send(client, endpoint, ids)
            written = AuditEntry.objects.count() - audit_before
            transaction.set_rollback(True)
        # Then they see what the rules say, and a refused request changes nothing
        want, got = expected(subject, endpoint), outcome(response)
        if got != want:
            wrong.append(f"{endpoint.label}: expected {want}, got {got}")
        elif want in (LOGIN, FORBIDDEN, NOT_FOUND) and written:
            wrong.append(f"{endpoint.label}: refused, but wrote {written} audit entries")
        elif want == DONE and not written:
            wrong.append(f"{endpoint.label}: allowed, but wrote no audit entry")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.objects], ids=lambda e: e.label)
def test_objects_of_another_organization_are_not_found(ids, other_goal, member, client_for, endpoint):
    # Given the demo's head of social, and objects of the organization "other"
    foreign = {
        **ids,
        "goal_id": str(other_goal.pk),
        "kpi_id": str(other_goal.kpis.get().pk),
    }
    other = other_goal.organization
    foreign["milestone_id"] = str(
        Milestone.objects.create(
            organization=other, kpi=other_goal.kpis.get(), title="M", target_value=1, due_on="2030-01-01"
        ).pk
    )
    foreign["version_id"] = str(
        StrategyVersion.objects.create(organization=other, strategy=_strategy_of(other), number=1).pk
    )
    foreign["resource_id"] = str(
        Resource.objects.create(organization=other, name="R", kind="tool", arrives_on="2030-01-01").pk
    )
    foreign["item_id"] = str(
        PlanItem.objects.create(
            organization=other, title="T", starts_on="2030-01-01", ends_on="2030-01-01", area="planning"
        ).pk
    )
    client = client_for(member("head-of-social"))
    audit_before = AuditEntry.objects.count()
    # When they use them through a demo address
    response = send(client, endpoint, foreign)
    # Then they do not exist for them, and nothing was written
    assert response.status_code == 404
    assert AuditEntry.objects.count() == audit_before


def _strategy_of(organization: Organization) -> Any:
    from flokk.strategy.models import Strategy

    return Strategy.objects.get_or_create(organization=organization)[0]


def test_the_sidebar_links_strategy_only_for_those_who_may_view(demo, member, client_for):
    strategy_url = reverse("strategy:overview", kwargs={"org": "demo"})
    assert strategy_url in client_for(member("copywriter")).get("/o/demo/").content.decode()
    agency = User.objects.get(email="producer@demo-agency.example")
    assert strategy_url not in client_for(agency).get("/o/demo/").content.decode()
