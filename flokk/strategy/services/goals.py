"""Goals, their KPIs and milestones, and measurements: the one place progress is recorded."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.networks import Network
from flokk.core.audit import record
from flokk.core.notifications import notify
from flokk.strategy.choices import SIGNED_METRICS, Challenge, Direction, MeasurementSource, Metric
from flokk.strategy.models import KPI, Goal, Measurement, Milestone
from flokk.strategy.services.validation import clean_period, clean_text, clean_value
from flokk.teams.choices import Area, Level
from flokk.teams.models import Membership, Organization, User


def _clean_owner(organization: Organization, owner: Membership | None) -> Membership:
    if owner is None or owner.organization_id != organization.pk or not owner.is_active:
        raise ValidationError({"owner": _("Choose a member of this organization.")}, code="invalid_owner")
    return owner


def _clean_challenges(challenges: list[str]) -> list[str]:
    unknown = set(challenges) - set(Challenge.values)
    if unknown:
        raise ValidationError(
            {"challenges": _("Unknown challenge: %(c)s") % {"c": ", ".join(sorted(unknown))}},
            code="unknown_challenge",
        )
    return [c for c in Challenge.values if c in set(challenges)]


def create_goal(
    organization: Organization,
    *,
    title: str,
    owner: Membership | None,
    deadline: date,
    description: str = "",
    challenges: list[str] | None = None,
    actor: User,
) -> Goal:
    """Set a new goal. The owner must be an active member of the organization."""
    goal = Goal(
        organization=organization,
        title=clean_text(title, "title", 200, required=True),
        description=clean_text(description, "description", 5000),
        owner=_clean_owner(organization, owner),
        deadline=deadline,
        challenges=_clean_challenges(challenges or []),
    )
    with transaction.atomic():
        goal.save()
        record("strategy.goal.created", organization=organization, actor=actor, target=goal)
    return goal


def update_goal(
    goal: Goal,
    *,
    title: str,
    owner: Membership | None,
    deadline: date,
    description: str = "",
    challenges: list[str] | None = None,
    actor: User,
) -> Goal:
    """Change a goal's title, description, owner, deadline and challenges."""
    goal.title = clean_text(title, "title", 200, required=True)
    goal.description = clean_text(description, "description", 5000)
    goal.owner = _clean_owner(goal.organization, owner)
    goal.deadline = deadline
    goal.challenges = _clean_challenges(challenges or [])
    with transaction.atomic():
        goal.save(update_fields=["title", "description", "owner", "deadline", "challenges", "updated_at"])
        record("strategy.goal.changed", organization=goal.organization, actor=actor, target=goal)
    return goal


def delete_goal(goal: Goal, *, actor: User) -> None:
    """Remove a goal with its KPIs, milestones and measurements."""
    with transaction.atomic():
        record("strategy.goal.deleted", organization=goal.organization, actor=actor, target=goal, data={})
        goal.delete()


def add_kpi(
    goal: Goal,
    *,
    metric: str,
    target_value: Decimal,
    direction: str,
    period_start: date,
    period_end: date,
    custom_metric: str = "",
    baseline_value: Decimal | None = None,
    network: str = "",
    actor: User,
) -> KPI:
    """Give the goal a KPI. A custom metric needs a name; the period's end cannot come before its start."""
    if metric not in Metric.values:
        raise ValidationError({"metric": _("Unknown metric.")}, code="unknown_metric")
    if direction not in Direction.values:
        raise ValidationError({"direction": _("Unknown direction.")}, code="unknown_direction")
    if network and network not in Network.values:
        raise ValidationError({"network": _("Unknown network.")}, code="unknown_network")
    custom = clean_text(custom_metric, "custom_metric", 100, required=metric == Metric.CUSTOM)
    clean_period(period_start, period_end, "period_end")
    signed = metric in SIGNED_METRICS
    kpi = KPI(
        organization=goal.organization,
        goal=goal,
        metric=metric,
        custom_metric=custom if metric == Metric.CUSTOM else "",
        target_value=clean_value(target_value, "target_value", allow_negative=signed),
        baseline_value=(
            clean_value(baseline_value, "baseline_value", allow_negative=signed)
            if baseline_value is not None
            else None
        ),
        direction=direction,
        period_start=period_start,
        period_end=period_end,
        network=network,
    )
    with transaction.atomic():
        kpi.save()
        record(
            "strategy.kpi.created",
            organization=goal.organization,
            actor=actor,
            target=kpi,
            data={"goal": str(goal.pk), "metric": metric, "target": str(kpi.target_value)},
        )
    return kpi


