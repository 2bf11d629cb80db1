"""The post form (text, accounts, per-network overrides) and the bridge from service errors to forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.models import Asset, Campaign, Post
from flokk.content.services.checks import MediaInfo, VariantDraft, clean_hashtags
from flokk.content.services.posts import PostInput, VariantInput, media_info
from flokk.content.services.scheduling import parse_local
from flokk.teams.models import Organization


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
