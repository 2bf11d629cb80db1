from django import forms
from django.utils.translation import gettext_lazy as _


class SandboxAccountForm(forms.Form):
    handle = forms.CharField(label=_("Handle"), max_length=100)
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)


class RenameAccountForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=150, required=False)
