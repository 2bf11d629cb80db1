"""Post states, budget categories and asset kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PostStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


EDITABLE_STATUSES = frozenset({PostStatus.DRAFT, PostStatus.CHANGES_REQUESTED})


class BudgetCategory(models.TextChoices):
    CONTENT_PRODUCTION = "content_production", _("Content production")
    TOOLS = "tools", _("Tools")
    ADS = "ads", _("Ads")


class AssetKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
