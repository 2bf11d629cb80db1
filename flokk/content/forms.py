"""Forms of the content pages. They parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.choices import BudgetCategory
from flokk.content.models import Asset, Campaign, Post
from flokk.content.services.campaigns import BudgetLineInput, CampaignInput
from flokk.content.services.checks import MediaInfo, VariantDraft, clean_hashtags
from flokk.content.services.posts import PostInput, VariantInput, media_info
from flokk.content.services.scheduling import parse_local
from flokk.teams.models import Organization

BUDGET_ROWS = 3


class PostForm(forms.Form):
    """A post with its accounts, and one optional block of overrides per network the organization uses."""

    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Used on every network whose own text below is left empty."),
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts"), queryset=Account.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    objective = forms.CharField(
        label=_("Objective"),
        max_length=500,
        required=False,
        help_text=_("Which goal or KPI this post serves, and the outcome you expect."),
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    content_type = forms.CharField(label=_("Content type"), max_length=60, required=False)
    tags = forms.CharField(
        label=_("Angle tags"), max_length=500, required=False, help_text=_("Comma separated.")
    )
    scheduled_at = forms.CharField(
        label=_("Publish at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        accounts = Account.objects.for_org(organization).usable()
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        self.fields["campaign"].queryset = Campaign.objects.for_org(organization)  # type: ignore[attr-defined]
        self.networks = sorted({account.network for account in accounts})
        assets = Asset.objects.for_org(organization)
        for network in self.networks:
            self.fields[f"{network}_text"] = forms.CharField(
                label=_("Own text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
            self.fields[f"{network}_link"] = forms.URLField(label=_("Link"), required=False, max_length=1000)
            self.fields[f"{network}_first_comment"] = forms.CharField(
                label=_("First comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"{network}_hashtags"] = forms.CharField(label=_("Hashtags"), required=False)
            self.fields[f"{network}_assets"] = forms.ModelMultipleChoiceField(
                label=_("Media"), queryset=assets, required=False, widget=forms.CheckboxSelectMultiple
            )

    def network_blocks(self) -> list[dict[str, Any]]:
        return [
            {
                "network": network,
                "label": Network(network).label,
                "fields": [
                    self[f"{network}_{name}"]
                    for name in ("text", "link", "first_comment", "hashtags", "assets")
                ],
            }
            for network in self.networks
        ]

    def clean_scheduled_at(self) -> dt.datetime | None:
        return parse_local(self.cleaned_data["scheduled_at"], self.organization.time_zone)

    def to_input(self) -> PostInput:
        data = self.cleaned_data
        return PostInput(
            account_ids=[account.pk for account in data["accounts"]],
            text=data["text"],
            objective=data["objective"],
            campaign_id=data["campaign"].pk if data.get("campaign") else None,
            content_type=data["content_type"],
            tags=[tag for tag in data["tags"].split(",") if tag.strip()],
            scheduled_at=data["scheduled_at"],
            variants={
                network: VariantInput(
                    text=data.get(f"{network}_text", ""),
                    link=data.get(f"{network}_link", ""),
                    first_comment=data.get(f"{network}_first_comment", ""),
                    hashtags=clean_hashtags(data.get(f"{network}_hashtags", "")),
                    asset_ids=[asset.pk for asset in data.get(f"{network}_assets") or []],
                )
                for network in self.networks
            },
        )

    def drafts(self) -> list[VariantDraft]:
        """The variants as typed so far, for the live checks (works on a form that is not yet valid)."""
        data = getattr(self, "cleaned_data", {})
        networks = sorted({account.network for account in data.get("accounts") or []})
        drafts = []
        for network in networks:
            own = data.get(f"{network}_text", "")
            media: tuple[MediaInfo, ...] = tuple(media_info(a) for a in data.get(f"{network}_assets") or [])
            drafts.append(
                VariantDraft(
                    network=network,
                    text=own if own.strip() else data.get("text", ""),
                    link=data.get(f"{network}_link", "") or "",
                    first_comment=data.get(f"{network}_first_comment", ""),
                    hashtags=clean_hashtags(data.get(f"{network}_hashtags", "")),
                    media=media,
                )
            )
        return drafts

    @classmethod
    def initial_for(cls, post: Post) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "accounts": list(post.accounts.all()),
            "objective": post.objective,
            "campaign": post.campaign,
            "content_type": post.content_type,
            "tags": ", ".join(post.tags),
        }
        if post.scheduled_at:
            import zoneinfo

            local = post.scheduled_at.astimezone(zoneinfo.ZoneInfo(post.organization.time_zone))
            initial["scheduled_at"] = local.strftime("%Y-%m-%dT%H:%M")
        for variant in post.variants.all():
            initial[f"{variant.network}_text"] = variant.text
            initial[f"{variant.network}_link"] = variant.link
            initial[f"{variant.network}_first_comment"] = variant.first_comment
            initial[f"{variant.network}_hashtags"] = " ".join(f"#{tag}" for tag in variant.hashtags)
            initial[f"{variant.network}_assets"] = list(variant.assets.all())
        return initial


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the matching form field, or on the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases = {"account_ids": "accounts", "campaign_id": "campaign"}
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name.replace(".", "_"))
        form.add_error(field if field in form.fields else None, errors)


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


class AssetUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    alt_text = forms.CharField(
        label=_("Alt text"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.CharField(label=_("Tags"), max_length=500, required=False, help_text=_("Comma separated."))
    usage_rights = forms.CharField(label=_("Usage rights"), max_length=500, required=False)
    rights_expire_on = forms.DateField(
        label=_("Rights expire on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class AssetEditForm(AssetUploadForm):
    file = None  # type: ignore[assignment]
