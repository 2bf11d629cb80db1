"""Fixtures of the strategy tests: demo goals and KPIs, and look-alikes in another organization."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from flokk.strategy.choices import Direction, Metric
from flokk.strategy.models import KPI, Goal
from flokk.strategy.services.goals import add_kpi, create_goal
from flokk.teams.models import Membership, Organization, User


@pytest.fixture
def other_goal(outsider: User) -> Goal:
    """A goal with one KPI in the organization "other", which demo people must never reach."""
    other = Organization.objects.get(slug="other")
    goal = create_goal(
        other,
        title="Other goal",
        owner=Membership.objects.get(organization=other, user=outsider),
        deadline=date(2030, 1, 1),
        actor=outsider,
    )
    add_kpi(
        goal,
        metric=Metric.REACH,
        target_value=Decimal(100),
        direction=Direction.INCREASE,
        period_start=date(2029, 1, 1),
        period_end=date(2030, 1, 1),
        actor=outsider,
    )
    return goal


@pytest.fixture
def demo_goal(demo: Organization) -> Goal:
    return Goal.objects.for_org(demo).get(title="More people know our bakeries")


@pytest.fixture
def demo_kpi(demo_goal: Goal) -> KPI:
    return demo_goal.kpis.get()
