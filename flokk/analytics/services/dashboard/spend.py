"""Spend against results: each campaign's planned budget against the clicks, conversions and engagements
it earned."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum

from flokk.analytics.models import NONE, DailyRollup
from flokk.analytics.services.dashboard.common import CLICKS, CONVERSION, ENGAGEMENTS, Period
from flokk.content.models import BudgetLine, Campaign
from flokk.teams.models import Organization


@dataclass(frozen=True)
class SpendRow:
    """A campaign's planned budget (the whole campaign's) against what it earned in the period."""

    campaign_id: uuid.UUID
    campaign: str
    budget: dict[str, Decimal] = field(default_factory=dict)  # currency -> planned amount
    clicks: int = 0
    conversions: int = 0
    engagements: int = 0

    @property
    def currency(self) -> str:
        return next(iter(self.budget)) if len(self.budget) == 1 else ""

    @property
    def planned(self) -> Decimal | None:
        return self.budget[self.currency] if self.currency else None

    def cost_per(self, results: int) -> Decimal | None:
        if self.planned is None or results <= 0:
            return None
        return (self.planned / results).quantize(Decimal("0.01"))

    @property
    def cost_per_click(self) -> Decimal | None:
        return self.cost_per(self.clicks)

    @property
    def cost_per_conversion(self) -> Decimal | None:
        return self.cost_per(self.conversions)

    @property
    def cost_per_engagement(self) -> Decimal | None:
        return self.cost_per(self.engagements)


def spend_vs_results(organization: Organization, period: Period) -> list[SpendRow]:
    """Campaigns running in the period or with results in it: planned budget, clicks (network link clicks
    and short-link clicks), conversions and engagements, and the cost of each. Three queries."""
    results = (
        DailyRollup.objects.filter(organization=organization, day__gte=period.start, day__lt=period.end)
        .exclude(campaign_id=NONE)
        .filter(kind__in=(*CLICKS, CONVERSION, *ENGAGEMENTS))
        .values("campaign_id")
        .annotate(
            clicks=Sum("total", filter=Q(kind__in=CLICKS)),
            conversions=Sum("total", filter=Q(kind=CONVERSION)),
            engagements=Sum("total", filter=Q(kind__in=ENGAGEMENTS)),
        )
        .order_by()
    )
    earned: dict[uuid.UUID, dict[str, Any]] = {row["campaign_id"]: dict(row) for row in results}
    campaigns = list(
        Campaign.objects.filter(organization=organization)
        .filter(Q(starts_on__lt=period.end, ends_on__gte=period.start) | Q(pk__in=list(earned)))
        .order_by("-starts_on", "name")
        .values_list("pk", "name")
    )
    budgets: dict[uuid.UUID, dict[str, Decimal]] = defaultdict(dict)
    lines = (
        BudgetLine.objects.filter(campaign__in=[pk for pk, _name in campaigns])
        .values("campaign_id", "currency")
        .annotate(planned=Sum("planned_amount"))
        .order_by()
    )
    for line in lines:
        budgets[line["campaign_id"]][line["currency"]] = line["planned"]
    rows = []
    for pk, name in campaigns:
        row = earned.get(pk, {})
        rows.append(
            SpendRow(
                campaign_id=pk,
                campaign=name,
                budget=dict(sorted(budgets.get(pk, {}).items())),
                clicks=row.get("clicks") or 0,
                conversions=row.get("conversions") or 0,
                engagements=row.get("engagements") or 0,
            )
        )
    return rows
