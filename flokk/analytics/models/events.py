"""Raw engagement events, and the queue they wait in until the rollups have counted them.

Writers (metrics collection, short links, the conversion endpoint, imports) add `PendingEvent` rows. The
refresh job drains the queue in one transaction: it adds the batch to the rollups and moves it to `Event`.
So every event is counted exactly once, whatever commits when, and dashboards never scan raw events.

Account, post, delivery, campaign and link are plain UUID columns, with `NONE` for "none": rollup keys are
never NULL (NULLs never conflict in a unique index, so additive upserts would duplicate them), and history
stays when a post or an account is deleted.
"""

from __future__ import annotations

import uuid

from django.db import models

from flokk.analytics.choices import EventKind, EventSource

NONE = uuid.UUID(int=0)


class EventFields(models.Model):
    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    count = models.IntegerField(default=1)  # a network counter's change: can be negative (an unlike)
    network = models.CharField(max_length=20, blank=True)
    account_id = models.UUIDField(default=NONE)
    delivery_id = models.UUIDField(default=NONE)
    post_id = models.UUIDField(default=NONE)
    campaign_id = models.UUIDField(default=NONE)
    link_id = models.UUIDField(default=NONE)
    source = models.CharField(max_length=10, choices=EventSource.choices)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.kind} {self.count:+d} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Event(EventFields):
    """An event the rollups have counted. Append-only; the rollups can be rebuilt from these."""

    id = models.BigAutoField(primary_key=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at"]
        indexes = [models.Index(fields=["organization", "occurred_at"], name="event_org_time")]


class PendingEvent(EventFields):
    """An event not counted yet: the refresh job takes these, oldest first."""

    id = models.BigAutoField(primary_key=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
