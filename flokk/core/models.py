"""Base models shared by every app, the audit log and the worker heartbeat."""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: a UUID public id as primary key, and creation/update times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def for_org(self, organization: Any) -> "AuditEntryQuerySet":
        return self.filter(organization=organization)


class AuditEntry(models.Model):
    """One recorded change or sign-in, with a dotted action code such as `teams.member.invited`.

    Entries are append-only; `organization` is empty only for events outside any organization
    (a sign-in by someone who belongs to none).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    organization = models.ForeignKey(
        "teams.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(max_length=50, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_recent")]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_label or '-'}"


class WorkerHeartbeat(models.Model):
    """The last time each background worker process reported in; `/healthz` reads the newest."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """Something a person should know: a milestone reached, a brief assigned, a post to approve.

    `action` is the dotted code of the event (the same codes as the audit log); `message` is rendered in the
    recipient's language when the notification is made.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="notifications"
    )
    action = models.CharField(max_length=100)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.action} → {self.recipient_id}"


class PeriodicJobRun(models.Model):
    """When each periodic job may run next; workers claim a run by moving `next_run_at` atomically."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%Y-%m-%d %H:%M:%S}"
