"""Forms of the publishing pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"),
        max_length=500,
        help_text=_("Shown to the team and kept in the audit log."),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Crisis: wait until the press release is out")}),
    )
