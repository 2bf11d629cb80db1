"""Web-analytics figures per day, landing page and UTM campaign, imported from GA4, Matomo or Plausible."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.analytics.choices import TrafficSource
from flokk.core.models import TimeStampedModel


class TrafficImport(TimeStampedModel):
    """One uploaded export: what it held, and what was wrong with which row."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=TrafficSource.choices)
    file_name = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(default=0)
    imported = models.BooleanField(default=False)
    problems = models.JSONField(default=list)  # [{"row": 3, "column": "sessions", "message": "..."}]
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class TrafficDay(TimeStampedModel):
    """Sessions, conversions and bounces on one day for a landing page and UTM campaign."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=TrafficSource.choices)
    day = models.DateField(_("day"))
    landing_page = models.CharField(_("landing page"), max_length=1000)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    sessions = models.PositiveIntegerField(_("sessions"), default=0)
    conversions = models.PositiveIntegerField(_("conversions"), default=0)
    bounces = models.PositiveIntegerField(_("bounces"), default=0)
    last_import = models.ForeignKey(TrafficImport, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "organization", "source", "day", "landing_page", "utm_source", "utm_medium",
                    "utm_campaign",
                ],
                name="traffic_day_key",
            )
        ]  # fmt: skip
        indexes = [models.Index(fields=["organization", "day"], name="traffic_org_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.landing_page}"

    @property
    def bounce_rate(self) -> float | None:
        return self.bounces / self.sessions if self.sessions else None
