"""Where each account's polling got to, and which webhook bodies have been seen."""

from __future__ import annotations

from django.db import models


class InboxCursor(models.Model):
    """One per account that reads an inbox: the connector's cursor, kept only once its items are stored.

    `lease_until` keeps two workers from polling the same account at once; `next_poll_at` spaces polls and
    backs off while the network is down (the cursor stays, so nothing is skipped).
    """

    account = models.OneToOneField(
        "channels.Account", on_delete=models.CASCADE, primary_key=True, related_name="inbox_cursor"
    )
    cursor = models.CharField(max_length=500, blank=True)
    next_poll_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=1000, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_poll_at"], name="inbox_cursor_due")]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.cursor}"


class WebhookReceipt(models.Model):
    """The digest of a webhook body already accepted: the same body again is a replay and is dropped."""

    digest = models.CharField(max_length=64, primary_key=True)
    network = models.CharField(max_length=20)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.digest
