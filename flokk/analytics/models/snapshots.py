"""The counters a network reports for a post or an account, as read at one moment: the metrics' time series.

Networks give running totals (a post has 42 likes now). Each reading is kept; what changed since the
previous one becomes events, so the rollups see likes arrive hour by hour.
"""

from __future__ import annotations

from django.db import models

from flokk.core.models import TimeStampedModel


class MetricSnapshot(TimeStampedModel):
    """One reading of a delivery's counters (or the account's, when `delivery` is empty)."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey("channels.Account", on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(
        "publishing.Delivery", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    taken_at = models.DateTimeField()
    values = models.JSONField(default=dict)  # kind -> running total; "reach" too, which does not add up
    missing = models.JSONField(default=list)  # the kinds this network does not report
    demo = models.BooleanField(default=False)  # made up by the sandbox network, and labelled so

    class Meta:
        ordering = ["-taken_at"]
        indexes = [
            models.Index(fields=["delivery", "-taken_at"], name="snapshot_delivery"),
            models.Index(fields=["account", "-taken_at"], name="snapshot_account"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} at {self.taken_at:%Y-%m-%d %H:%M}"
