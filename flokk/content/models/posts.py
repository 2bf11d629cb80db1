"""Posts, their network variants and their versions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from flokk.channels.networks import Network
from flokk.content.choices import EDITABLE_STATUSES, REOPENED_BY_EDIT, PostStatus
from flokk.content.models.assets import Asset
from flokk.content.models.campaigns import Campaign
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class PostQuerySet(models.QuerySet["Post"]):
    def for_org(self, organization: Organization) -> PostQuerySet:
        return self.filter(organization=organization)

    def with_details(self) -> PostQuerySet:
        return self.select_related("campaign", "created_by").prefetch_related(
            "accounts", "variants__assets", "deliveries"
        )


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
    brief = models.ForeignKey(
        "content.Brief", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
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

    def get_absolute_url(self) -> str:
        return reverse("content:post_detail", kwargs={"org": self.organization.slug, "post_id": self.pk})

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
