"""Forms of the analytics pages: short links, UTM and analytics settings, traffic imports and filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from flokk.analytics.choices import TrafficSource
from flokk.analytics.services.traffic_import import MAX_BYTES
from flokk.channels.networks import Network
from flokk.content.models import Campaign
from flokk.teams.models import Organization

NO_CHOICE: list[tuple[str, Any]] = [("", "—")]
UTM_HELP = _(
    "Placeholders: {network}, {campaign} (the campaign's name as a slug), {post} (the post's short id)."
)


class LinkForm(forms.Form):
    """A short link made by hand (links in posts are made when they are published)."""

    target_url = forms.CharField(label=_("Address to link to"), max_length=2000)
    network = forms.ChoiceField(label=_("Network"), required=False, choices=NO_CHOICE + Network.choices)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        campaigns = Campaign.objects.filter(organization=organization).order_by("-starts_on")[:200]
        self.fields["campaign"].choices = NO_CHOICE + [  # type: ignore[attr-defined]
            (str(campaign.pk), campaign.name) for campaign in campaigns
        ]

    def clean_campaign(self) -> Campaign | None:
        value = self.cleaned_data.get("campaign")
        if not value:
            return None
        return Campaign.objects.filter(organization=self.organization, pk=value).first()


class AnalyticsSettingsForm(forms.Form):
    """The organization's UTM conventions and analytics options."""

    utm_source = forms.CharField(label="utm_source", max_length=100, help_text=UTM_HELP)
    utm_medium = forms.CharField(label="utm_medium", max_length=100)
    utm_campaign = forms.CharField(label="utm_campaign", max_length=100)
    utm_content = forms.CharField(label="utm_content", max_length=100, required=False)
    shorten_links = forms.BooleanField(
        label=_("Shorten links in posts"),
        required=False,
        help_text=_(
            "Links in posts go through Flokk short links, which count the clicks per post and network."
        ),
    )
    metrics_every_minutes = forms.IntegerField(
        label=_("Read metrics every (minutes)"), min_value=15, max_value=24 * 60
    )
    new_key = forms.BooleanField(
        label=_("Make a new conversion key"),
        required=False,
        help_text=_("Landing pages with the old snippet stop being counted."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content"):
            value = cleaned.get(name, "")
            if any(char in value for char in "<>\"'&#?= ") or any(ord(char) < 32 for char in value):
                self.add_error(name, _("Use letters, digits, - _ . and the placeholders only."))
        return cleaned


class TrafficImportForm(forms.Form):
    file = forms.FileField(label=_("CSV export"))
    source = forms.ChoiceField(
        label=_("Exported from"),
        required=False,
        choices=[("", _("Recognise it")), *TrafficSource.choices],
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB. Export a shorter period."))
        return upload


class TrafficFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The days asked for (both included), at most a year; the last 28 days by default."""
        end = self.cleaned_data.get("end") if self.is_valid() else None
        start = self.cleaned_data.get("start") if self.is_valid() else None
        end = end or today
        start = start or end - dt.timedelta(days=27)
        if start > end:
            start, end = end, start
        return max(start, end - dt.timedelta(days=365)), end
