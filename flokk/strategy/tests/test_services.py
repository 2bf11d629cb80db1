"""The strategy's services: versions and their diff, KPI progress, milestones, the planned frequency."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from flokk.core.models import AuditEntry, Notification
from flokk.strategy.choices import Direction, Metric
from flokk.strategy.models import KPI, Milestone, Strategy, StrategyVersion
from flokk.strategy.services.goals import add_kpi, add_milestone, create_goal, record_measurement
from flokk.strategy.services.plan import planned_frequency, set_frequency
from flokk.strategy.services.strategy import (
    AudienceData,
    ChannelData,
    StrategyContent,
    current_content,
    diff_versions,
    save_strategy,
)
from flokk.teams.models import Membership


# --- versions -----------------------------------------------------------------------------------------
def test_every_save_is_a_new_version_with_author_and_a_readable_diff(demo, member):
    # Given the demo strategy (two versions), and a strategist
    strategist = member("communications-lead")
    strategy = Strategy.objects.get(organization=demo)
    before = current_content(strategy)
    # When they change the tone of voice and drop a network
    version = save_strategy(
        demo,
        StrategyContent(
            **{
                **before.__dict__,
                "tone_of_voice": "Warm and plain-spoken.\nNo jargon, ever.",
                "channels": [c for c in before.channels if c.network != "linkedin"],
            }
        ),
        actor=strategist,
    )
    # Then it is version 3, saved by them, and the earlier versions are still there unchanged
    assert version.number == 3 and version.author == strategist
    assert list(StrategyVersion.objects.filter(strategy=strategy).values_list("number", flat=True)) == [
        3,
        2,
        1,
    ]
    assert (
        StrategyVersion.objects.get(strategy=strategy, number=2)
        .content["tone_of_voice"]
        .endswith("within a day.")
    )
    assert version.content["changed"] == ["tone_of_voice", "channels"]
    # And the diff against version 2 shows what was removed and added, line by line
    sections = {
        s.key: s for s in diff_versions(StrategyVersion.objects.get(number=2, strategy=strategy), version)
    }
    assert ("removed", "We answer every comment within a day.") in sections["tone_of_voice"].lines
    assert ("added", "No jargon, ever.") in sections["tone_of_voice"].lines
    assert ("same", "Warm and plain-spoken.") in sections["tone_of_voice"].lines
    assert ("removed", "3. LinkedIn: Recruiting bakers.") in sections["channels"].lines
    assert not sections["brand_identity"].changed
    assert AuditEntry.objects.filter(action="strategy.strategy.saved", organization=demo).count() == 3


def test_the_version_page_shows_who_changed_what(demo, member, client_for):
    strategy = Strategy.objects.get(organization=demo)
    version = StrategyVersion.objects.get(strategy=strategy, number=2)
    page = client_for(member("copywriter")).get(f"/o/demo/strategy/versions/{version.pk}/").content.decode()
    assert "Hanna Head" in page
    assert "<ins>+ We answer every comment within a day.</ins>" in page
    assert "<ins>+ 3. LinkedIn: Recruiting bakers.</ins>" in page


def test_sub_audiences_must_name_an_earlier_audience(demo, member):
    with pytest.raises(ValidationError) as error:
        save_strategy(
            demo,
            StrategyContent(audiences=[AudienceData("Kids", parent="Parents"), AudienceData("Parents")]),
            actor=member("head-of-social"),
        )
    assert "audiences" in error.value.message_dict
    assert Strategy.objects.get(organization=demo).version == 2


def test_more_than_four_networks_warns_gently(demo, member, client_for):
    channels = [
        ChannelData(n, i + 1) for i, n in enumerate(["bluesky", "x", "linkedin", "facebook", "instagram"])
    ]
    save_strategy(demo, StrategyContent(channels=channels), actor=member("head-of-social"))
    page = client_for(member("copywriter")).get("/o/demo/strategy/").content.decode()
    assert "Being everywhere rarely works" in page
    save_strategy(demo, StrategyContent(channels=channels[:4]), actor=member("head-of-social"))
    page = client_for(member("copywriter")).get("/o/demo/strategy/").content.decode()
    assert "Being everywhere rarely works" not in page


# --- KPI progress -------------------------------------------------------------------------------------
def _kpi(demo, actor, direction: str, target: int, baseline: int | None = None) -> KPI:
    goal = create_goal(
        demo,
        title=f"Goal {direction}",
        owner=Membership.objects.get(organization=demo, user=actor),
        deadline=date(2030, 1, 1),
        actor=actor,
    )
    return add_kpi(
        goal,
        metric=Metric.FOLLOWERS if direction == Direction.INCREASE else Metric.RESPONSE_TIME,
        target_value=Decimal(target),
        baseline_value=Decimal(baseline) if baseline is not None else None,
        direction=direction,
        period_start=date(2029, 1, 1),
        period_end=date(2030, 1, 1),
        actor=actor,
    )


def _measure(kpi: KPI, *values: int, actor=None) -> None:
    start = timezone.now() - timedelta(days=len(values))
    for n, value in enumerate(values):
        record_measurement(kpi, value=Decimal(value), measured_at=start + timedelta(days=n), actor=actor)


@pytest.mark.parametrize(
    ("baseline", "values", "progress"),
    [(None, [], 0.0), (None, [250], 0.25), (500, [750], 0.5), (None, [900, 400], 0.4), (None, [1200], 1.0)],
)
def test_progress_towards_an_increase_is_the_latest_value_against_the_target(
    demo, member, baseline, values, progress
):
    head = member("head-of-social")
    kpi = _kpi(demo, head, Direction.INCREASE, 1000, baseline)
    _measure(kpi, *values, actor=head)
    assert KPI.objects.get(pk=kpi.pk).progress() == pytest.approx(progress)


@pytest.mark.parametrize(
    ("baseline", "values", "progress"),
    [(None, [10], 0.0), (None, [10, 6], 0.5), (12, [7], 0.5), (None, [10, 12], 0.0), (None, [10, 1], 1.0)],
)
def test_progress_towards_a_decrease_counts_coming_down(demo, member, baseline, values, progress):
    # Response time from 10 hours (the first measurement, or the baseline) down to 2
    head = member("head-of-social")
    kpi = _kpi(demo, head, Direction.DECREASE, 2, baseline)
    _measure(kpi, *values, actor=head)
    assert KPI.objects.get(pk=kpi.pk).progress() == pytest.approx(progress)


def test_the_latest_measurement_counts_not_the_last_entered(demo, member):
    head = member("head-of-social")
    kpi = _kpi(demo, head, Direction.INCREASE, 1000)
    now = timezone.now()
    record_measurement(kpi, value=Decimal(800), measured_at=now, actor=head)
    record_measurement(kpi, value=Decimal(100), measured_at=now - timedelta(days=7), actor=head)  # backfilled
    assert KPI.objects.get(pk=kpi.pk).progress() == pytest.approx(0.8)


# --- milestones ---------------------------------------------------------------------------------------
def test_a_reached_milestone_is_marked_and_celebrated_once(
    demo, member, demo_goal, demo_kpi, django_capture_on_commit_callbacks
):
    # Given the demo's followers KPI at 3,100 and its milestone of 4,000 not yet reached
    analyst = member("analyst")
    milestone = Milestone.objects.get(kpi=demo_kpi, title="4,000 followers")
    assert milestone.reached_at is None
    Notification.objects.all().delete()
    # When the analyst records 4,050 followers
    with django_capture_on_commit_callbacks(execute=True):
        record_measurement(demo_kpi, value=Decimal(4050), actor=analyst)
    # Then the milestone is reached, and the owner and the strategy approvers are told, once each
    milestone.refresh_from_db()
    assert milestone.reached_at is not None
    told = sorted(n.recipient.email for n in Notification.objects.filter(action="strategy.milestone.reached"))
    assert told == sorted(
        [
            "social-media-manager@demo.example",  # the owner (and an approver: told once)
            "head-of-social@demo.example",
            "communications-lead@demo.example",
        ]
    )
    notification = Notification.objects.filter(action="strategy.milestone.reached").first()
    assert "4,000 followers" in notification.message
    assert notification.url == f"/o/demo/goals/{demo_goal.pk}/"
    # And a later measurement above it does not celebrate again
    with django_capture_on_commit_callbacks(execute=True):
        record_measurement(demo_kpi, value=Decimal(4500), actor=analyst)
    assert Notification.objects.filter(action="strategy.milestone.reached").count() == 3
    assert (
        AuditEntry.objects.filter(action="strategy.milestone.reached", target_id=str(milestone.pk)).count()
        == 1
    )


def test_a_measurement_short_of_the_milestone_tells_nobody(
    demo, member, demo_kpi, django_capture_on_commit_callbacks
):
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        record_measurement(demo_kpi, value=Decimal(3999), actor=member("analyst"))
    assert not Notification.objects.exists()
    assert not Milestone.objects.get(kpi=demo_kpi, title="4,000 followers").reached_at


def test_a_decrease_milestone_is_reached_by_coming_down(demo, member, django_capture_on_commit_callbacks):
    head = member("head-of-social")
    kpi = _kpi(demo, head, Direction.DECREASE, 2)
    milestone = add_milestone(
        kpi, title="Under 6 hours", target_value=Decimal(6), due_on=date(2029, 6, 1), actor=head
    )
    with django_capture_on_commit_callbacks(execute=True):
        _measure(kpi, 10, 7, actor=head)
    milestone.refresh_from_db()
    assert milestone.reached_at is None
    with django_capture_on_commit_callbacks(execute=True):
        record_measurement(kpi, value=Decimal(5), actor=head)
    milestone.refresh_from_db()
    assert milestone.reached_at is not None


def test_the_goal_page_shows_a_reached_milestone(demo, member, demo_goal, demo_kpi, client_for):
    record_measurement(demo_kpi, value=Decimal(4100), actor=member("analyst"))
    page = client_for(member("management")).get(f"/o/demo/goals/{demo_goal.pk}/").content.decode()
    assert page.count("Reached") == 2  # 3,000 (in the demo data) and now 4,000


# --- the plan -----------------------------------------------------------------------------------------
def test_planned_frequency_is_posts_per_week_by_network(demo, member):
    assert planned_frequency(demo) == {
        "instagram": Decimal(5),
        "facebook": Decimal(3),
        "linkedin": Decimal(1),
    }
    set_frequency(demo, network="linkedin", posts_per_week=Decimal(0), actor=member("head-of-social"))
    set_frequency(demo, network="bluesky", posts_per_week=Decimal("2.5"), actor=member("head-of-social"))
    assert planned_frequency(demo) == {"instagram": 5, "facebook": 3, "bluesky": Decimal("2.5")}
