"""Delivery and attempt states."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class AttemptOutcome(models.TextChoices):
    # Written before the network call; an attempt still "started" after its lease is an unknown outcome.
    STARTED = "started", _("Started")
    PUBLISHED = "published", _("Published")
    FOUND = "found", _("Found already published")
    NOT_FOUND = "not_found", _("Not found on the network")
    TRANSIENT_ERROR = "transient_error", _("Temporary error")
    RATE_LIMITED = "rate_limited", _("Rate limited")
    PERMANENT_ERROR = "permanent_error", _("Permanent error")
    NEEDS_RECONNECT = "needs_reconnect", _("Account needs reconnecting")


class HoldReason(models.TextChoices):
    NEEDS_RECONNECT = "needs_reconnect", _("The account needs reconnecting")
    ACCOUNT_DISCONNECTED = "account_disconnected", _("The account was disconnected")
