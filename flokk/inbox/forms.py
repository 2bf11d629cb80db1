"""Forms of the inbox pages (the settings pages have theirs in settings_forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from flokk.inbox.choices import LANGUAGE_CHOICES, ConversationStatus, Intent, Sentiment, Team

ANY: list[tuple[str, Any]] = [("", _("Any"))]


class FilterForm(forms.Form):
    """The inbox's filters; every field is optional and anything unknown is ignored."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", _("Open")), *ConversationStatus.choices, ("all", _("All"))],
    )
    mine = forms.BooleanField(label=_("Mine"), required=False)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False, choices=ANY + Team.choices)
    account = forms.UUIDField(label=_("Account"), required=False)
    sentiment = forms.ChoiceField(label=_("Sentiment"), required=False, choices=ANY + Sentiment.choices)
    intent = forms.ChoiceField(label=_("Intent"), required=False, choices=ANY + Intent.choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=ANY + LANGUAGE_CHOICES)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    sla = forms.ChoiceField(
        label=_("Response time"),
        required=False,
        choices=[*ANY, ("due", _("Due soon or late")), ("late", _("Late"))],
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Answer"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4}))
    in_reply_to = forms.UUIDField(required=False, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False, choices=ANY + Team.choices)

    def __init__(self, *args: object, people: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["assignee"].choices = [("", _("Nobody")), *people]  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConversationStatus.choices)


class TagsForm(forms.Form):
    tags = forms.CharField(
        label=_("Tags"), required=False, max_length=500, help_text=_("Separated by commas.")
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CrisisForm(forms.Form):
    reason = forms.CharField(
        label=_("Why?"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Complaints about the recall are piling up")}),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision or step"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
