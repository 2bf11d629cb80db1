"""What the team decides about its inbox: routing and intent rules, SLA targets, hours, saved replies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel
from flokk.inbox.choices import LANGUAGE_CHOICES, AssignStrategy, Intent, Priority, Team


class InboxSettings(models.Model):
    """One row per organization, made with defaults on first use (`services.settings.inbox_settings`)."""

    organization = models.OneToOneField(
        "teams.Organization", on_delete=models.CASCADE, primary_key=True, related_name="inbox_settings"
    )
    # Answers from people who may work in community & care but not approve there wait for an approver.
    replies_need_approval = models.BooleanField(_("answers from junior roles need approval"), default=False)
    # Crisis detection: negative messages in the last hour against the account's own hourly baseline.
    spike_min_negative = models.PositiveIntegerField(
        _("negative messages an hour before it can be a spike"), default=10
    )
    spike_factor = models.FloatField(_("times the usual hourly number of negative messages"), default=3.0)
    pause_on_spike = models.BooleanField(_("pause publishing automatically on a spike"), default=False)
    # Leads: each new sales-interest conversation is posted here (JSON, signed with the secret).
    lead_webhook_url = models.URLField(_("webhook for leads"), blank=True)
    lead_webhook_secret = models.CharField(max_length=64, blank=True)
    round_robin_position = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"inbox settings of {self.organization_id}"


class RoutingRule(TimeStampedModel):
    """When a new conversation matches every condition that is set, it goes to `team` (and `assignee`)."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    account = models.ForeignKey(
        "channels.Account",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account"),
    )
    intents = models.JSONField(_("intents"), default=list, blank=True)
    sentiments = models.JSONField(_("sentiments"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    keywords = models.TextField(
        _("keywords"), blank=True, help_text=_("One per line or separated by commas.")
    )
    team = models.CharField(_("team"), max_length=20, choices=Team.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("person"),
    )
    strategy = models.CharField(
        _("assignment"), max_length=20, choices=AssignStrategy.choices, default=AssignStrategy.ROUND_ROBIN
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)

    class Meta:
        ordering = ["position", "created_at"]

    def __str__(self) -> str:
        return self.name


class IntentRuleRow(TimeStampedModel):
    """One editable intent rule: these keywords (in this language, or any) mean this intent."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    intent = models.CharField(_("intent"), max_length=10, choices=Intent.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES, blank=True)
    keywords = models.TextField(
        _("keywords"), help_text=_("One per line. End a word with * to match its beginning.")
    )

    class Meta:
        ordering = ["intent", "language", "created_at"]

    def __str__(self) -> str:
        return f"{self.intent} ({self.language or '*'})"


class SlaPolicy(TimeStampedModel):
    """Response-time targets for one priority, in minutes of business time (or of clock time)."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolved within (minutes)"))
    business_hours_only = models.BooleanField(_("count business hours only"), default=True)
    warn_at_percent = models.PositiveIntegerField(
        _("warn when this share of the time has passed (%)"), default=75
    )

    class Meta:
        ordering = ["priority"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "priority"], name="sla_once_per_priority")
        ]

    def __str__(self) -> str:
        return f"{self.priority}: {self.first_response_minutes} / {self.resolution_minutes} min"


class BusinessHours(models.Model):
    """Opening hours per weekday (0 = Monday), in the organization's time zone. Closed days have no row."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"))
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [models.UniqueConstraint(fields=["organization", "weekday"], name="hours_once_per_day")]

    def __str__(self) -> str:
        return f"{self.weekday}: {self.opens}-{self.closes}"


class Holiday(models.Model):
    """A closed day (public holiday, company day off): SLA time does not run on it."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["organization", "date"], name="holiday_once")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SavedReply(TimeStampedModel):
    """A prepared answer in the four languages; holding statements are the ones kept for a crisis."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    text_en = models.TextField(_("English"), blank=True)
    text_sv = models.TextField(_("Swedish"), blank=True)
    text_da = models.TextField(_("Danish"), blank=True)
    text_nb = models.TextField(_("Norwegian"), blank=True)
    is_holding_statement = models.BooleanField(_("holding statement for a crisis"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-is_holding_statement", "title"]

    def __str__(self) -> str:
        return self.title

    def text_for(self, language: str) -> str:
        """The text in `language`, else the first language that has one."""
        texts = {"en": self.text_en, "sv": self.text_sv, "da": self.text_da, "nb": self.text_nb}
        return texts.get(language) or next((text for text in texts.values() if text), "")
