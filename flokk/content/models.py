"""Campaigns, budget lines, the content policy, assets, posts, their network variants and versions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flokk.channels.networks import Network
from flokk.content.choices import EDITABLE_STATUSES, AssetKind, BudgetCategory, PostStatus
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
        return self.status in EDITABLE_STATUSES

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
