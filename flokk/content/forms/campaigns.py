"""The campaign form with its budget lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import BudgetCategory
from flokk.content.models import Campaign
from flokk.content.services.campaigns import BudgetLineInput, CampaignInput

BUDGET_ROWS = 3


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    theme = forms.CharField(label=_("Theme"), max_length=150, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    objective = forms.CharField(
        label=_("Objective"),
        max_length=300,
        required=False,
        help_text=_("The goal this campaign serves (linking to strategy goals comes later)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(BUDGET_ROWS):
            self.fields[f"budget_{n}_category"] = forms.ChoiceField(
                label=_("Category"), choices=[("", "—"), *BudgetCategory.choices], required=False
            )
            self.fields[f"budget_{n}_amount"] = forms.DecimalField(
                label=_("Planned amount"), max_digits=12, decimal_places=2, min_value=0, required=False
            )
            self.fields[f"budget_{n}_currency"] = forms.CharField(
                label=_("Currency"), max_length=3, initial="SEK", required=False
            )
            self.fields[f"budget_{n}_note"] = forms.CharField(label=_("Note"), max_length=300, required=False)

    def budget_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"budget_{n}_{name}"] for name in ("category", "amount", "currency", "note")]
            for n in range(BUDGET_ROWS)
        ]

    def to_input(self) -> CampaignInput:
        data = self.cleaned_data
        lines = [
            BudgetLineInput(
                category=data[f"budget_{n}_category"],
                planned_amount=data[f"budget_{n}_amount"] or Decimal(0),
                currency=data[f"budget_{n}_currency"] or "SEK",
                note=data[f"budget_{n}_note"],
            )
            for n in range(BUDGET_ROWS)
            if data.get(f"budget_{n}_category")
        ]
        return CampaignInput(
            name=data["name"],
            theme=data["theme"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            description=data["description"],
            objective=data["objective"],
            budget_lines=lines,
        )

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": campaign.name,
            "theme": campaign.theme,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "description": campaign.description,
            "objective": campaign.objective,
        }
        for n, line in enumerate(list(campaign.budget_lines.all())[:BUDGET_ROWS]):
            initial.update(
                {
                    f"budget_{n}_category": line.category,
                    f"budget_{n}_amount": line.planned_amount,
                    f"budget_{n}_currency": line.currency,
                    f"budget_{n}_note": line.note,
                }
            )
        return initial
