"""The brief form and the production task form. They parse input; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.choices import TaskKind
from flokk.content.forms.posts import add_service_errors
from flokk.content.models import Asset, Brief, Campaign, ProductionTask
from flokk.content.services.briefs import BriefInput
from flokk.content.services.production import TaskInput, role_holders
from flokk.strategy.models import Goal
from flokk.teams.models import Organization, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The services' field names where they differ from the forms'.
FIELD_NAMES = {
    "file": "attachment",
    "goal_id": "goal",
    "asset_ids": "assets",
    "role_id": "role",
    "assignee_id": "assignee",
}


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a brief or task service's ValidationError on the matching form field, or on the form."""
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {FIELD_NAMES.get(name, name): errors for name, errors in error.error_dict.items()}
        )
    add_service_errors(form, error)


def org_networks(organization: Organization, keep: list[str] | None = None) -> list[tuple[str, str]]:
    """The networks of the organization's accounts (all networks when it has none yet), plus `keep`."""
    used = set(Account.objects.for_org(organization).values_list("network", flat=True)) | set(keep or [])
    return [(value, str(label)) for value, label in Network.choices if not used or value in used]


class BriefForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this content is made and what it should achieve."),
    )
    audience = forms.CharField(label=_("Audience"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    key_message = forms.CharField(
        label=_("Key message"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    networks = forms.MultipleChoiceField(
        label=_("Networks"), required=False, widget=forms.CheckboxSelectMultiple
    )
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none(), required=False)
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    due_on = forms.DateField(label=_("Material due on"), required=False, widget=DATE)
    publish_on = forms.DateField(label=_("Publish on"), required=False, widget=DATE)
    assets = forms.ModelMultipleChoiceField(
        label=_("Media from the library"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachment = forms.FileField(
        label=_("Attach a document"),
        required=False,
        help_text=_("PDF, image, plain text, Word, Excel or PowerPoint; at most 20 MB."),
    )

    def __init__(
        self, *args: Any, organization: Organization, brief: Brief | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["networks"].choices = org_networks(organization, brief.networks if brief else None)
        fields["campaign"].queryset = Campaign.objects.for_org(organization)
        fields["goal"].queryset = Goal.objects.for_org(organization)
        fields["assets"].queryset = Asset.objects.for_org(organization)
        fields["assets"].label_from_instance = lambda asset: asset.original_name

    @staticmethod
    def initial_for(brief: Brief) -> dict[str, Any]:
        return {
            "title": brief.title,
            "purpose": brief.purpose,
            "audience": brief.audience,
            "key_message": brief.key_message,
            "networks": list(brief.networks),
            "campaign": brief.campaign_id,
            "goal": brief.goal_id,
            "due_on": brief.due_on,
            "publish_on": brief.publish_on,
            "assets": [asset.pk for asset in brief.assets.all()],
        }

    def to_input(self) -> BriefInput:
        data = self.cleaned_data
        return BriefInput(
            title=data["title"],
            purpose=data["purpose"],
            audience=data["audience"],
            key_message=data["key_message"],
            networks=list(data["networks"]),
            campaign_id=data["campaign"].pk if data["campaign"] else None,
            goal_id=data["goal"].pk if data["goal"] else None,
            due_on=data["due_on"],
            publish_on=data["publish_on"],
            asset_ids=[asset.pk for asset in data["assets"]],
        )

    def uploads(self) -> list[Any]:
        upload = self.cleaned_data.get("attachment")
        return [upload] if upload else []


class TaskForm(forms.Form):
    """Pick the role, then optionally one of the people who hold it (grouped by role in the list)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=TaskKind.choices, initial=TaskKind.COPY)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.none(), required=False)
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        roles = list(Role.objects.filter(organization=organization))
        fields["role"].queryset = Role.objects.filter(organization=organization)
        fields["role"].label_from_instance = lambda role: role.name
        holders = role_holders(organization, roles)
        groups: list[tuple[str, Any]] = [("", _("Nobody yet"))]
        for role in roles:
            people = holders.get(role.pk, [])
            if people:
                groups.append((role.name, [(str(person.pk), person.display_name) for person in people]))
        fields["assignee"].choices = groups

    @staticmethod
    def initial_for(task: ProductionTask) -> dict[str, Any]:
        return {
            "title": task.title,
            "description": task.description,
            "kind": task.kind,
            "role": task.role_id,
            "assignee": str(task.assignee_id) if task.assignee_id else "",
            "due_on": task.due_on,
        }

    def to_input(self) -> TaskInput:
        data = self.cleaned_data
        return TaskInput(
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            role_id=data["role"].pk if data["role"] else None,
            assignee_id=uuid.UUID(data["assignee"]) if data["assignee"] else None,
            due_on=data["due_on"],
        )
