"""Forms of the posts' CSV export (filters) and import (the file)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import PostStatus
from flokk.content.models import Campaign
from flokk.content.services.csv_posts import MAX_BYTES
from flokk.teams.models import Organization


class DateInput(forms.DateInput):
    input_type = "date"


class CsvExportForm(forms.Form):
    """Which posts to export; every filter is optional. Dates are scheduled days in the org's time zone."""

    since = forms.DateField(label=_("Scheduled from"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Scheduled until"), required=False, widget=DateInput)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *PostStatus.choices]
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), required=False, queryset=Campaign.objects.none(), empty_label=_("Any campaign")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ModelChoiceField)
        campaign.queryset = Campaign.objects.for_org(organization)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end cannot be before the start."))
        return data


class CsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, comma- or semicolon-separated, at most 2 MB and 1,000 rows, with the columns of the "
            "export. Each row becomes a draft post."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; split it into smaller files."))
        return upload
