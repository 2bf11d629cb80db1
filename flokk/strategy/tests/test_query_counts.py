"""List pages and API lists keep a fixed number of queries however many goals, KPIs and measurements
there are."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flokk.strategy.choices import Direction, Metric
from flokk.strategy.services.goals import add_kpi, add_milestone, create_goal, record_measurement
from flokk.strategy.services.plan import add_plan_item, add_resource
from flokk.strategy.services.strategy import AudienceData, StrategyContent, save_strategy
from flokk.teams.models import Membership


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(demo, actor, count: int) -> None:
    owner = Membership.objects.get(organization=demo, user=actor)
    for n in range(count):
        goal = create_goal(demo, title=f"Goal {n}", owner=owner, deadline=date(2030, 1, 1), actor=actor)
        for metric in (Metric.REACH, Metric.ROI):
            kpi = add_kpi(
                goal,
                metric=metric,
                target_value=Decimal(100),
                direction=Direction.INCREASE,
                period_start=date(2029, 1, 1),
                period_end=date(2030, 1, 1),
                actor=actor,
            )
            add_milestone(kpi, title="Half", target_value=Decimal(50), due_on=date(2029, 6, 1), actor=actor)
            for days in range(3):
                record_measurement(
                    kpi,
                    value=Decimal(10 * days),
                    measured_at=timezone.now() - timedelta(days=days),
                    actor=actor,
                )
        add_resource(demo, name=f"Tool {n}", kind="tool", arrives_on=date(2030, 1, 1), actor=actor)
        add_plan_item(
            demo,
            title=f"Step {n}",
            starts_on=date(2030, 1, 1),
            ends_on=date(2030, 2, 1),
            area="planning",
            actor=actor,
        )
    save_strategy(
        demo,
        StrategyContent(audiences=[AudienceData(f"Audience {n}") for n in range(count)]),
        actor=actor,
    )


@pytest.mark.parametrize("page", ["goals/", "strategy/", "plan/", "goals/{goal}/"])
def test_pages_do_not_grow_with_goals(demo, member, client_for, demo_goal, page):
    head = member("head-of-social")
    client = client_for(head)
    url = "/o/demo/" + page.format(goal=demo_goal.pk)
    before = queries_for(client, url)
    grow(demo, head, 8)
    assert queries_for(client, url) == before


@pytest.mark.parametrize("path", ["goals", "strategy", "strategy/versions", "plan"])
def test_api_lists_do_not_grow_with_goals(demo, member, api_for, path):
    head = member("head-of-social")
    client = api_for(head)
    url = f"/api/v1/orgs/demo/{path}"
    client.get(url)  # the token's first use is recorded once
    before = queries_for(client, url)
    grow(demo, head, 8)
    assert queries_for(client, url) == before
