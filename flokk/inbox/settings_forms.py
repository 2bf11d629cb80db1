"""Forms of the inbox settings pages. They parse and bound what people type; the rules about the values
(a spike factor above 1, closing after opening, an https address) live in `services/setup.py`, which the
views call with what these forms return."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from flokk.inbox.choices import LANGUAGE_CHOICES, AssignStrategy, Intent, Priority, Sentiment, Team
from flokk.inbox.services.setup import (
    HOLIDAY_YEARS,
    MAX_KEYWORDS_LENGTH,
    MAX_REPLY_LENGTH,
    MAX_SPIKE_MINIMUM,
    MAX_TARGET_MINUTES,
    MAX_URL_LENGTH,
    InboxOptions,
    IntentRuleInput,
    RoutingRuleInput,
    SavedReplyInput,
)
from flokk.inbox.services.sla import Targets

ANY = [("", _("Any"))]
KEYWORDS_HELP = _("One per line. End a word with * to match its beginning.")


class InboxOptionsForm(forms.Form):
    replies_need_approval = forms.BooleanField(
        label=_("Answers from junior roles need approval"),
        required=False,
        help_text=_("People who may answer but not approve in community & care wait for an approver."),
    )
    spike_min_negative = forms.IntegerField(
        label=_("Negative messages an hour before it can be a spike"),
        min_value=1,
        max_value=MAX_SPIKE_MINIMUM,
    )
    spike_factor = forms.FloatField(
        label=_("Times the usual hourly number of negative messages"),
        help_text=_("Above 1. With 3, a spike is three times as many negative messages as usual."),
    )
    pause_on_spike = forms.BooleanField(label=_("Pause publishing automatically on a spike"), required=False)
    lead_webhook_url = forms.CharField(
        label=_("Webhook for leads"),
        required=False,
        max_length=MAX_URL_LENGTH,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Each new sales-interest conversation is posted here as JSON, signed with the secret."),
    )

    def options(self) -> InboxOptions:
        data = self.cleaned_data
        return InboxOptions(
            replies_need_approval=data["replies_need_approval"],
            spike_min_negative=data["spike_min_negative"],
            spike_factor=data["spike_factor"],
            pause_on_spike=data["pause_on_spike"],
            lead_webhook_url=data["lead_webhook_url"],
        )


class RoutingRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    account = forms.ChoiceField(label=_("Account"), required=False)
    intents = forms.MultipleChoiceField(
        label=_("Intents"), required=False, choices=Intent.choices, widget=forms.CheckboxSelectMultiple
    )
    sentiments = forms.MultipleChoiceField(
        label=_("Sentiments"), required=False, choices=Sentiment.choices, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"), required=False, choices=LANGUAGE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=MAX_KEYWORDS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line. The rule matches when the message contains any of them."),
    )
    team = forms.ChoiceField(label=_("Team"), choices=Team.choices)
    assignee = forms.ChoiceField(label=_("Person"), required=False)
    strategy = forms.ChoiceField(
        label=_("Assignment within the team"),
        choices=AssignStrategy.choices,
        initial=AssignStrategy.ROUND_ROBIN,
    )
    priority = forms.ChoiceField(
        label=_("Priority"),
        required=False,
        choices=[("", _("From intent and sentiment")), *Priority.choices],
    )

    def __init__(
        self, *args: Any, accounts: list[tuple[str, str]], people: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = [("", _("Any account")), *accounts]  # type: ignore[attr-defined]
        self.fields["assignee"].choices = [("", _("Anyone in the team")), *people]  # type: ignore[attr-defined]

    def rule(self) -> RoutingRuleInput:
        data = self.cleaned_data
        return RoutingRuleInput(
            name=data["name"],
            is_active=data["is_active"],
            account_id=uuid.UUID(data["account"]) if data["account"] else None,
            intents=data["intents"],
            sentiments=data["sentiments"],
            languages=data["languages"],
            keywords=data["keywords"],
            team=data["team"],
            assignee_id=uuid.UUID(data["assignee"]) if data["assignee"] else None,
            strategy=data["strategy"],
            priority=data["priority"],
        )


class IntentRuleForm(forms.Form):
    intent = forms.ChoiceField(label=_("Intent"), choices=Intent.choices)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[*ANY, *LANGUAGE_CHOICES])
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=MAX_KEYWORDS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=KEYWORDS_HELP,
    )

    def rule(self) -> IntentRuleInput:
        data = self.cleaned_data
        return IntentRuleInput(intent=data["intent"], language=data["language"], keywords=data["keywords"])


class RestoreDefaultsForm(forms.Form):
    """Works without JavaScript: the box must be ticked, so one stray click deletes nothing."""

    confirm = forms.BooleanField(label=_("Yes, delete our own intent rules"))


class ResponseTargetsForm(forms.Form):
    """The four priorities' targets in one form: `<priority>_<field>` per priority."""

    def __init__(self, *args: Any, targets: dict[str, Targets], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for priority in Priority.values:
            target = targets[priority]
            self.fields[f"{priority}_first_response_minutes"] = forms.IntegerField(
                label=_("First response within (minutes)"),
                min_value=1,
                max_value=MAX_TARGET_MINUTES,
                initial=target.first_response_minutes,
            )
            self.fields[f"{priority}_resolution_minutes"] = forms.IntegerField(
                label=_("Resolved within (minutes)"),
                min_value=1,
                max_value=MAX_TARGET_MINUTES,
                initial=target.resolution_minutes,
            )
            self.fields[f"{priority}_business_hours_only"] = forms.BooleanField(
                label=_("Count business hours only"), required=False, initial=target.business_hours_only
            )
            self.fields[f"{priority}_warn_at_percent"] = forms.IntegerField(
                label=_("Warn at (%)"), min_value=1, max_value=100, initial=target.warn_at_percent
            )

    def rows(self) -> Iterator[tuple[str, list[forms.BoundField]]]:
        """Per priority, most urgent first: its label and its four bound fields."""
        for priority in reversed(Priority.values):
            names = ("first_response_minutes", "resolution_minutes", "business_hours_only", "warn_at_percent")
            yield str(Priority(priority).label), [self[f"{priority}_{name}"] for name in names]

    def targets(self) -> dict[str, Targets]:
        data = self.cleaned_data
        return {
            priority: Targets(
                first_response_minutes=data[f"{priority}_first_response_minutes"],
                resolution_minutes=data[f"{priority}_resolution_minutes"],
                business_hours_only=data[f"{priority}_business_hours_only"],
                warn_at_percent=data[f"{priority}_warn_at_percent"],
            )
            for priority in Priority.values
        }


class BusinessHoursForm(forms.Form):
    """Seven weekdays: open or closed, and from when to when (`day<n>_open`, `day<n>_opens`, ...)."""

    def __init__(self, *args: Any, hours: dict[int, tuple[dt.time, dt.time]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day in range(7):
            times = hours.get(day)
            self.fields[f"day{day}_open"] = forms.BooleanField(
                label=WEEKDAYS[day], required=False, initial=times is not None
            )
            self.fields[f"day{day}_opens"] = forms.TimeField(
                label=_("Opens"),
                required=False,
                initial=times[0] if times else dt.time(8),
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"day{day}_closes"] = forms.TimeField(
                label=_("Closes"),
                required=False,
                initial=times[1] if times else dt.time(17),
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in range(7):
            if data.get(f"day{day}_open"):
                for name in ("opens", "closes"):
                    if data.get(f"day{day}_{name}") is None and f"day{day}_{name}" not in self.errors:
                        self.add_error(f"day{day}_{name}", _("Enter a time, or mark the day closed."))
        return data

    def rows(self) -> Iterator[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        for day in range(7):
            yield self[f"day{day}_open"], self[f"day{day}_opens"], self[f"day{day}_closes"]

    def hours(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        data = self.cleaned_data
        return {
            day: (data[f"day{day}_opens"], data[f"day{day}_closes"]) if data[f"day{day}_open"] else None
            for day in range(7)
        }


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=100)


class PublicHolidaysForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"), choices=[("SE", _("Sweden")), ("DK", _("Denmark")), ("NO", _("Norway"))]
    )
    year = forms.IntegerField(label=_("Year"), min_value=HOLIDAY_YEARS[0], max_value=HOLIDAY_YEARS[-1])


class SavedReplyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    text_en = forms.CharField(
        label=_("English"),
        required=False,
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_sv = forms.CharField(
        label=_("Swedish"),
        required=False,
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_da = forms.CharField(
        label=_("Danish"),
        required=False,
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    text_nb = forms.CharField(
        label=_("Norwegian"),
        required=False,
        max_length=MAX_REPLY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_holding_statement = forms.BooleanField(
        label=_("Holding statement for a crisis"),
        required=False,
        help_text=_("Holding statements are shown in the crisis room and listed first in the inbox."),
    )

    def reply(self) -> SavedReplyInput:
        data = self.cleaned_data
        return SavedReplyInput(
            title=data["title"],
            text_en=data["text_en"],
            text_sv=data["text_sv"],
            text_da=data["text_da"],
            text_nb=data["text_nb"],
            is_holding_statement=data["is_holding_statement"],
        )
