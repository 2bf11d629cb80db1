"""The inbox's fixed vocabularies: statuses, priorities, teams, intents and message kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    WAITING = "waiting", _("Waiting for customer")
    RESOLVED = "resolved", _("Resolved")


OPEN_STATUSES = (ConversationStatus.NEW, ConversationStatus.ASSIGNED, ConversationStatus.WAITING)


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Team(models.TextChoices):
    """Who answers: the teams of DOMAIN.md's community & care area, plus sales and communications."""

    COMMUNITY = "community", _("Community")
    CARE = "care", _("Care")
    SUPPORT = "support", _("Customer support")
    SALES = "sales", _("Sales")
    COMMUNICATIONS = "communications", _("Communications")


# The built-in roles whose holders make up each team (the responsibility matrix's community area decides
# when nobody holds them: see services/routing.py).
TEAM_ROLES: dict[str, tuple[str, ...]] = {
    Team.COMMUNITY: ("community-manager",),
    Team.CARE: ("care-manager",),
    Team.SUPPORT: ("customer-support",),
    Team.SALES: ("sales",),
    Team.COMMUNICATIONS: ("communications-lead",),
}


class AssignStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class Intent(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    PRAISE = "praise", _("Praise")
    LEAD = "lead", _("Sales interest")
    SPAM = "spam", _("Spam")
    ABUSE = "abuse", _("Abuse")


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class MessageKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    MENTION = "mention", _("Mention")
    DIRECT_MESSAGE = "direct_message", _("Direct message")


class Direction(models.TextChoices):
    INBOUND = "in", _("From the public")
    OUTBOUND = "out", _("From us")


class OutboundStatus(models.TextChoices):
    """An answer's way out: approval (junior roles, when the organization asks for it), then the network."""

    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    REJECTED = "rejected", _("Rejected")


LANGUAGE_CHOICES = [("sv", "svenska"), ("da", "dansk"), ("nb", "norsk bokmål"), ("en", "English")]
