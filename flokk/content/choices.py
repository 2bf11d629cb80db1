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
    REJECTED = "rejected", _("Rejected")


EDITABLE_STATUSES = frozenset({PostStatus.DRAFT, PostStatus.CHANGES_REQUESTED})


class BudgetCategory(models.TextChoices):
    CONTENT_PRODUCTION = "content_production", _("Content production")
    TOOLS = "tools", _("Tools")
    ADS = "ads", _("Ads")


class AssetKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")


# Editing a post in these states withdraws it from approval: it goes back to draft and needs a new round.
REOPENED_BY_EDIT = frozenset({PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED})


class ApprovalRule(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("All approvers")


class ApprovalRoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    APPROVED = "approved", _("Approved")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by an edit")


class ApprovalVerdict(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REQUEST_CHANGES = "request_changes", _("Request changes")
    REJECT = "reject", _("Reject")


class BriefStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class TaskKind(models.TextChoices):
    COPY = "copy", _("Copy")
    DESIGN = "design", _("Design")
    VIDEO = "video", _("Video")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DOING = "doing", _("Doing")
    REVIEW = "review", _("Review")
    DONE = "done", _("Done")