def remove_kpi(kpi: KPI, *, actor: User) -> None:
    """Remove a KPI with its milestones and measurements (a KPI set up by mistake)."""
    with transaction.atomic():
        record(
            "strategy.kpi.removed",
            organization=kpi.organization,
            actor=actor,
            target=kpi,
            data={"goal": str(kpi.goal_id)},
        )
        kpi.delete()


def remove_milestone(milestone: Milestone, *, actor: User) -> None:
    """Remove a milestone."""
    with transaction.atomic():
        record(
            "strategy.milestone.removed", organization=milestone.organization, actor=actor, target=milestone
        )
        milestone.delete()


def add_milestone(kpi: KPI, *, title: str, target_value: Decimal, due_on: date, actor: User) -> Milestone:
    """Add a milestone (etappmål) on the way to the KPI's target.

    The next measurement that meets it marks it reached."""
    milestone = Milestone(
        organization=kpi.organization,
        kpi=kpi,
        title=clean_text(title, "title", 200, required=True),
        target_value=clean_value(target_value, "target_value", allow_negative=kpi.metric in SIGNED_METRICS),
        due_on=due_on,
    )
    with transaction.atomic():
        milestone.save()
        record(
            "strategy.milestone.created",
            organization=kpi.organization,
            actor=actor,
            target=milestone,
            data={"kpi": str(kpi.pk), "target": str(milestone.target_value)},
        )
    return milestone


def strategy_approvers(organization: Organization) -> list[User]:
    """Active members whose roles approve (or manage) strategy."""
    memberships = (
        Membership.objects.active().for_org(organization).select_related("user").prefetch_related("roles")
    )
    return [
        m.user
        for m in memberships
        if m.user.is_active
        and max((r.level(Area.STRATEGY) for r in m.roles.all()), default=0) >= Level.APPROVE
    ]


def record_measurement(
    kpi: KPI,
    *,
    value: Decimal,
    measured_at: datetime | None = None,
    source: str = MeasurementSource.MANUAL,
    actor: User | None,
) -> Measurement:
    """Store one value of the KPI. Milestones it meets for the first time are marked reached, and the goal's
    owner and the strategy approvers are told once, after the commit.

    `actor` is None for measurements written by the system (analytics, imports).
    """
    if source not in MeasurementSource.values:
        raise ValidationError({"source": _("Unknown source.")}, code="unknown_source")
    measured_at = measured_at or timezone.now()
    if timezone.is_naive(measured_at):
        raise ValidationError({"measured_at": _("Give a time with its time zone.")}, code="naive_time")
    measurement = Measurement(
        organization=kpi.organization,
        kpi=kpi,
        value=clean_value(value, "value", allow_negative=kpi.metric in SIGNED_METRICS),
        measured_at=measured_at,
        source=source,
        recorded_by=actor,
    )
    with transaction.atomic():
        measurement.save()
        record(
            "strategy.measurement.recorded",
            organization=kpi.organization,
            actor=actor,
            target=measurement,
            data={"kpi": str(kpi.pk), "value": str(measurement.value), "source": source},
        )
        now = timezone.now()
        for milestone in kpi.milestones.filter(reached_at__isnull=True):
            if not kpi.meets(measurement.value, milestone.target_value):
                continue
            # Claim the milestone: only the first measurement that reaches it marks it and tells the team.
            if not Milestone.objects.filter(pk=milestone.pk, reached_at__isnull=True).update(reached_at=now):
                continue
            _celebrate(kpi, milestone, measurement, actor)
    return measurement


def _celebrate(kpi: KPI, milestone: Milestone, measurement: Measurement, actor: User | None) -> None:
    goal = kpi.goal
    organization = kpi.organization
    record(
        "strategy.milestone.reached",
        organization=organization,
        actor=actor,
        target=milestone,
        data={"value": str(measurement.value), "goal": str(goal.pk)},
    )
    recipients = strategy_approvers(organization)
    if goal.owner is not None and goal.owner.is_active:
        recipients.append(goal.owner.user)
    title, goal_title = milestone.title, goal.title
    notify(
        recipients,
        organization=organization,
        action="strategy.milestone.reached",
        message=lambda: (
            _("🎉 Milestone reached: %(milestone)s on the way to “%(goal)s”. Time for cake!")
            % {"milestone": title, "goal": goal_title}
        ),
        url=reverse("strategy:goal_detail", kwargs={"org": organization.slug, "goal_id": goal.pk}),
    )
