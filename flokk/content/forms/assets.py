"""Upload and edit forms of the asset library."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
