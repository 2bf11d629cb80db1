"""The asset library: images and video with alt text, tags and usage rights."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from flokk.content.choices import AssetKind
from flokk.core.models import TimeStampedModel
from flokk.teams.models import Organization


class AssetQuerySet(models.QuerySet["Asset"]):
    def for_org(self, organization: Organization) -> AssetQuerySet:
        return self.filter(organization=organization)


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
