"""Forms for the teams pages. They parse and validate; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from flokk.teams.choices import Area, Level, Raci
from flokk.teams.models import TIME_ZONE_CHOICES, Organization, Role, User
from flokk.teams.team_templates import TeamTemplate


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("That e-mail and password do not match. Check both and try again."),
        "inactive": _("This account is switched off."),
    }


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class SetPasswordFields(forms.Form):
    password1 = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(
                    first, User(email=self.email, name=data.get("name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AcceptInvitationForm(SetPasswordFields):
    name = forms.CharField(label=_("Your name"), max_length=150)
    field_order = ["name", "password1", "password2"]


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]
        labels = {"language": _("Language"), "time_zone": _("Time zone")}
        help_texts = {
            "language": _("Empty: follow your browser."),
            "time_zone": _("Empty: use each organization's time zone."),
        }


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Used in addresses; leave empty to derive it from the name."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="Europe/Stockholm")

    def clean_slug(self) -> str:
        slug = (self.cleaned_data.get("slug") or "").lower()
        if slug and Organization.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("That short name is taken."))
        return slug


class OrganizationSettingsForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = ["name", "time_zone", "language", "require_two_factor"]


class RolesField(forms.ModelMultipleChoiceField[Role]):
    def label_from_instance(self, obj: Role) -> str:
        return obj.name


def org_roles_field(organization: Organization, **kwargs: Any) -> RolesField:
    return RolesField(
        queryset=Role.objects.filter(organization=organization),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Roles"),
        **kwargs,
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)  # the longest address the models hold
    is_admin = forms.BooleanField(label=_("Organization admin"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = org_roles_field(organization)


class MemberForm(forms.Form):
    is_admin = forms.BooleanField(label=_("Organization admin"), required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = org_roles_field(organization)


LEVEL_CHOICES = [(str(value), label) for value, label in Level.choices]


class RoleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area in Area:
            self.fields[f"level_{area.value}"] = forms.TypedChoiceField(
                label=area.label, choices=LEVEL_CHOICES, coerce=int, initial="0"
            )

    @property
    def level_fields(self) -> list[forms.BoundField]:
        return [self[f"level_{area.value}"] for area in Area]

    def grants(self) -> dict[str, int]:
        return {area.value: self.cleaned_data[f"level_{area.value}"] for area in Area}


class AreasField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=Area.choices, widget=forms.CheckboxSelectMultiple, label=_("Areas"), **kwargs
        )


class AgencyGrantForm(forms.Form):
    agency_slug = forms.SlugField(label=_("Agency's short name in Flokk"), max_length=60)
    areas = AreasField()


class AgencyAreasForm(forms.Form):
    areas = AreasField()


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=100)


class MatrixCellForm(forms.Form):
    area = forms.ChoiceField(choices=Area.choices)
    party = forms.UUIDField()
    part = forms.ChoiceField(choices=[("", "-"), *Raci.choices], required=False)


class TemplateApplyForm(forms.Form):
    """One choice per template slot: a member for person slots, an agency for agency slots."""

    def __init__(
        self,
        *args: Any,
        template: TeamTemplate,
        members: list[tuple[str, str]],
        agencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        for slot in template.slots:
            options = agencies if slot.party == "agency" else members
            self.fields[slot.key] = forms.ChoiceField(
                label=str(slot.label), choices=[("", _("Nobody yet")), *options], required=False
            )
