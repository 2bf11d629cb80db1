"""Sums of events per hour, per day and per post: what dashboards read.

Each rollup row is a key and a total; the refresh job adds each batch of events to them (upserts that add),
so a total is always the sum of the counted events with its key (a property test checks exactly that).
Hours are UTC; days are the organization's own calendar days, in its time zone.

The finest rollups (per account and campaign) answer any question; the organization's days and the post
summaries hold the same sums in far fewer rows, for the questions the dashboard asks on every view.
"""

from __future__ import annotations

from django.db import models

from flokk.analytics.choices import EventKind
from flokk.analytics.models.events import NONE


class OrganizationTotal(models.Model):
    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    network = models.CharField(max_length=20, blank=True)
    total = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class RollupFields(OrganizationTotal):
    account_id = models.UUIDField(default=NONE)
    campaign_id = models.UUIDField(default=NONE)

    class Meta:
        abstract = True


class HourlyRollup(RollupFields):
    """Per UTC hour, account, campaign and kind."""

    hour = models.DateTimeField()

    class Meta:
        ordering = ["hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "hour", "account_id", "campaign_id", "network", "kind"],
                name="hourly_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.kind} {self.total}"


class DailyRollup(RollupFields):
    """Per day of the organization's calendar, account, campaign and kind."""

    day = models.DateField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "account_id", "campaign_id", "network", "kind"],
                name="daily_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.total}"


class OrganizationDailyRollup(OrganizationTotal):
    """Per day of the organization's calendar, network and kind: `DailyRollup` without the account and
    campaign, for the KPI cards and audience growth."""

    day = models.DateField()

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day", "network", "kind"], name="organization_daily_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.network} {self.kind} {self.total}"


class PostRollup(RollupFields):
    """Per published delivery (a post on one account) and kind, over the post's whole life."""

    delivery_id = models.UUIDField()
    post_id = models.UUIDField(default=NONE)

    class Meta:
        ordering = ["delivery_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "delivery_id", "kind"], name="post_rollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.kind} {self.total}"


class PostSummary(models.Model):
    """Per published delivery, its lifetime impressions and engagements (`ENGAGEMENT_KINDS`) in one row:
    what the dashboard's posts, groupings and comparisons with earlier posts read."""

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    delivery_id = models.UUIDField()
    impressions = models.BigIntegerField(default=0)
    engagements = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "delivery_id"], name="post_summary_key")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.engagements} / {self.impressions}"


class RefreshState(models.Model):
    """When the rollups last took in events: dashboards say how fresh their figures are."""

    organization = models.OneToOneField("teams.Organization", on_delete=models.CASCADE, related_name="+")
    refreshed_at = models.DateTimeField()
    events = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["organization"]

    def __str__(self) -> str:
        return f"{self.organization_id} at {self.refreshed_at:%Y-%m-%d %H:%M}"
