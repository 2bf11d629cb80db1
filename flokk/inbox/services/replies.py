"""Answering the public from the inbox: write, (approve,) send through the connector, thread on the network.

An answer is an outbound message in the conversation, queued and sent by the worker (`send_due_answers`)
with an idempotency key fixed when it was written, so a retry after a lost response cannot post twice. When
the organization asks for it, answers from people who may work in community & care but not approve there
wait for an approver first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.connectors.base import Connector, ConnectorError, Published, ReplyTarget
from flokk.channels.networks import RULES
from flokk.channels.services.calls import guarded, settle_connector
from flokk.channels.services.connectors import connector_for_account
from flokk.content.services.checks import grapheme_count
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.core.notifications import notify
from flokk.inbox.choices import ConversationStatus, Direction, MessageKind, OutboundStatus
from flokk.inbox.models import Conversation, Message
from flokk.inbox.services.ingest import THREAD_KEY, clean_text
from flokk.inbox.services.settings import inbox_settings
from flokk.inbox.services.sla import SlaClock
from flokk.teams.permissions import Access

MAX_SEND_FAILURES = 5


class AnswerInvalid(ValueError):
    """The answer cannot be sent as written; the message says why, for the person writing it."""


def needs_approval(access: Access) -> bool:
    return inbox_settings(access.organization).replies_need_approval and not access.has("community.approve")


def _validate(conversation: Conversation, text: str) -> str:
    text = clean_text(text).strip()
    if not text:
        raise AnswerInvalid(_("Write an answer first."))
    limit = RULES[conversation.account.network].max_text_graphemes
    if grapheme_count(text) > limit:
        raise AnswerInvalid(
            _("The answer is %(count)d characters; %(network)s allows %(limit)d.")
            % {
                "count": grapheme_count(text),
                "network": conversation.account.get_network_display(),
                "limit": limit,
            }
        )
    return text


def _answered_message(conversation: Conversation, in_reply_to: Message | None) -> Message:
    if in_reply_to is not None:
        if in_reply_to.conversation_id != conversation.pk or not in_reply_to.inbound:
            raise AnswerInvalid(_("Answer a message from this conversation."))
        return in_reply_to
    latest = conversation.messages.filter(direction=Direction.INBOUND).order_by("-received_at").first()
    if latest is None:
        raise AnswerInvalid(_("There is nothing to answer in this conversation."))
    return latest


def write_answer(
    access: Access, conversation: Conversation, text: str, *, in_reply_to: Message | None = None
) -> Message:
    """Queue an answer (or hold it for approval); raises AnswerInvalid for an empty or too long text."""
    access.require("community.work")
    text = _validate(conversation, text)
    target = _answered_message(conversation, in_reply_to)
    held = needs_approval(access)
    now = timezone.now()
    with transaction.atomic():
        answer = Message.objects.create(
            id=uuid.uuid4(),
            organization=conversation.organization,
            conversation=conversation,
            account=conversation.account,
            direction=Direction.OUTBOUND,
            kind=MessageKind.DIRECT_MESSAGE
            if target.kind == MessageKind.DIRECT_MESSAGE
            else MessageKind.REPLY,
            parent_remote_id=target.remote_id,
            text=text,
            author_handle=conversation.account.handle,
            author_name=access.user.name or access.user.email,
            reply_ref=target.reply_ref,
            received_at=now,
            created_at=now,
            status=OutboundStatus.PENDING_APPROVAL if held else OutboundStatus.QUEUED,
            sent_by=access.user,
            idempotency_key=secrets.token_hex(16),
        )
        if not held:
            _mark_answered(conversation, access, now)
        record(
            "inbox.answer.written",
            organization=conversation.organization,
            actor=access.user,
            target=conversation,
            data={"held_for_approval": held},
        )
    if held:
        _ask_for_approval(conversation, access)
    return answer


def _mark_answered(conversation: Conversation, access: Access, now: dt.datetime) -> None:
    changes: dict[str, object] = {"status": ConversationStatus.WAITING}
    if conversation.first_responded_at is None:
        changes["first_responded_at"] = now
        waited = SlaClock.for_org(conversation.organization).response_time(
            conversation.priority, conversation.first_message_at, now
        )
        changes["first_response_minutes"] = waited.total_seconds() / 60
    if conversation.assignee_id is None:
        changes["assignee"] = access.user
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    for name, value in changes.items():
        setattr(conversation, name, value)


def _ask_for_approval(conversation: Conversation, access: Access) -> None:
    from flokk.inbox.services.team import people_with

    notify(
        people_with(conversation.organization, "community.approve"),
        organization=conversation.organization,
        action="inbox.answer.approval_requested",
        message=lambda: _("An answer in the inbox is waiting for your approval."),
        url=conversation_url(conversation),
    )


def conversation_url(conversation: Conversation) -> str:
    from django.urls import reverse

    return reverse("inbox:conversation", args=[conversation.organization.slug, conversation.pk])


def approve_answer(access: Access, answer: Message) -> Message:
    access.require("community.approve")
    with transaction.atomic():
        changed = Message.objects.filter(pk=answer.pk, status=OutboundStatus.PENDING_APPROVAL).update(
            status=OutboundStatus.QUEUED, approved_by=access.user
        )
        if not changed:
            raise Conflict(_("This answer is not waiting for approval."))
        conversation = answer.conversation
        _mark_answered(conversation, access, timezone.now())
        record(
            "inbox.answer.approved", organization=access.organization, actor=access.user, target=conversation
        )
    answer.refresh_from_db()
    return answer


def reject_answer(access: Access, answer: Message) -> Message:
    access.require("community.approve")
    with transaction.atomic():
        changed = Message.objects.filter(pk=answer.pk, status=OutboundStatus.PENDING_APPROVAL).update(
            status=OutboundStatus.REJECTED, approved_by=access.user
        )
        if not changed:
            raise Conflict(_("This answer is not waiting for approval."))
        record(
            "inbox.answer.rejected",
            organization=access.organization,
            actor=access.user,
            target=answer.conversation,
        )
    answer.refresh_from_db()
    return answer


def retry_answer(access: Access, answer: Message) -> Message:
    access.require("community.work")
    changed = Message.objects.filter(pk=answer.pk, status=OutboundStatus.FAILED).update(
        status=OutboundStatus.QUEUED, error="", lease_until=None
    )
    if not changed:
        raise Conflict(_("Only a failed answer can be sent again."))
    answer.refresh_from_db()
    return answer


# --- The worker's side ------------------------------------------------------------------------------
def _claim(now: dt.datetime, limit: int = 100) -> list[Message]:
    lease = dt.timedelta(seconds=settings.FLOKK_INBOX_LEASE_SECONDS)
    due = Message.objects.filter(
        Q(status=OutboundStatus.QUEUED, lease_until__isnull=True)
        | Q(status__in=[OutboundStatus.QUEUED, OutboundStatus.SENDING], lease_until__lt=now),
        direction=Direction.OUTBOUND,
    ).select_related("account", "conversation")[:limit]
    claimed = []
    for answer in due:
        taken = Message.objects.filter(
            pk=answer.pk, status=answer.status, lease_until=answer.lease_until
        ).update(status=OutboundStatus.SENDING, lease_until=now + lease, attempts=F("attempts") + 1)
        if taken:
            claimed.append(answer)
    return claimed


Sent = tuple[Message, Published | None, ConnectorError | None, Connector]


async def _send_all(work: list[tuple[Message, Connector]]) -> list[Sent]:
    async def one(answer: Message, connector: Connector) -> Sent:
        ref = {key: value for key, value in answer.reply_ref.items() if key != THREAD_KEY}
        target = ReplyTarget(
            remote_id=answer.parent_remote_id,
            thread_id=str(answer.reply_ref.get(THREAD_KEY, "")),
            kind=answer.kind,
            reply_ref=ref,
        )
        try:
            published = await guarded(
                connector, lambda c: c.reply(target, answer.text, answer.idempotency_key)
            )
            return answer, published, None, connector
        except ConnectorError as error:
            return answer, None, error, connector
        finally:
            await connector.aclose()

    return await asyncio.gather(*(one(answer, connector) for answer, connector in work))


def send_due_answers(now: dt.datetime | None = None) -> int:
    """Send the queued answers (and those a dead worker left); returns how many were tried."""
    answers = _claim(now or timezone.now())
    if not answers:
        return 0
    work = [
        (answer, connector_for_account(answer.account)) for answer in answers
    ]  # the database, outside the loop
    for answer, published, error, connector in asyncio.run(_send_all(work)):
        finished = timezone.now()
        if published is not None:
            Message.objects.filter(pk=answer.pk).update(
                status=OutboundStatus.SENT,
                remote_id=published.remote_id[:500],
                url=published.remote_url[:1000] if published.remote_url.startswith("http") else "",
                received_at=published.published_at or finished,
                lease_until=None,
                error="",
            )
        else:
            assert error is not None
            give_up = error.permanent or answer.attempts + 1 >= MAX_SEND_FAILURES
            Message.objects.filter(pk=answer.pk).update(
                status=OutboundStatus.FAILED if give_up else OutboundStatus.QUEUED,
                # Not before a minute from now; an unknown outcome is retried with the same key.
                lease_until=None if give_up else finished + dt.timedelta(seconds=60),
                error=error.message[:1000],
            )
        settle_connector(answer.account, connector, error)
    return len(answers)
