"""Campaigns, budget lines, the content policy, assets, posts, their network variants and versions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flokk.channels.networks import Network
from flokk.content.choices import (
    EDITABLE_STATUSES,
    REOPENED_BY_EDIT,
    ApprovalRoundStatus,
    ApprovalRule,
    ApprovalVerdict,
    AssetKind,
    BudgetCategory,
    PostStatus,
)
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def for_org(self, organization: Organization) -> CampaignQuerySet:
        return self.filter(organization=organization)


class AssetQuerySet(models.QuerySet["Asset"]):
    def for_org(self, organization: Organization) -> AssetQuerySet:
        return self.filter(organization=organization)


class Campaign(TimeStampedModel):
    """A themed stretch of work with dates, an objective and a budget.

    `objective` is free text for now; it becomes a link to a strategy goal once goals exist.
    """

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(_("name"), max_length=150)
    theme = models.CharField(_("theme"), max_length=150, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    description = models.TextField(_("description"), blank=True)
    objective = models.CharField(_("objective"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")), name="campaign_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(TimeStampedModel):
    """One planned cost of a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    planned_amount = models.DecimalField(_("planned amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="SEK")
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["category", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.planned_amount} {self.currency}"


class ContentPolicy(TimeStampedModel):
    """The organization's rules for content (one per organization)."""

    organization = models.OneToOneField(
        "teams.Organization", on_delete=models.CASCADE, related_name="content_policy"
    )
    require_alt_text = models.BooleanField(_("require alt text on every image"), default=True)

    class Meta:
        ordering = ["organization"]
        verbose_name_plural = "content policies"

    def __str__(self) -> str:
        return f"content policy of {self.organization_id}"


def asset_path(asset: Asset, filename: str) -> str:
    # The stored name never comes from the uploader: the organization, the asset id and the detected type.
    return f"assets/{asset.organization_id}/{asset.pk}{asset.extension}"


EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
}


class Asset(TimeStampedModel):
    """An image or video in the organization's library, with alt text and usage rights."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="assets")
    file = models.FileField(upload_to=asset_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=AssetKind.choices)
    mime_type = models.CharField(max_length=50)
    size_bytes = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(_("alt text"), max_length=1000, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    usage_rights = models.CharField(_("usage rights"), max_length=500, blank=True)
    rights_expire_on = models.DateField(_("rights expire on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AssetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.mime_type, "")

    def rights_expired(self, today: dt.date | None = None) -> bool:
        if self.rights_expire_on is None:
            return False
        return self.rights_expire_on < (today or timezone.localdate())


class PostQuerySet(models.QuerySet["Post"]):
    def for_org(self, organization: Organization) -> PostQuerySet:
        return self.filter(organization=organization)

    def with_details(self) -> PostQuerySet:
        return self.select_related("campaign", "created_by").prefetch_related("accounts", "variants__assets")


class Post(TimeStampedModel):
    """What the team wants to say, why, to which accounts and when; a variant per network holds the text."""

    organization = models.ForeignKey("teams.Organization", on_delete=models.CASCADE, related_name="posts")
    objective = models.CharField(
        _("objective"),
        max_length=500,
        blank=True,
        help_text=_("Which goal or KPI this post serves, and the outcome you expect."),
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    accounts = models.ManyToManyField("channels.Account", related_name="posts", blank=True)
    content_type = models.CharField(_("content type"), max_length=60, blank=True)
    tags = models.JSONField(_("angle tags"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PostStatus.choices, default=PostStatus.DRAFT
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="post_org_recent")]

    def __str__(self) -> str:
        first = next((v for v in self.variants.all()), None)
        text = first.text if first else ""
        return (text[:60] + "…") if len(text) > 60 else (text or str(_("(empty post)")))

    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES or self.edit_sends_back()

    def edit_sends_back(self) -> bool:
        """Editing this post withdraws it from approval (it returns to draft and needs a new round)."""
        return self.status in REOPENED_BY_EDIT

    def networks(self) -> list[str]:
        seen: list[str] = []
        for account in self.accounts.all():
            if account.network not in seen:
                seen.append(account.network)
        return seen


class Variant(TimeStampedModel):
    """The post as it appears on one network: its own text, link, first comment, hashtags and media."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    network = models.CharField(_("network"), max_length=20, choices=Network.choices)
    text = models.TextField(_("text"), blank=True)
    link = models.URLField(_("link"), max_length=1000, blank=True)
    first_comment = models.TextField(_("first comment"), blank=True)
    hashtags = models.JSONField(_("hashtags"), default=list, blank=True)
    assets = models.ManyToManyField(Asset, related_name="variants", blank=True)

    class Meta:
        ordering = ["network"]
        constraints = [models.UniqueConstraint(fields=["post", "network"], name="variant_one_per_network")]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.text[:40]}"


class PostVersion(TimeStampedModel):
    """A snapshot of a post and its variants, stored on every save."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["post", "number"], name="post_version_number_unique")]

    def __str__(self) -> str:
        return f"v{self.number}"


# --- approvals ---------------------------------------------------------------------------------------
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
