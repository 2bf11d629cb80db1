"""The inbox's models: conversations and their messages, the team's rules, SLA timers and crisis mode."""

from flokk.inbox.models.conversations import Contact, Conversation, Message, Note, Tag
from flokk.inbox.models.crisis import Crisis, CrisisAlert, CrisisEvent
from flokk.inbox.models.polling import InboxCursor, WebhookReceipt
from flokk.inbox.models.rules import (
    BusinessHours,
    Holiday,
    InboxSettings,
    IntentRuleRow,
    RoutingRule,
    SavedReply,
    SlaPolicy,
)

__all__ = [
    "BusinessHours",
    "Contact",
    "Conversation",
    "Crisis",
    "CrisisAlert",
    "CrisisEvent",
    "Holiday",
    "InboxCursor",
    "InboxSettings",
    "IntentRuleRow",
    "Message",
    "Note",
    "RoutingRule",
    "SavedReply",
    "SlaPolicy",
    "Tag",
    "WebhookReceipt",
]
