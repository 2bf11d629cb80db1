"""Deliveries (one variant of a post to one account), their attempts, and the organization's crisis pause."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel
from flokk.publishing.choices import AttemptOutcome, DeliveryStatus
from flokk.teams.models import Organization


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def for_org(self, organization: Organization) -> DeliveryQuerySet:
        return self.filter(organization=organization)


class Delivery(TimeStampedModel):
    """Publishing one variant of a post to one account: exactly once, or a reason why not.

    One row per (variant, account), made when the post is due. `idempotency_key` is fixed for the row's
    life and travels to the network, so every retry and every reconciliation asks about the same post.
    `lease_until` is set while a worker holds the row; a row still `publishing` after its lease belonged
    to a worker that died, and its last attempt's outcome is unknown until reconciled.
    """

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="deliveries"
    )
    post = models.ForeignKey("content.Post", on_delete=models.CASCADE, related_name="deliveries")
    variant = models.ForeignKey("content.Variant", on_delete=models.CASCADE, related_name="deliveries")
    account = models.ForeignKey("channels.Account", on_delete=models.CASCADE, related_name="deliveries")
    idempotency_key = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    hold_reason = models.CharField(max_length=30, blank=True)
    due_at = models.DateTimeField(_("due at"))
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    # The last attempt may have reached the network (timeout, worker died): ask it before trying again.
    reconcile_first = models.BooleanField(default=False)
    attempt_count = models.PositiveIntegerField(default=0)
    # Temporary errors so far, which backoff and giving up count (a 429 or a "not found" does not).
    failures = models.PositiveIntegerField(default=0)
    remote_id = models.CharField(_("remote id"), max_length=500, blank=True)
    remote_url = models.URLField(_("link"), max_length=1000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=1000, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "account"], name="delivery_once_per_variant_account")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["status", "lease_until"], name="delivery_leases"),
            # The organization's published posts, newest first: analytics and reports.
            models.Index(fields=["organization", "published_at"], name="delivery_published"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account_id} ({self.status})"


class DeliveryAttempt(TimeStampedModel):
    """One call to the network for a delivery, recorded before the call and completed after it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    # A reconciliation asks the network whether an earlier attempt got through; it publishes nothing.
    reconciliation = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)
    raw_response = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_number_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.outcome}"


class PublishingPause(TimeStampedModel):
    """The organization's crisis switch: while a pause is active, nothing is published for it."""

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="publishing_pauses"
    )
    reason = models.CharField(_("reason"), max_length=500)
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(lifted_at__isnull=True),
                name="publishing_one_active_pause_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.reason
