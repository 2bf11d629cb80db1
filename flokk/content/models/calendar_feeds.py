"""Secret, revocable iCalendar feed URLs of the content calendar, per person and filter."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def for_org(self, organization: Organization) -> CalendarFeedQuerySet:
        return self.filter(organization=organization)

    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(TimeStampedModel):
    """An iCalendar (RFC 5545) subscription URL; the secret is stored hashed and shown once.

    The feed answers with what its owner may see right now, narrowed by `filters` (network, campaign,
    status, person), so a member who leaves or loses access stops leaking the calendar.
    """

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    name = models.CharField(_("name"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
