"""Goal progress: KPIs are fed from the rollups, an unchanged value is not recorded again, and a milestone the
fed value reaches is celebrated."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from decimal import Decimal

import pytest

from flokk.analytics.choices import EventKind, TrafficSource
from flokk.analytics.models import DailyRollup, TrafficDay
from flokk.analytics.services.goals import feed_kpis
from flokk.channels.models import Account
from flokk.core.models import Notification
from flokk.inbox.models import Conversation, Message
from flokk.strategy.choices import Direction, MeasurementSource, Metric
from flokk.strategy.models import KPI, Goal, Measurement, Milestone
from flokk.strategy.services.goals import add_kpi, add_milestone, create_goal
from flokk.teams.models import Membership, Organization, User
from flokk.teams.services.organizations import create_organization

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")  # the organization's time zone
NOW = dt.datetime(2026, 10, 10, 12, tzinfo=dt.UTC)
START, END = dt.date(2026, 10, 1), dt.date(2026, 10, 31)


@pytest.fixture
def org() -> Organization:
    owner = User.objects.create_user("owner@fjord.example", "a-long-password-1", name="Olga Owner")
    return create_organization(name="Fjord", slug="fjord", owner=owner)


@pytest.fixture
def goal(org: Organization) -> Goal:
    owner = User.objects.get(email="owner@fjord.example")
    return create_goal(
        org,
        title="Be seen",
        owner=Membership.objects.get(user=owner, organization=org),
        deadline=END,
        actor=owner,
    )


def kpi(goal: Goal, metric: str, *, network: str = "", target: int = 10_000) -> KPI:
    owner = User.objects.get(email="owner@fjord.example")
    return add_kpi(
        goal, metric=metric, target_value=Decimal(target), direction=Direction.INCREASE, period_start=START,
        period_end=END, network=network, actor=owner,
    )  # fmt: skip


def rollup(org: Organization, day: dt.date, kind: str, total: int, network: str = "linkedin") -> None:
    DailyRollup.objects.create(organization=org, day=day, kind=kind, network=network, total=total)


def fed(item: KPI) -> list[Decimal]:
    measurements = Measurement.objects.filter(kpi=item, source=MeasurementSource.ANALYTICS).order_by(
        "measured_at"
    )
    return [m.value for m in measurements]


def test_impressions_come_from_the_rollups_of_the_period_and_network(org: Organization, goal: Goal) -> None:
    linkedin = kpi(goal, Metric.IMPRESSIONS, network="linkedin")
    everywhere = kpi(goal, Metric.REACH)
    rollup(org, dt.date(2026, 9, 30), EventKind.IMPRESSION, 1000)  # before the period
    rollup(org, dt.date(2026, 10, 2), EventKind.IMPRESSION, 500)
    rollup(org, dt.date(2026, 10, 5), EventKind.IMPRESSION, 300)
    rollup(org, dt.date(2026, 10, 5), EventKind.IMPRESSION, 200, network="bluesky")
    rollup(org, dt.date(2026, 10, 5), EventKind.LIKE, 70)  # not an impression

    assert feed_kpis(org, NOW) == 2

    assert fed(linkedin) == [Decimal(800)]
    assert fed(everywhere) == [Decimal(1000)]  # reach follows impressions, on every network


def test_an_unchanged_value_is_not_recorded_again(org: Organization, goal: Goal) -> None:
    item = kpi(goal, Metric.LINK_CLICKS)
    rollup(org, dt.date(2026, 10, 2), EventKind.LINK_CLICK, 4)
    rollup(org, dt.date(2026, 10, 3), EventKind.CLICK, 6)  # short-link clicks count too
    assert feed_kpis(org, NOW) == 1
    assert feed_kpis(org, NOW + dt.timedelta(hours=1)) == 0
    rollup(org, dt.date(2026, 10, 4), EventKind.CLICK, 1)
    assert feed_kpis(org, NOW + dt.timedelta(hours=2)) == 1
    assert fed(item) == [Decimal(10), Decimal(11)]


def test_rates_followers_and_conversions(org: Organization, goal: Goal) -> None:
    rate = kpi(goal, Metric.ENGAGEMENT_RATE)
    followers = kpi(goal, Metric.FOLLOWERS, network="linkedin")
    conversions = kpi(goal, Metric.CONVERSIONS)
    rollup(org, dt.date(2026, 10, 2), EventKind.IMPRESSION, 1000)
    rollup(org, dt.date(2026, 10, 2), EventKind.LIKE, 30)
    rollup(org, dt.date(2026, 10, 3), EventKind.COMMENT, 10)
    rollup(org, dt.date(2026, 10, 3), EventKind.VIDEO_VIEW, 500)  # not engagement
    rollup(org, dt.date(2025, 1, 1), EventKind.FOLLOWER, 400)  # followers add up from the very start
    rollup(org, dt.date(2026, 10, 3), EventKind.FOLLOWER, -5)
    rollup(org, dt.date(2026, 10, 20), EventKind.FOLLOWER, 50)  # after now: not counted yet
    rollup(org, dt.date(2026, 10, 4), EventKind.CONVERSION, 3, network="")
    TrafficDay.objects.create(
        organization=org, source=TrafficSource.MATOMO, day=dt.date(2026, 10, 4), landing_page="/offer",
        utm_source="linkedin", sessions=40, conversions=4,
    )  # fmt: skip

    feed_kpis(org, NOW)

    assert fed(rate) == [Decimal("4.0000")]  # per cent: 40 engagements of 1,000 impressions
    assert fed(followers) == [Decimal(395)]
    assert fed(conversions) == [Decimal(7)]


def test_kpis_analytics_cannot_measure_or_without_data_are_left_alone(org: Organization, goal: Goal) -> None:
    owner = User.objects.get(email="owner@fjord.example")
    custom = add_kpi(
        goal, metric=Metric.CUSTOM, custom_metric="Smiles", target_value=Decimal(5),
        direction=Direction.INCREASE, period_start=START, period_end=END, actor=owner,
    )  # fmt: skip
    rate = kpi(goal, Metric.ENGAGEMENT_RATE)  # no impressions: no rate
    later = add_kpi(
        goal, metric=Metric.IMPRESSIONS, target_value=Decimal(5), direction=Direction.INCREASE,
        period_start=dt.date(2026, 11, 1), period_end=dt.date(2026, 11, 30), actor=owner,
    )  # fmt: skip
    rollup(org, dt.date(2026, 10, 2), EventKind.IMPRESSION, 0)
    assert feed_kpis(org, NOW) == 0
    assert fed(custom) == fed(rate) == fed(later) == []


def test_a_milestone_reached_by_a_fed_value_is_celebrated(
    org: Organization, goal: Goal, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    owner = User.objects.get(email="owner@fjord.example")
    followers = kpi(goal, Metric.FOLLOWERS, target=1000)
    milestone = add_milestone(
        followers, title="100 followers", target_value=Decimal(100), due_on=END, actor=owner
    )
    rollup(org, dt.date(2026, 10, 2), EventKind.FOLLOWER, 60)
    with django_capture_on_commit_callbacks(execute=True):
        feed_kpis(org, NOW)
    assert Milestone.objects.get(pk=milestone.pk).reached_at is None

    rollup(org, dt.date(2026, 10, 3), EventKind.FOLLOWER, 45)
    with django_capture_on_commit_callbacks(execute=True):
        feed_kpis(org, NOW + dt.timedelta(hours=1))

    assert Milestone.objects.get(pk=milestone.pk).reached_at is not None
    told = Notification.objects.filter(action="strategy.milestone.reached", organization=org)
    assert [n.recipient.email for n in told] == ["owner@fjord.example"]
    assert "100 followers" in told[0].message
    assert fed(followers) == [Decimal(60), Decimal(105)]


def conversation(org: Organization, account: Account, started: dt.datetime, answered: dt.datetime, **fields):  # type: ignore[no-untyped-def]
    return Conversation.objects.create(
        id=uuid.uuid4(), organization=org, account=account, thread_remote_id=uuid.uuid4().hex, kind="comment",
        first_message_at=started, last_message_at=answered, first_responded_at=answered, **fields,
    )  # fmt: skip


def test_response_time_and_negative_feedback_come_from_the_inbox(org: Organization, goal: Goal) -> None:
    linkedin = Account.objects.create(organization=org, network="linkedin", handle="fjord")
    bluesky = Account.objects.create(organization=org, network="bluesky", handle="fjord.bsky.social")
    response_linkedin = kpi(goal, Metric.RESPONSE_TIME, network="linkedin")
    response_all = kpi(goal, Metric.RESPONSE_TIME)
    negative = kpi(goal, Metric.NEGATIVE_FEEDBACK_SHARE)
    at = lambda day, hour: dt.datetime(2026, 10, day, hour, tzinfo=ZONE)  # noqa: E731
    # Normal priority counts business hours (08-17 on weekdays): Friday 16:00 to Monday 09:00 is 2 hours.
    conversation(org, linkedin, at(2, 16), at(5, 9))
    conversation(org, linkedin, at(6, 10), at(6, 13))  # 3 hours
    conversation(org, linkedin, at(3, 12), at(3, 13), priority="urgent")  # around the clock: 1 hour
    thread = conversation(org, bluesky, at(6, 8), at(6, 18), priority="urgent")  # 10 hours
    for sentiment, direction in [("negative", "in"), ("neutral", "in"), ("positive", "in"), ("neutral", "in"),
                                 ("", "in"), ("negative", "out")]:  # fmt: skip
        Message.objects.create(
            id=uuid.uuid4(), organization=org, conversation=thread, account=bluesky, kind="comment",
            text="Hej", received_at=at(6, 9), created_at=at(6, 9), sentiment=sentiment, direction=direction,
        )  # fmt: skip

    feed_kpis(org, NOW)

    assert fed(response_linkedin) == [Decimal(2)]
    assert fed(response_all) == [Decimal("2.5")]
    assert fed(negative) == [Decimal(25)]  # one of the four messages from the public that were read


def test_the_hourly_job_feeds_every_organization(org: Organization, goal: Goal) -> None:
    from flokk.analytics.tasks import feed_kpis as job
    from flokk.core.periodic import JOBS

    item = kpi(goal, Metric.IMPRESSIONS)
    today = dt.datetime.now(dt.UTC).date()
    KPI.objects.filter(pk=item.pk).update(period_start=today - dt.timedelta(days=3), period_end=today)
    rollup(org, today - dt.timedelta(days=1), EventKind.IMPRESSION, 42)
    assert JOBS["analytics.feed_kpis"].every == dt.timedelta(hours=1)
    job()
    assert fed(item) == [Decimal(42)]
