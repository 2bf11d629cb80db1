"""Demo content for the strategy: a strategy with two versions, two goals with KPIs, milestones,
measurements and an action plan."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from flokk.strategy.choices import Challenge, Direction, Metric, Purpose, ResourceKind
from flokk.strategy.models import Goal
from flokk.strategy.services.goals import add_kpi, add_milestone, create_goal, record_measurement
from flokk.strategy.services.plan import add_plan_item, add_resource, set_frequency
from flokk.strategy.services.strategy import AudienceData, ChannelData, StrategyContent, save_strategy
from flokk.teams.choices import Area
from flokk.teams.models import Membership, Organization, User


def seed_strategy_demo(organization: Organization) -> None:
    """Fill the demo organization's strategy, goals and plan (skipped when it already has goals)."""
    if Goal.objects.for_org(organization).exists():
        return
    head = Membership.objects.select_related("user").get(
        organization=organization, user__email="head-of-social@demo.example"
    )
    owner = (
        Membership.objects.select_related("user")
        .filter(organization=organization, user__email="social-media-manager@demo.example")
        .first()
        or head
    )
    actor: User = head.user
    content = StrategyContent(
        brand_identity="A friendly local bakery chain that bakes everything on site, every morning.",
        tone_of_voice="Warm and plain-spoken.",
        challenges=[Challenge.LOW_AWARENESS, Challenge.FALLING_LOYALTY],
        purposes={
            Purpose.MARKETING: "Tell people what is fresh today.",
            Purpose.BRANDING: "Be the local one.",
        },
        audiences=[
            AudienceData("Families", "Parents who shop for the weekend"),
            AudienceData("Families with small children", "Weekend breakfast", parent="Families"),
            AudienceData("Office workers", "Lunch and fika near our shops"),
        ],
        channels=[
            ChannelData("instagram", 1, "Bread is visual; our audience is there."),
            ChannelData("facebook", 2, "Local groups and events."),
        ],
    )
    save_strategy(organization, content, actor=actor)
    save_strategy(
        organization,
        StrategyContent(
            **{
                **content.__dict__,
                "tone_of_voice": "Warm and plain-spoken.\nWe answer every comment within a day.",
                "channels": [*content.channels, ChannelData("linkedin", 3, "Recruiting bakers.")],
            }
        ),
        actor=actor,
    )

    today = timezone.localdate()
    start = today - timedelta(days=60)
    awareness = create_goal(
        organization,
        title="More people know our bakeries",
        description="Grow the local following before the summer season.",
        owner=owner,
        deadline=today + timedelta(days=120),
        challenges=[Challenge.LOW_AWARENESS],
        actor=actor,
    )
    followers = add_kpi(
        awareness,
        metric=Metric.FOLLOWERS,
        target_value=Decimal(5000),
        baseline_value=Decimal(2000),
        direction=Direction.INCREASE,
        period_start=start,
        period_end=awareness.deadline,
        network="instagram",
        actor=actor,
    )
    add_milestone(followers, title="3,000 followers", target_value=Decimal(3000), due_on=today, actor=actor)
    add_milestone(
        followers,
        title="4,000 followers",
        target_value=Decimal(4000),
        due_on=today + timedelta(days=60),
        actor=actor,
    )
    now = timezone.now()
    for days_ago, value in ((45, 2150), (30, 2600), (10, 3100)):
        record_measurement(
            followers, value=Decimal(value), measured_at=now - timedelta(days=days_ago), actor=actor
        )

    loyalty = create_goal(
        organization,
        title="Faster answers to customers",
        owner=owner,
        deadline=today + timedelta(days=90),
        challenges=[Challenge.FALLING_LOYALTY, Challenge.REPUTATION],
        actor=actor,
    )
    response = add_kpi(
        loyalty,
        metric=Metric.RESPONSE_TIME,
        target_value=Decimal(2),
        direction=Direction.DECREASE,
        period_start=start,
        period_end=loyalty.deadline,
        actor=actor,
    )
    add_milestone(
        response,
        title="Under 6 hours",
        target_value=Decimal(6),
        due_on=today + timedelta(days=30),
        actor=actor,
    )
    for days_ago, value in ((40, 12), (20, 9)):
        record_measurement(
            response, value=Decimal(value), measured_at=now - timedelta(days=days_ago), actor=actor
        )

    add_resource(
        organization,
        name="Part-time community manager",
        kind=ResourceKind.PERSON,
        arrives_on=today + timedelta(days=14),
        actor=actor,
    )
    add_resource(
        organization,
        name="Photo budget",
        kind=ResourceKind.BUDGET,
        arrives_on=today,
        note="SEK 20,000",
        actor=actor,
    )
    add_plan_item(
        organization,
        title="Photo shoot in every shop",
        starts_on=today,
        ends_on=today + timedelta(days=21),
        area=Area.PRODUCTION,
        actor=actor,
    )
    add_plan_item(
        organization,
        title="Summer campaign",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=75),
        area=Area.PLANNING,
        actor=actor,
    )
    for network, per_week in (("instagram", 5), ("facebook", 3), ("linkedin", 1)):
        set_frequency(organization, network=network, posts_per_week=Decimal(per_week), actor=actor)
