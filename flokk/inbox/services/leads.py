"""Sales interest: conversations handed to sales, a CSV of them, and a signed webhook per new lead."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import logging
import uuid
from collections.abc import Iterable

import httpx
from django.tasks import task

from flokk.content.services.csv_posts import BOM, escape_cell
from flokk.inbox.choices import Intent
from flokk.inbox.models import Conversation, Message
from flokk.inbox.services.settings import inbox_settings
from flokk.teams.models import Organization

logger = logging.getLogger(__name__)
CSV_COLUMNS = ("received", "network", "account", "author", "name", "text", "status", "assignee", "link")


def lead_conversations(organization: Organization):  # type: ignore[no-untyped-def]
    return (
        Conversation.objects.filter(organization=organization, intent=Intent.LEAD)
        .select_related("account", "assignee", "contact")
        .order_by("-first_message_at")
    )


def _first_message(conversation: Conversation) -> Message | None:
    return conversation.messages.order_by("received_at").first()


def leads_csv(conversations: Iterable[Conversation]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_COLUMNS)
    for conversation in conversations:
        first = _first_message(conversation)
        writer.writerow(
            escape_cell(str(value))
            for value in (
                conversation.first_message_at.isoformat(),
                conversation.account.network,
                conversation.account.handle,
                first.author_handle if first else "",
                first.author_name if first else "",
                first.text if first else conversation.preview,
                conversation.status,
                conversation.assignee.email if conversation.assignee else "",
                first.url if first else "",
            )
        )
    return out.getvalue()


def lead_payload(conversation: Conversation) -> dict[str, object]:
    first = _first_message(conversation)
    return {
        "event": "inbox.lead",
        "organization": conversation.organization.slug,
        "conversation_id": str(conversation.pk),
        "network": conversation.account.network,
        "account": conversation.account.handle,
        "author_handle": first.author_handle if first else "",
        "author_name": first.author_name if first else "",
        "text": first.text if first else conversation.preview,
        "language": conversation.language,
        "received_at": conversation.first_message_at.isoformat(),
        "url": first.url if first else "",
        "assignee": conversation.assignee.email if conversation.assignee else "",
    }


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def queue_lead_webhooks(organization: Organization, conversation_ids: list[uuid.UUID]) -> None:
    if not inbox_settings(organization).lead_webhook_url:
        return
    for pk in conversation_ids:
        post_lead.enqueue(str(pk))


@task()
def post_lead(conversation_id: str) -> int:
    """POST one lead to the organization's webhook (JSON, `X-Flokk-Signature`); returns the status code."""
    conversation = (
        Conversation.objects.select_related("organization", "account", "assignee")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return 0
    settings = inbox_settings(conversation.organization)
    if not settings.lead_webhook_url:
        return 0
    body = json.dumps(lead_payload(conversation), ensure_ascii=False).encode()
    response = httpx.post(
        settings.lead_webhook_url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Flokk-Signature": signature(settings.lead_webhook_secret, body),
        },
        timeout=10,
        follow_redirects=False,
    )
    response.raise_for_status()  # the task framework records the failure
    return response.status_code
