"""Strategy API: the action plan."""

from __future__ import annotations

import uuid
from datetime import date

from django.http import HttpRequest
from ninja import Schema

from flokk.channels.networks import Network
from flokk.strategy.api.common import FOR_READERS, router
from flokk.strategy.choices import ResourceKind
from flokk.strategy.models import PlanItem, Resource
from flokk.strategy.services.plan import planned_frequency
from flokk.teams.api.common import OrgSlug
from flokk.teams.choices import Area
from flokk.teams.permissions import api_access


class ResourceOut(Schema):
    id: uuid.UUID
    name: str
    kind: ResourceKind
    arrives_on: date
    note: str


class PlanItemOut(Schema):
    id: uuid.UUID
    title: str
    starts_on: date
    ends_on: date
    area: Area


class PlanOut(Schema):
    resources: list[ResourceOut]
    timeline: list[PlanItemOut]
    posts_per_week: dict[Network, float]


@router.get(
    "/orgs/{org}/plan",
    response={200: PlanOut, **FOR_READERS},
    summary="The action plan: resources, timeline and posting frequency per network",
    operation_id="flokk_strategy_api_get_plan",
)
def get_plan(request: HttpRequest, org: OrgSlug) -> PlanOut:
    access = api_access(request, org, "strategy.view")
    organization = access.organization
    return PlanOut(
        resources=[
            ResourceOut(id=r.pk, name=r.name, kind=ResourceKind(r.kind), arrives_on=r.arrives_on, note=r.note)
            for r in Resource.objects.filter(organization=organization)
        ],
        timeline=[
            PlanItemOut(id=i.pk, title=i.title, starts_on=i.starts_on, ends_on=i.ends_on, area=Area(i.area))
            for i in PlanItem.objects.filter(organization=organization)
        ],
        posts_per_week={Network(n): float(v) for n, v in planned_frequency(organization).items()},
    )
