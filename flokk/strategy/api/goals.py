"""Strategy API: goals, their KPIs and milestones, and measurements."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from pydantic import AwareDatetime

from flokk.channels.networks import Network
from flokk.strategy.access import require_measurement_access
from flokk.strategy.api.common import (
    FOR_READERS,
    FOR_WRITERS,
    LongText,
    ShortText,
    SignedValue,
    Title,
    router,
)
from flokk.strategy.choices import Challenge, Direction, MeasurementSource, Metric
from flokk.strategy.models import KPI, Goal, Measurement, Milestone
from flokk.strategy.services.goals import (
    add_kpi,
    add_milestone,
    create_goal,
    delete_goal,
    record_measurement,
    remove_kpi,
    remove_milestone,
    update_goal,
)
from flokk.teams.api.common import OrgSlug
from flokk.teams.models import Membership, Organization
from flokk.teams.permissions import api_access


class MilestoneIn(Schema):
    title: Title
    target_value: SignedValue
    due_on: date


class MilestoneOut(Schema):
    id: uuid.UUID
    title: str
    target_value: float
    due_on: date
    reached_at: datetime | None


class KPIIn(Schema):
    metric: Metric
    custom_metric: ShortText = Field("", description="The metric's name when `metric` is custom")
    target_value: SignedValue
    baseline_value: SignedValue | None = Field(None, description="Where the KPI starts from")
    direction: Direction
    period_start: date
    period_end: date
    network: Network | None = None


class KPIOut(Schema):
    id: uuid.UUID
    metric: Metric
    metric_name: str
    target_value: float
    baseline_value: float | None
    direction: Direction
    period_start: date
    period_end: date
    network: Network | None
    latest_value: float | None
    progress: float = Field(description="0..1: latest value against the target, in the KPI's direction")
    milestones: list[MilestoneOut]


class GoalIn(Schema):
    title: Title
    description: LongText = ""
    owner: uuid.UUID = Field(description="Id of the owning member (a membership of this organization)")
    deadline: date
    challenges: list[Challenge] = Field(default_factory=list, max_length=len(Challenge))


class GoalOut(Schema):
    id: uuid.UUID
    title: str
    description: str
    owner: uuid.UUID | None
    owner_email: str | None
    deadline: date
    challenges: list[Challenge]
    progress: float
    kpis: list[KPIOut]


class MeasurementIn(Schema):
    value: SignedValue
    measured_at: AwareDatetime | None = Field(None, description="Defaults to now")
    source: MeasurementSource = MeasurementSource.MANUAL


class MeasurementOut(Schema):
    id: uuid.UUID
    kpi: uuid.UUID
    value: float
    measured_at: datetime
    source: MeasurementSource


def _milestone_out(milestone: Milestone) -> MilestoneOut:
    return MilestoneOut(
        id=milestone.pk,
        title=milestone.title,
        target_value=float(milestone.target_value),
        due_on=milestone.due_on,
        reached_at=milestone.reached_at,
    )


def _kpi_out(kpi: KPI) -> KPIOut:
    latest = kpi.latest_value()
    return KPIOut(
        id=kpi.pk,
        metric=Metric(kpi.metric),
        metric_name=kpi.metric_name,
        target_value=float(kpi.target_value),
        baseline_value=float(kpi.baseline_value) if kpi.baseline_value is not None else None,
        direction=Direction(kpi.direction),
        period_start=kpi.period_start,
        period_end=kpi.period_end,
        network=Network(kpi.network) if kpi.network else None,
        latest_value=float(latest) if latest is not None else None,
        progress=kpi.progress(),
        milestones=[_milestone_out(m) for m in kpi.milestones.all()],
    )


def _goal_out(goal: Goal) -> GoalOut:
    return GoalOut(
        id=goal.pk,
        title=goal.title,
        description=goal.description,
        owner=goal.owner_id,
        owner_email=goal.owner.user.email if goal.owner else None,
        deadline=goal.deadline,
        challenges=[Challenge(c) for c in goal.challenges if c in Challenge.values],
        progress=goal.progress(),
        kpis=[_kpi_out(k) for k in goal.kpis.all()],
    )


def _measurement_out(measurement: Measurement) -> MeasurementOut:
    return MeasurementOut(
        id=measurement.pk,
        kpi=measurement.kpi_id,
        value=float(measurement.value),
        measured_at=measurement.measured_at,
        source=MeasurementSource(measurement.source),
    )


def _owner(organization: Organization, owner_id: uuid.UUID) -> Membership:
    owner = Membership.objects.active().filter(organization=organization, pk=owner_id).first()
    if owner is None:
        raise ValidationError({"owner": _("Choose a member of this organization.")}, code="invalid_owner")
    return owner


def _goal(organization: Organization, goal_id: uuid.UUID) -> Goal:
    return get_object_or_404(Goal.objects.for_org(organization).with_progress(), pk=goal_id)


@router.get(
    "/orgs/{org}/goals",
    response={200: list[GoalOut], **FOR_READERS},
    summary="The organization's goals with their KPIs and progress",
    operation_id="flokk_strategy_api_list_goals",
)
def list_goals(request: HttpRequest, org: OrgSlug) -> list[GoalOut]:
    access = api_access(request, org, "strategy.view")
    return [_goal_out(goal) for goal in Goal.objects.for_org(access.organization).with_progress()]


@router.post(
    "/orgs/{org}/goals",
    response={201: GoalOut, **FOR_WRITERS},
    summary="Set a new goal",
    operation_id="flokk_strategy_api_create_goal",
)
def create_goal_endpoint(request: HttpRequest, org: OrgSlug, payload: GoalIn) -> Status[GoalOut]:
    access = api_access(request, org, "strategy.work")
    goal = create_goal(
        access.organization,
        title=payload.title,
        description=payload.description,
        owner=_owner(access.organization, payload.owner),
        deadline=payload.deadline,
        challenges=[c.value for c in payload.challenges],
        actor=access.user,
    )
    return Status(201, _goal_out(_goal(access.organization, goal.pk)))


@router.get(
    "/orgs/{org}/goals/{goal_id}",
    response={200: GoalOut, **FOR_READERS},
    summary="One goal with its KPIs, milestones and progress",
    operation_id="flokk_strategy_api_get_goal",
)
def get_goal(request: HttpRequest, org: OrgSlug, goal_id: uuid.UUID) -> GoalOut:
    access = api_access(request, org, "strategy.view")
    return _goal_out(_goal(access.organization, goal_id))


@router.put(
    "/orgs/{org}/goals/{goal_id}",
    response={200: GoalOut, **FOR_WRITERS},
    summary="Change a goal",
    operation_id="flokk_strategy_api_update_goal",
)
def update_goal_endpoint(request: HttpRequest, org: OrgSlug, goal_id: uuid.UUID, payload: GoalIn) -> GoalOut:
    access = api_access(request, org, "strategy.work")
    goal = _goal(access.organization, goal_id)
    update_goal(
        goal,
        title=payload.title,
        description=payload.description,
        owner=_owner(access.organization, payload.owner),
        deadline=payload.deadline,
        challenges=[c.value for c in payload.challenges],
        actor=access.user,
    )
    return _goal_out(_goal(access.organization, goal_id))


@router.delete(
    "/orgs/{org}/goals/{goal_id}",
    response={204: None, **FOR_READERS},
    summary="Remove a goal with its KPIs, milestones and measurements",
    operation_id="flokk_strategy_api_delete_goal",
)
def delete_goal_endpoint(request: HttpRequest, org: OrgSlug, goal_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "strategy.work")
    delete_goal(get_object_or_404(Goal.objects.for_org(access.organization), pk=goal_id), actor=access.user)
    return Status(204, None)


@router.post(
    "/orgs/{org}/goals/{goal_id}/kpis",
    response={201: KPIOut, **FOR_WRITERS},
    summary="Give a goal a KPI",
    operation_id="flokk_strategy_api_create_kpi",
)
def create_kpi(request: HttpRequest, org: OrgSlug, goal_id: uuid.UUID, payload: KPIIn) -> Status[KPIOut]:
    access = api_access(request, org, "strategy.work")
    goal = get_object_or_404(Goal.objects.for_org(access.organization), pk=goal_id)
    kpi = add_kpi(
        goal,
        metric=payload.metric.value,
        custom_metric=payload.custom_metric,
        target_value=payload.target_value,
        baseline_value=payload.baseline_value,
        direction=payload.direction.value,
        period_start=payload.period_start,
        period_end=payload.period_end,
        network=payload.network.value if payload.network else "",
        actor=access.user,
    )
    return Status(201, _kpi_out(kpi))


@router.delete(
    "/orgs/{org}/kpis/{kpi_id}",
    response={204: None, **FOR_READERS},
    summary="Remove a KPI with its milestones and measurements",
    operation_id="flokk_strategy_api_delete_kpi",
)
def delete_kpi(request: HttpRequest, org: OrgSlug, kpi_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "strategy.work")
    remove_kpi(get_object_or_404(KPI.objects.for_org(access.organization), pk=kpi_id), actor=access.user)
    return Status(204, None)


@router.post(
    "/orgs/{org}/kpis/{kpi_id}/milestones",
    response={201: MilestoneOut, **FOR_WRITERS},
    summary="Add a milestone (etappmål) to a KPI",
    operation_id="flokk_strategy_api_create_milestone",
)
def create_milestone(
    request: HttpRequest, org: OrgSlug, kpi_id: uuid.UUID, payload: MilestoneIn
) -> Status[MilestoneOut]:
    access = api_access(request, org, "strategy.work")
    kpi = get_object_or_404(KPI.objects.for_org(access.organization), pk=kpi_id)
    milestone = add_milestone(
        kpi, title=payload.title, target_value=payload.target_value, due_on=payload.due_on, actor=access.user
    )
    return Status(201, _milestone_out(milestone))


@router.get(
    "/orgs/{org}/kpis/{kpi_id}/measurements",
    response={200: list[MeasurementOut], **FOR_READERS},
    summary="A KPI's measurements, newest first",
    operation_id="flokk_strategy_api_list_measurements",
)
def list_measurements(request: HttpRequest, org: OrgSlug, kpi_id: uuid.UUID) -> list[MeasurementOut]:
    access = api_access(request, org, "strategy.view")
    kpi = get_object_or_404(KPI.objects.for_org(access.organization), pk=kpi_id)
    return [_measurement_out(m) for m in kpi.measurements.all()]


@router.post(
    "/orgs/{org}/kpis/{kpi_id}/measurements",
    response={201: MeasurementOut, **FOR_WRITERS},
    summary="Record a KPI measurement (strategy.work or analysis.work)",
    operation_id="flokk_strategy_api_create_measurement",
)
def create_measurement(
    request: HttpRequest, org: OrgSlug, kpi_id: uuid.UUID, payload: MeasurementIn
) -> Status[MeasurementOut]:
    access = api_access(request, org, "org.member")
    require_measurement_access(access)
    kpi = get_object_or_404(KPI.objects.for_org(access.organization).select_related("goal"), pk=kpi_id)
    measurement = record_measurement(
        kpi,
        value=payload.value,
        measured_at=payload.measured_at,
        source=payload.source.value,
        actor=access.user,
    )
    return Status(201, _measurement_out(measurement))


@router.delete(
    "/orgs/{org}/milestones/{milestone_id}",
    response={204: None, **FOR_READERS},
    summary="Remove a milestone",
    operation_id="flokk_strategy_api_delete_milestone",
)
def delete_milestone(request: HttpRequest, org: OrgSlug, milestone_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "strategy.work")
    milestone = get_object_or_404(Milestone.objects.filter(organization=access.organization), pk=milestone_id)
    remove_milestone(milestone, actor=access.user)
    return Status(204, None)
