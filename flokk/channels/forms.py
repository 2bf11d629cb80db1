from django import forms
from django.utils.translation import gettext_lazy as _


class SandboxAccountForm(forms.Form):
    handle = forms.CharField(label=_("Handle"), max_length=100)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)


class RenameAccountForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)


class NetworkAppForm(forms.Form):
    """The organization's app on one network; the secret is write-only (blank keeps the stored one)."""

    client_id = forms.CharField(label=_("Client id"), max_length=300)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=1000,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    linkedin_version = forms.RegexField(
        label=_("LinkedIn version"),
        regex=r"^20\d\d(0[1-9]|1[0-2])$",
        required=False,
        help_text=_("Year and month, YYYYMM. LinkedIn retires each version after about a year."),
        error_messages={"invalid": _("Enter the version as year and month, YYYYMM (for example 202510).")},
    )
