"""Crisis: spikes of negative messages, crisis mode and its timeline of decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel


class CrisisAlert(TimeStampedModel):
    """A spike of negative messages on one account, against that account's own hourly baseline."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("channels.Account", on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    negative_count = models.PositiveIntegerField()
    baseline_per_hour = models.FloatField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.negative_count} negative ({self.baseline_per_hour:.1f}/h usual)"


class Crisis(TimeStampedModel):
    """Crisis mode: from the click that started it (publishing paused) to the click that lifted it."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    alert = models.ForeignKey(CrisisAlert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"], condition=models.Q(ended_at__isnull=True), name="one_open_crisis"
            )
        ]

    def __str__(self) -> str:
        return self.reason


class CrisisEvent(TimeStampedModel):
    """One line of the crisis timeline: a decision, a statement, or what Flokk did."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="events")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("decision"), max_length=2000)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
