"""What the team does to a conversation: assign, change status, tag, note. Every change is audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.core.notifications import notify
from flokk.inbox.choices import ConversationStatus, Team
from flokk.inbox.models import Conversation, Note, Tag
from flokk.inbox.services.replies import conversation_url
from flokk.teams.models import User
from flokk.teams.permissions import Access, resolve_access

MAX_TAGS = 20


def assign(
    access: Access, conversation: Conversation, *, person: User | None, team: str | None = None
) -> Conversation:
    """Give the conversation to `person` (who must be able to work in community & care), or to nobody."""
    access.require("community.work")
    if person is not None:
        their_access = resolve_access(person, conversation.organization)
        if their_access is None or not their_access.has("community.work"):
            raise Conflict(
                _("%(name)s cannot work in the inbox.") % {"name": person.name or person.email}, "not_allowed"
            )
    if team is not None and team not in Team.values:
        raise Conflict(_("Unknown team."), "invalid")
    with transaction.atomic():
        conversation.assignee = person
        if team is not None:
            conversation.team = team
        if conversation.status in (ConversationStatus.NEW, ConversationStatus.ASSIGNED):
            conversation.status = ConversationStatus.ASSIGNED if person else ConversationStatus.NEW
        conversation.save(update_fields=["assignee", "team", "status"])
        record(
            "inbox.conversation.assigned",
            organization=conversation.organization,
            actor=access.user,
            target=conversation,
            data={"assignee": person.email if person else "", "team": conversation.team},
        )
        if person is not None and person != access.user:
            by = access.user.name or access.user.email
            notify(
                [person],
                organization=conversation.organization,
                action="inbox.assigned",
                message=lambda: _("%(name)s gave you a conversation in the inbox.") % {"name": by},
                url=conversation_url(conversation),
            )
    return conversation


def set_status(access: Access, conversation: Conversation, status: str) -> Conversation:
    access.require("community.work")
    if status not in ConversationStatus.values:
        raise Conflict(_("Unknown status."), "invalid")
    with transaction.atomic():
        conversation.status = status
        conversation.resolved_at = timezone.now() if status == ConversationStatus.RESOLVED else None
        conversation.save(update_fields=["status", "resolved_at"])
        record(
            "inbox.conversation.status",
            organization=conversation.organization,
            actor=access.user,
            target=conversation,
            data={"status": status},
        )
    return conversation


def resolve(access: Access, conversation: Conversation) -> Conversation:
    return set_status(access, conversation, ConversationStatus.RESOLVED)


def set_tags(access: Access, conversation: Conversation, names: list[str]) -> list[Tag]:
    access.require("community.work")
    cleaned = list(dict.fromkeys(name.strip()[:50] for name in names if name.strip()))[:MAX_TAGS]
    with transaction.atomic():
        tags = []
        for name in cleaned:
            tag, _created = Tag.objects.get_or_create(organization=conversation.organization, name=name)
            tags.append(tag)
        conversation.tags.set(tags)
        record(
            "inbox.conversation.tagged",
            organization=conversation.organization,
            actor=access.user,
            target=conversation,
            data={"tags": cleaned},
        )
    return tags


def add_note(access: Access, conversation: Conversation, text: str) -> Note:
    access.require("community.work")
    text = text.strip()
    if not text:
        raise Conflict(_("Write the note first."), "invalid")
    return Note.objects.create(conversation=conversation, author=access.user, text=text[:5000])
