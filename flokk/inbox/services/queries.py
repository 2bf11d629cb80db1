"""Reading the inbox: the filtered conversation list and what a conversation page shows.

Every list is ordered by an indexed column and cut to a page before anything is joined, so a page costs
about the same with a million messages as with a hundred.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import StrIndex, Upper
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from flokk.inbox.choices import OPEN_STATUSES, ConversationStatus
from flokk.inbox.models import Conversation, Message
from flokk.teams.models import Organization, User

PAGE = 50
SOON = dt.timedelta(hours=1)


def filtered_conversations(
    organization: Organization, person: User, filters: dict[str, Any]
) -> QuerySet[Conversation]:
    conversations = Conversation.objects.filter(organization=organization)
    status = filters.get("status") or "open"
    if status == "open":
        conversations = conversations.filter(status__in=OPEN_STATUSES)
    elif status in ConversationStatus.values:
        conversations = conversations.filter(status=status)
    if filters.get("mine"):
        if not Conversation.objects.filter(organization=organization, assignee=person).exists():
            # SQLite walks the whole list (newest first) looking for someone who has nothing: 0.3 s at
            # 250,000 conversations. The assignee index answers "nothing" at once.
            return conversations.none()
        conversations = conversations.filter(assignee=person)
    if filters.get("unassigned"):
        conversations = conversations.filter(assignee__isnull=True)
    for name in ("team", "sentiment", "intent", "language"):
        if filters.get(name):
            conversations = conversations.filter(**{name: filters[name]})
    if filters.get("account"):
        conversations = conversations.filter(account_id=filters["account"])
    if filters.get("tag"):
        conversations = conversations.filter(tags__name=filters["tag"])
    if filters.get("sla"):
        now = timezone.now()
        limit = now + SOON if filters["sla"] == "due" else now
        conversations = conversations.filter(
            Q(first_responded_at__isnull=True, first_response_due_at__lte=limit)
            | Q(resolution_due_at__lte=limit),
            status__in=OPEN_STATUSES,
        )
    if filters.get("q"):
        conversations = conversations.filter(_contains(filters["q"]))
    return conversations.order_by("-last_message_at")


def _contains(words: str) -> GreaterThan:
    """`preview__icontains=words`, written so that PostgreSQL reads the newest conversations first.

    Given `UPPER(preview) LIKE '%...%'` the planner guesses a handful of matches and reads the whole table
    to sort them (0.3 s at 250,000 conversations); it cannot guess the selectivity of `strpos(...) > 0`
    and walks the list's index newest first, stopping at a page of matches. Same matches on both
    databases: SQLite's `upper()` and `LIKE` both fold ASCII letters only.
    """
    return GreaterThan(StrIndex(Upper("preview"), Upper(Value(words))), 0)


def conversation_page(
    conversations: QuerySet[Conversation], before: dt.datetime | None = None
) -> list[Conversation]:
    if before is not None:
        conversations = conversations.filter(last_message_at__lt=before)
    return list(conversations.select_related("account", "assignee")[:PAGE])


def thread(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("sent_by", "approved_by").order_by("received_at")[:500])


def history(conversation: Conversation, limit: int = 20) -> list[Message]:
    """What the same person said to the organization elsewhere (other conversations), newest first."""
    if conversation.contact_id is None:
        return []
    return list(
        Message.objects.filter(contact_id=conversation.contact_id)
        .exclude(conversation=conversation)
        .select_related("account")
        .order_by("-received_at")[:limit]
    )
