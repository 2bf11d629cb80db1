"""Approval workflows, their steps, and the rounds, decisions and comments of each submission."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import ApprovalRoundStatus, ApprovalRule, ApprovalVerdict
from flokk.content.models.campaigns import Campaign
from flokk.content.models.posts import Post
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class ApprovalWorkflowQuerySet(models.QuerySet["ApprovalWorkflow"]):
    def for_org(self, organization: Organization) -> ApprovalWorkflowQuerySet:
        return self.filter(organization=organization)


class ApprovalWorkflow(TimeStampedModel):
    """Ordered approval steps for an organization's posts; one with a campaign overrides the default."""

    organization = models.ForeignKey(
        "teams.Organization", on_delete=models.CASCADE, related_name="approval_workflows"
    )
    campaign = models.OneToOneField(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="approval_workflow"
    )
    four_eyes = models.BooleanField(
        _("four eyes"), default=False, help_text=_("Authors never approve their own posts.")
    )

    objects = ApprovalWorkflowQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(campaign__isnull=True),
                name="approval_workflow_one_default_per_org",
            )
        ]

    def __str__(self) -> str:
        return str(self.campaign) if self.campaign_id else str(_("Default workflow"))


class ApprovalStep(TimeStampedModel):
    """One step of a workflow: who approves (a role, a person or both) and whether any or all must."""

    workflow = models.ForeignKey(ApprovalWorkflow, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    role = models.ForeignKey("teams.Role", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.CharField(_("rule"), max_length=10, choices=ApprovalRule.choices, default=ApprovalRule.ANY)

    class Meta:
        ordering = ["workflow", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__isnull=False) | models.Q(user__isnull=False),
                name="approval_step_has_approver",
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class ApprovalRound(TimeStampedModel):
    """One submission of a post for approval, with a snapshot of the workflow's steps at that moment."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_rounds")
    workflow = models.ForeignKey(ApprovalWorkflow, null=True, on_delete=models.SET_NULL, related_name="+")
    steps = models.JSONField(_("steps"), default=list)
    four_eyes = models.BooleanField(_("four eyes"), default=False)
    current_step = models.PositiveIntegerField(_("current step"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalRoundStatus.choices, default=ApprovalRoundStatus.OPEN
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.post_id} ({self.get_status_display()})"


class ApprovalDecision(TimeStampedModel):
    """An approver's verdict on one step of a round, by a member or by an external approver via a link."""

    round = models.ForeignKey(ApprovalRound, on_delete=models.CASCADE, related_name="decisions")
    step = models.PositiveIntegerField(_("step"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_label = models.CharField(_("external approver"), max_length=200, blank=True)
    link_id = models.CharField(max_length=64, blank=True)
    verdict = models.CharField(_("decision"), max_length=20, choices=ApprovalVerdict.choices)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "step", "link_id"],
                condition=~models.Q(link_id=""),
                name="approval_link_used_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} ({self.step})"


class ApprovalComment(TimeStampedModel):
    """A remark on a post during approval, by a member or an external approver."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="approval_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_label = models.CharField(_("external author"), max_length=200, blank=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:40]
