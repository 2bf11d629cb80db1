"""Campaigns with their budget lines, and the organization's content policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import BudgetCategory
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def for_org(self, organization: Organization) -> CampaignQuerySet:
        return self.filter(organization=organization)


class Campaign(TimeStampedModel):
    """A themed stretch of work with dates, an objective and a budget.

    `objective` is free text for now; it becomes a link to a strategy goal once goals exist.
    """

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=150)
    theme = models.CharField(_("theme"), max_length=150, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    objective = models.CharField(_("objective"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(TimeStampedModel):
    """One planned cost of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    planned_amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["category", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.planned_amount} {self.currency}"


class ContentPolicy(TimeStampedModel):
    """The organization's rules for content (one per organization)."""

    organization = models.OneToOneField(
        "teams.Organization", on_delete=models.CASCADE, related_name="content_policy"
    )
    require_alt_text = models.BooleanField(_("require alt text on every image"), default=True)

    class Meta:
        ordering = ["organization"]
        verbose_name_plural = "content policies"

    def __str__(self) -> str:
        return f"content policy of {self.organization_id}"
