"""Short links served by Flokk (`/l/<code>`), the organization's UTM conventions and analytics settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel


class AnalyticsSettings(TimeStampedModel):
    """One organization's analytics options."""

    organization = models.OneToOneField(
        "teams.Organization", on_delete=models.CASCADE, related_name="analytics_settings"
    )
    metrics_every_minutes = models.PositiveIntegerField(_("read metrics every (minutes)"), default=60)
    utm_source = models.CharField(_("utm_source"), max_length=100, default="{network}")
    utm_medium = models.CharField(_("utm_medium"), max_length=100, default="social")
    utm_campaign = models.CharField(_("utm_campaign"), max_length=100, default="{campaign}")
    utm_content = models.CharField(_("utm_content"), max_length=100, default="{post}", blank=True)
    shorten_links = models.BooleanField(_("shorten links in posts"), default=True)
    conversion_key = models.CharField(max_length=64, blank=True)  # identifies the landing-page snippet

    class Meta:
        ordering = ["organization"]
        verbose_name = _("analytics settings")

    def __str__(self) -> str:
        return f"Analytics settings of {self.organization_id}"


class Link(TimeStampedModel):
    """A short link to a target (with its UTM parameters), tied to the post, network and campaign it is in."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=16, unique=True)
    target_url = models.URLField(_("target"), max_length=2000)
    post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    network = models.CharField(_("network"), max_length=20, blank=True)
    campaign = models.ForeignKey(
        "content.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clicks = models.BigIntegerField(_("clicks"), default=0)  # counted by the rollup refresh
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="link_recent")]

    def __str__(self) -> str:
        return f"/l/{self.code}"
