"""Campaigns and their budget lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.content.choices import BudgetCategory
from flokk.content.models import BudgetLine, Campaign
from flokk.core.audit import record
from flokk.teams.models import Organization, User


@dataclass
class BudgetLineInput:
    category: str
    planned_amount: Decimal
    currency: str = "SEK"
    note: str = ""


@dataclass
class CampaignInput:
    name: str
    starts_on: dt.date
    ends_on: dt.date
    theme: str = ""
    description: str = ""
    objective: str = ""
    budget_lines: list[BudgetLineInput] = field(default_factory=list)


def _clean(data: CampaignInput) -> None:
    if not data.name.strip():
        raise ValidationError({"name": ValidationError(_("A campaign needs a name."), code="required")})
    if data.starts_on > data.ends_on:
        raise ValidationError(
            {"ends_on": ValidationError(_("The campaign cannot end before it starts."), code="dates")}
        )
    for line in data.budget_lines:
        if line.category not in BudgetCategory.values:
            raise ValidationError(
                {"budget_lines": ValidationError(_("Unknown budget category."), code="unknown_category")}
            )
        if line.planned_amount < 0:
            raise ValidationError(
                {"budget_lines": ValidationError(_("A planned amount cannot be negative."), code="negative")}
            )
        if len(line.currency.strip()) != 3 or not line.currency.strip().isalpha():
            raise ValidationError(
                {
                    "budget_lines": ValidationError(
                        _("Use a three-letter currency code such as SEK."), code="currency"
                    )
                }
            )


def _write_lines(campaign: Campaign, lines: list[BudgetLineInput]) -> None:
    campaign.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            campaign=campaign,
            category=line.category,
            planned_amount=line.planned_amount,
            currency=line.currency.strip().upper(),
            note=line.note.strip()[:300],
        )
        for line in lines
    )


def create_campaign(organization: Organization, data: CampaignInput, *, actor: User) -> Campaign:
    """A new campaign with its budget lines."""
    _clean(data)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            organization=organization,
            name=data.name.strip(),
            theme=data.theme.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            description=data.description.strip(),
            objective=data.objective.strip(),
            created_by=actor,
        )
        _write_lines(campaign, data.budget_lines)
        record("content.campaign.created", organization=organization, actor=actor, target=campaign)
    return campaign


def update_campaign(campaign: Campaign, data: CampaignInput, *, actor: User) -> Campaign:
    """Change a campaign; its budget lines are replaced by the given ones."""
    _clean(data)
    with transaction.atomic():
        campaign.name = data.name.strip()
        campaign.theme = data.theme.strip()
        campaign.starts_on, campaign.ends_on = data.starts_on, data.ends_on
        campaign.description = data.description.strip()
        campaign.objective = data.objective.strip()
        campaign.save(
            update_fields=["name", "theme", "starts_on", "ends_on", "description", "objective", "updated_at"]
        )
        _write_lines(campaign, data.budget_lines)
        record("content.campaign.updated", organization=campaign.organization, actor=actor, target=campaign)
    return campaign


def delete_campaign(campaign: Campaign, *, actor: User) -> None:
    """Remove a campaign; its posts stay, without a campaign."""
    with transaction.atomic():
        record("content.campaign.deleted", organization=campaign.organization, actor=actor, target=campaign)
        campaign.delete()
