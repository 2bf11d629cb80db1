"""Briefs (a planner's order to producers) and the production tasks that carry them out."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import BriefStatus, TaskKind, TaskStatus
from flokk.content.models.assets import Asset
from flokk.content.models.campaigns import Campaign
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class BriefQuerySet(models.QuerySet["Brief"]):
    def for_org(self, organization: Organization) -> BriefQuerySet:
        return self.filter(organization=organization)


class Brief(TimeStampedModel):
    """A clear order ("tydlig beställning") from a planner to producers: why, for whom, what, where, when."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="briefs")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(
        _("purpose"), help_text=_("Why this content is made and what it should achieve.")
    )
    audience = models.TextField(_("audience"), blank=True)
    key_message = models.TextField(_("key message"), blank=True)
    networks = models.JSONField(_("networks"), default=list, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="briefs"
    )
    goal = models.ForeignKey(
        "strategy.Goal", null=True, blank=True, on_delete=models.SET_NULL, related_name="briefs"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    publish_on = models.DateField(_("publish on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BriefStatus.choices, default=BriefStatus.DRAFT
    )
    assets = models.ManyToManyField(Asset, related_name="briefs", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BriefQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "status"], name="brief_org_status")]

    def __str__(self) -> str:
        return self.title


def brief_attachment_path(attachment: BriefAttachment, filename: str) -> str:
    # Never the uploader's name on disk: the organization, the attachment id and the detected type.
    return f"briefs/{attachment.organization_id}/{attachment.pk}{attachment.extension}"


class BriefAttachment(TimeStampedModel):
    """A document attached to a brief (brand guide, script, mood board); media live in the asset library."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="+")
    brief = models.ForeignKey(Brief, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=brief_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    mime_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size_bytes = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


class ProductionTaskQuerySet(models.QuerySet["ProductionTask"]):
    def for_org(self, organization: Organization) -> ProductionTaskQuerySet:
        return self.filter(organization=organization)


class ProductionTask(TimeStampedModel):
    """One piece of production work on the board (to do, doing, review, done), usually from a brief."""

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="production_tasks"
    )
    brief = models.ForeignKey(Brief, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    post = models.ForeignKey(
        "content.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=TaskKind.choices, default=TaskKind.COPY)
    role = models.ForeignKey(
        "teams.Role",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("role"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.TODO)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # The local date a due-date reminder was last sent for, so the periodic check sends each one once.
    reminded_on = models.DateField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProductionTaskQuerySet.as_manager()

    class Meta:
        ordering = ["status", "position", "due_on", "created_at"]
        indexes = [models.Index(fields=["organization", "status", "due_on"], name="task_org_status_due")]

    def __str__(self) -> str:
        return self.title
