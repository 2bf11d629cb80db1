"""The action plan: resources to add, a timeline of plan items, and the posting frequency per network."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.channels.networks import Network
from flokk.core.audit import record
from flokk.strategy.choices import ResourceKind
from flokk.strategy.models import FrequencyTarget, PlanItem, Resource
from flokk.strategy.services.validation import clean_period, clean_text, clean_value
from flokk.teams.choices import Area
from flokk.teams.models import Organization, User

MAX_POSTS_PER_WEEK = Decimal(500)


def planned_frequency(organization: Organization) -> dict[str, Decimal]:
    """The plan's posts per week by network key, e.g. `{"linkedin": Decimal("3.00")}`.

    The calendar compares this with how often the team actually publishes; networks without a target are
    left out.
    """
    return dict(
        FrequencyTarget.objects.filter(organization=organization).values_list("network", "posts_per_week")
    )


def add_resource(
    organization: Organization, *, name: str, kind: str, arrives_on: date, note: str = "", actor: User
) -> Resource:
    """Add a person, budget, tool or agency the plan needs, and when it arrives."""
    if kind not in ResourceKind.values:
        raise ValidationError({"kind": _("Unknown kind of resource.")}, code="unknown_kind")
    resource = Resource(
        organization=organization,
        name=clean_text(name, "name", 200, required=True),
        kind=kind,
        arrives_on=arrives_on,
        note=clean_text(note, "note", 500),
    )
    with transaction.atomic():
        resource.save()
        record("strategy.resource.added", organization=organization, actor=actor, target=resource)
    return resource


def add_plan_item(
    organization: Organization, *, title: str, starts_on: date, ends_on: date, area: str, actor: User
) -> PlanItem:
    """Put a step on the plan's timeline; it cannot end before it starts."""
    if area not in Area.values:
        raise ValidationError({"area": _("Unknown area.")}, code="unknown_area")
    clean_period(starts_on, ends_on, "ends_on")
    item = PlanItem(
        organization=organization,
        title=clean_text(title, "title", 200, required=True),
        starts_on=starts_on,
        ends_on=ends_on,
        area=area,
    )
    with transaction.atomic():
        item.save()
        record("strategy.plan_item.added", organization=organization, actor=actor, target=item)
    return item


def set_frequency(
    organization: Organization, *, network: str, posts_per_week: Decimal, actor: User
) -> FrequencyTarget | None:
    """Set how many posts a week the plan aims for on a network; zero removes the target."""
    if network not in Network.values:
        raise ValidationError({"network": _("Unknown network.")}, code="unknown_network")
    value = clean_value(posts_per_week, "posts_per_week")
    if value > MAX_POSTS_PER_WEEK:
        raise ValidationError(
            {"posts_per_week": _("At most %(max)s posts a week.") % {"max": MAX_POSTS_PER_WEEK}},
            code="too_large",
        )
    with transaction.atomic():
        if value == 0:
            FrequencyTarget.objects.filter(organization=organization, network=network).delete()
            target = None
        else:
            target, _created = FrequencyTarget.objects.update_or_create(
                organization=organization,
                network=network,
                defaults={"posts_per_week": value.quantize(Decimal("0.01"))},
            )
        record(
            "strategy.frequency.set",
            organization=organization,
            actor=actor,
            target_label=network,
            data={"network": network, "posts_per_week": str(value)},
        )
    return target


def remove_resource(resource: Resource, *, actor: User) -> None:
    with transaction.atomic():
        record("strategy.resource.removed", organization=resource.organization, actor=actor, target=resource)
        resource.delete()


def remove_plan_item(item: PlanItem, *, actor: User) -> None:
    with transaction.atomic():
        record("strategy.plan_item.removed", organization=item.organization, actor=actor, target=item)
        item.delete()
