"""Telling the team about new conversations: the assignee, and sales through the lead webhook."""

from __future__ import annotations

import uuid
from collections import Counter

from django.urls import reverse
from django.utils.translation import ngettext

from flokk.core.notifications import notify
from flokk.inbox.choices import Intent
from flokk.teams.models import Organization, User

NewConversation = tuple[uuid.UUID, uuid.UUID | None, str]  # id, assignee id, intent: what ingest decided


def announce_new_conversations(organization: Organization, new: list[NewConversation]) -> None:
    """One notification per assignee for the batch, and the lead webhook for sales-interest ones."""
    per_person: Counter[uuid.UUID] = Counter()
    leads: list[uuid.UUID] = []
    for pk, assignee_id, intent in new:
        if assignee_id:
            per_person[assignee_id] += 1
        if intent == Intent.LEAD:
            leads.append(pk)
    url = reverse("inbox:index", args=[organization.slug]) + "?mine=1"
    for person in User.objects.filter(pk__in=list(per_person)):
        count = per_person[person.pk]
        notify(
            [person],
            organization=organization,
            action="inbox.assigned",
            message=lambda count=count: (
                ngettext(  # type: ignore[misc]
                    "%(count)d new conversation was assigned to you.",
                    "%(count)d new conversations were assigned to you.",
                    count,
                )
                % {"count": count}
            ),
            url=url,
        )
    if leads:
        from flokk.inbox.services.leads import queue_lead_webhooks

        queue_lead_webhooks(organization, leads)
