"""Content models, one module per sub-domain; everything is importable from `flokk.content.models`."""

from flokk.content.models.approvals import (
    ApprovalComment,
    ApprovalDecision,
    ApprovalRound,
    ApprovalStep,
    ApprovalWorkflow,
    ApprovalWorkflowQuerySet,
)
from flokk.content.models.assets import EXTENSIONS, Asset, AssetQuerySet, asset_path
from flokk.content.models.briefs import (
    Brief,
    BriefAttachment,
    BriefQuerySet,
    ProductionTask,
    ProductionTaskQuerySet,
    brief_attachment_path,
)
from flokk.content.models.calendar_feeds import CalendarFeed, CalendarFeedQuerySet
from flokk.content.models.campaigns import BudgetLine, Campaign, CampaignQuerySet, ContentPolicy
from flokk.content.models.posts import Post, PostQuerySet, PostVersion, Variant

__all__ = [
    "EXTENSIONS",
    "ApprovalComment",
    "ApprovalDecision",
    "ApprovalRound",
    "ApprovalStep",
    "ApprovalWorkflow",
    "ApprovalWorkflowQuerySet",
    "Asset",
    "AssetQuerySet",
    "Brief",
    "BriefAttachment",
    "BriefQuerySet",
    "BudgetLine",
    "CalendarFeed",
    "CalendarFeedQuerySet",
    "Campaign",
    "CampaignQuerySet",
    "ContentPolicy",
    "Post",
    "PostQuerySet",
    "PostVersion",
    "ProductionTask",
    "ProductionTaskQuerySet",
    "Variant",
    "asset_path",
    "brief_attachment_path",
]
