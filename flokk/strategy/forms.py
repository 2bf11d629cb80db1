"""Forms for the strategy pages. They parse and validate; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from flokk.channels.networks import Network
from flokk.strategy.choices import (
    MAX_HASHTAG_RULES,
    MAX_VALUE,
    SIGNED_METRICS,
    Challenge,
    Direction,
    Metric,
    Purpose,
    ResourceKind,
)
from flokk.strategy.services.strategy import MAX_PRIORITY, AudienceData, ChannelData, StrategyContent
from flokk.teams.choices import Area
from flokk.teams.models import Membership, Organization


def value_field(label: Any, *, required: bool = True, signed: bool = False) -> forms.DecimalField:
    """A KPI number; `signed` ones may go below zero where the metric allows (checked by form or service)."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=-MAX_VALUE if signed else 0,
        max_value=MAX_VALUE,
        max_digits=18,
        decimal_places=4,
    )


class DateInput(forms.DateInput):
    input_type = "date"


class StrategyForm(forms.Form):
    """The whole strategy on one page: text, challenges, an aim per purpose, audiences, networks."""

    brand_identity = forms.CharField(
        label=_("Brand identity"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    tone_of_voice = forms.CharField(
        label=_("Tone of voice"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    challenges = forms.MultipleChoiceField(
        label=_("Challenges it answers"),
        required=False,
        choices=Challenge.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    audiences = forms.CharField(
        label=_("Audiences"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One audience a line, as “Name: description”. Start a line with “-” to make it a "
            "sub-audience of the audience above it."
        ),
    )

    max_hashtags = forms.IntegerField(
        label=_("Most hashtags per post"),
        required=False,
        min_value=0,
        max_value=MAX_HASHTAG_RULES,
        help_text=_("Leave empty for each network's usual number."),
    )
    required_hashtags = forms.CharField(
        label=_("Required hashtags"),
        required=False,
        max_length=3000,
        help_text=_("Separated by spaces or commas; a post should carry at least one, e.g. your brand tag."),
    )
    banned_hashtags = forms.CharField(
        label=_("Banned hashtags"),
        required=False,
        max_length=3000,
        help_text=_("Separated by spaces or commas; posts using one of them are flagged."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for purpose, label in Purpose.choices:
            self.fields[f"aim_{purpose}"] = forms.CharField(
                label=label,
                required=False,
                max_length=300,
                help_text=_("The aim; leave empty if not a purpose."),
            )
        for network, network_label in Network.choices:
            self.fields[f"priority_{network}"] = forms.IntegerField(
                label=network_label, required=False, min_value=1, max_value=MAX_PRIORITY
            )
            self.fields[f"reason_{network}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=300
            )

    @property
    def purpose_fields(self) -> list[forms.BoundField]:
        return [self[f"aim_{purpose}"] for purpose in Purpose.values]

    @property
    def hashtag_fields(self) -> list[forms.BoundField]:
        return [self["max_hashtags"], self["required_hashtags"], self["banned_hashtags"]]

    @property
    def network_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"priority_{n}"], self[f"reason_{n}"]) for n in Network.values]

    @staticmethod
    def initial_for(content: StrategyContent) -> dict[str, Any]:
        lines = []
        for audience in content.audiences:
            text = audience.name + (f": {audience.description}" if audience.description else "")
            lines.append(f"- {text}" if audience.parent else text)
        initial: dict[str, Any] = {
            "brand_identity": content.brand_identity,
            "tone_of_voice": content.tone_of_voice,
            "challenges": content.challenges,
            "audiences": "\n".join(lines),
            "max_hashtags": content.max_hashtags,
            "required_hashtags": " ".join(f"#{tag}" for tag in content.required_hashtags),
            "banned_hashtags": " ".join(f"#{tag}" for tag in content.banned_hashtags),
        }
        for purpose, aim in content.purposes.items():
            initial[f"aim_{purpose}"] = aim
        for channel in content.channels:
            initial[f"priority_{channel.network}"] = channel.priority
            initial[f"reason_{channel.network}"] = channel.reason
        return initial

    def clean_audiences(self) -> list[AudienceData]:
        audiences: list[AudienceData] = []
        top: str | None = None
        for raw in self.cleaned_data["audiences"].splitlines():
            line = raw.strip()
            if not line:
                continue
            is_sub = line.startswith("-")
            name, _sep, description = line.lstrip("-").strip().partition(":")
            name, description = name.strip(), description.strip()
            if not name:
                raise forms.ValidationError(_("Each audience needs a name before the colon."))
            if is_sub and top is None:
                raise forms.ValidationError(_("A sub-audience (“-”) must come after its audience."))
            audiences.append(AudienceData(name, description, top if is_sub else None))
            if not is_sub:
                top = name
        return audiences

    def content(self) -> StrategyContent:
        data = self.cleaned_data
        return StrategyContent(
            brand_identity=data["brand_identity"],
            tone_of_voice=data["tone_of_voice"],
            challenges=list(data["challenges"]),
            purposes={
                p: data[f"aim_{p}"].strip() for p in Purpose.values if data.get(f"aim_{p}", "").strip()
            },
            audiences=data["audiences"],
            channels=[
                ChannelData(n, data[f"priority_{n}"], data[f"reason_{n}"])
                for n in Network.values
                if data.get(f"priority_{n}") is not None
            ],
            max_hashtags=data.get("max_hashtags"),
            required_hashtags=_split_tags(data.get("required_hashtags", "")),
            banned_hashtags=_split_tags(data.get("banned_hashtags", "")),
        )


def _split_tags(value: str) -> list[str]:
    return value.replace(",", " ").split()


class OwnerChoiceField(forms.ModelChoiceField[Membership]):
    def label_from_instance(self, obj: Membership) -> str:
        return obj.user.display_name


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = OwnerChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput)
    challenges = forms.MultipleChoiceField(
        label=_("Challenges it answers"),
        required=False,
        choices=Challenge.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, OwnerChoiceField)
        owner.queryset = Membership.objects.active().for_org(organization).select_related("user")


class KPIForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    custom_metric = forms.CharField(label=_("Custom metric name"), required=False, max_length=100)
    target_value = value_field(_("Target"), signed=True)
    baseline_value = value_field(_("Starting value"), required=False, signed=True)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    period_start = forms.DateField(label=_("From"), widget=DateInput)
    period_end = forms.DateField(label=_("Until"), widget=DateInput)
    network = forms.ChoiceField(
        label=_("Network"), required=False, choices=[("", _("All networks")), *Network.choices]
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("metric") == Metric.CUSTOM and not (data.get("custom_metric") or "").strip():
            self.add_error("custom_metric", _("Name the custom metric."))
        if data.get("metric") and data["metric"] not in SIGNED_METRICS:
            for name in ("target_value", "baseline_value"):
                value = data.get(name)
                if value is not None and value < 0:
                    self.add_error(
                        name, _("Enter zero or more; only ROI and custom metrics can be negative.")
                    )
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end cannot be before the start."))
        return data


class MilestoneForm(forms.Form):
    """Negative targets pass here; the service accepts them only for metrics that can be negative."""

    title = forms.CharField(label=_("Milestone"), max_length=200)
    target_value = value_field(_("Target"), signed=True)
    due_on = forms.DateField(label=_("Date"), widget=DateInput)


class MeasurementForm(forms.Form):
    """Negative values pass here; the service accepts them only for metrics that can be negative."""

    value = value_field(_("Value"), signed=True)
    measured_at = forms.DateTimeField(
        label=_("Measured at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("Leave empty for now."),
    )


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ResourceKind.choices)
    arrives_on = forms.DateField(label=_("Arrives on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PlanItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput)
    ends_on = forms.DateField(label=_("End"), widget=DateInput)
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end cannot be before the start."))
        return data


class FrequencyForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    posts_per_week = forms.DecimalField(
        label=_("Posts per week"), min_value=0, max_value=500, max_digits=6, decimal_places=2
    )
