"""Inbox API: messages, conversations, assigning, answering, resolving, moderation and crisis mode.

Handlers parse, authorize (`api_access`), call one service and return a schema. Lists of messages page by
time (`before`), so a page costs the same with a million messages as with ten.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from flokk.channels.connectors.base import ConnectorError
from flokk.core.api import Error
from flokk.core.errors import Conflict
from flokk.inbox.choices import ConversationStatus
from flokk.inbox.models import Conversation, Message
from flokk.inbox.services import conversations as conversation_service
from flokk.inbox.services import crisis as crisis_service
from flokk.inbox.services.moderation import moderate
from flokk.inbox.services.replies import AnswerInvalid, write_answer
from flokk.teams.api.common import TEXT_PATTERN, OrgSlug
from flokk.teams.models import User
from flokk.teams.permissions import Access, api_access

router = Router(tags=["inbox"])
READ: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CHANGE: dict[int, Any] = {**READ, 400: Error, 409: Error}
MAX_PAGE = 200


class SentimentOut(Schema):
    label: str
    score: float


class MessageOut(Schema):
    id: uuid.UUID
    conversation_id: uuid.UUID
    account_id: uuid.UUID
    direction: Literal["in", "out"]
    kind: str
    text: str
    author_handle: str = Field(..., description="The author's handle on the network")
    author_name: str
    sentiment: SentimentOut
    intent: str
    language: str
    received_at: dt.datetime
    url: str
    status: str = Field(
        ..., description="For answers from the team: pending_approval, queued, sending, sent, failed"
    )


class MessagePageOut(Schema):
    items: list[MessageOut]
    next_before: dt.datetime | None = Field(None, description="Pass as `before` for the next, older page")


class ConversationOut(Schema):
    id: uuid.UUID
    account_id: uuid.UUID
    network: str
    kind: str
    status: str
    priority: str
    team: str
    assignee: str | None
    intent: str
    sentiment: str
    language: str
    preview: str
    message_count: int
    post_id: uuid.UUID | None
    first_message_at: dt.datetime
    last_message_at: dt.datetime
    first_responded_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    sla_breached: bool
    tags: list[str]


class ConversationDetailOut(ConversationOut):
    messages: list[MessageOut]


class ConversationPageOut(Schema):
    count: int
    items: list[ConversationOut]


class AssignIn(Schema):
    assignee: str | None = Field(None, max_length=254, description="E-mail or user id; null to unassign")
    team: Literal["community", "care", "support", "sales", "communications"] | None = None


class ReplyIn(Schema):
    text: str = Field(..., min_length=1, max_length=10_000, pattern=TEXT_PATTERN)
    in_reply_to: uuid.UUID | None = Field(None, description="The message answered; default the latest one")


class StatusIn(Schema):
    status: Literal["new", "assigned", "waiting", "resolved"]


class CrisisIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500, pattern=TEXT_PATTERN)


class CrisisOut(Schema):
    id: uuid.UUID
    reason: str
    started_at: dt.datetime
    ended_at: dt.datetime | None


def message_out(message: Message) -> MessageOut:
    return MessageOut(
        id=message.pk,
        conversation_id=message.conversation_id,
        account_id=message.account_id,
        direction=message.direction,  # type: ignore[arg-type]
        kind=message.kind,
        text=message.text,
        author_handle=message.author_handle,
        author_name=message.author_name,
        sentiment=SentimentOut(label=message.sentiment, score=message.sentiment_score),
        intent=message.intent,
        language=message.language,
        received_at=message.received_at,
        url=message.url,
        status=message.status,
    )


def conversation_out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(**_conversation_fields(conversation))


def _conversation_fields(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.pk,
        "account_id": conversation.account_id,
        "network": conversation.account.network,
        "kind": conversation.kind,
        "status": conversation.status,
        "priority": conversation.priority,
        "team": conversation.team,
        "assignee": conversation.assignee.email if conversation.assignee else None,
        "intent": conversation.intent,
        "sentiment": conversation.sentiment,
        "language": conversation.language,
        "preview": conversation.preview,
        "message_count": conversation.message_count,
        "post_id": conversation.post_id,
        "first_message_at": conversation.first_message_at,
        "last_message_at": conversation.last_message_at,
        "first_responded_at": conversation.first_responded_at,
        "first_response_due_at": conversation.first_response_due_at,
        "resolution_due_at": conversation.resolution_due_at,
        "sla_breached": conversation.sla_breached_at is not None,
        "tags": [tag.name for tag in conversation.tags.all()],
    }


def _conversation(access: Access, conversation_id: uuid.UUID) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("account", "assignee", "organization"),
        pk=conversation_id,
        organization=access.organization,
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _person(access: Access, reference: str | None) -> User | None:
    if not reference:
        return None
    match = Q(pk=reference) if _is_uuid(reference) else Q(email__iexact=reference)
    person = User.objects.filter(match).first()
    if person is None:
        raise Conflict(_("No such person."), "unknown_person")
    return person


@router.get(
    "/orgs/{org}/inbox/messages",
    response={200: MessagePageOut, **READ},
    summary="Messages from the public (and the team's answers), newest first",
)
def list_messages(
    request: HttpRequest,
    org: OrgSlug,
    account_id: uuid.UUID | None = None,
    conversation_id: uuid.UUID | None = None,
    before: dt.datetime | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),  # type: ignore[type-arg]
) -> MessagePageOut:
    access = api_access(request, org, "community.view")
    messages = Message.objects.filter(organization=access.organization)
    if account_id is not None:
        messages = messages.filter(account_id=account_id)
    if conversation_id is not None:
        messages = messages.filter(conversation_id=conversation_id)
    if before is not None:
        messages = messages.filter(received_at__lt=before)
    page = list(messages.order_by("-received_at")[:limit])
    return MessagePageOut(
        items=[message_out(message) for message in page],
        next_before=page[-1].received_at if len(page) == limit else None,
    )


@router.get(
    "/orgs/{org}/conversations",
    response={200: ConversationPageOut, **READ},
    summary="Conversations, most recent activity first, with filters",
)
def list_conversations(
    request: HttpRequest,
    org: OrgSlug,
    status: Literal["new", "assigned", "waiting", "resolved", "open"] | None = None,
    team: Literal["community", "care", "support", "sales", "communications"] | None = None,
    assignee: str | None = Query(None, max_length=254),  # type: ignore[type-arg]
    account_id: uuid.UUID | None = None,
    intent: str | None = Query(None, max_length=20),  # type: ignore[type-arg]
    sentiment: Literal["positive", "neutral", "negative"] | None = None,
    limit: int = Query(50, ge=1, le=MAX_PAGE),  # type: ignore[type-arg]
    offset: int = Query(0, ge=0, le=100_000),  # type: ignore[type-arg]
) -> ConversationPageOut:
    access = api_access(request, org, "community.view")
    conversations = Conversation.objects.filter(organization=access.organization)
    if status == "open":
        conversations = conversations.exclude(status=ConversationStatus.RESOLVED)
    elif status:
        conversations = conversations.filter(status=status)
    if team:
        conversations = conversations.filter(team=team)
    if assignee:
        match = Q(assignee__email__iexact=assignee)
        if _is_uuid(assignee):
            match |= Q(assignee_id=assignee)
        conversations = conversations.filter(match)
    if account_id:
        conversations = conversations.filter(account_id=account_id)
    if intent:
        conversations = conversations.filter(intent=intent)
    if sentiment:
        conversations = conversations.filter(sentiment=sentiment)
    page = conversations.select_related("account", "assignee").prefetch_related("tags")
    return ConversationPageOut(
        count=conversations.count(),
        items=[conversation_out(c) for c in page.order_by("-last_message_at")[offset : offset + limit]],
    )


@router.get(
    "/orgs/{org}/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **READ},
    summary="One conversation with its messages, oldest first",
)
def get_conversation(request: HttpRequest, org: OrgSlug, conversation_id: uuid.UUID) -> ConversationDetailOut:
    access = api_access(request, org, "community.view")
    conversation = _conversation(access, conversation_id)
    messages = conversation.messages.order_by("received_at")[:1000]
    return ConversationDetailOut(
        **_conversation_fields(conversation), messages=[message_out(message) for message in messages]
    )


@router.post(
    "/orgs/{org}/conversations/{conversation_id}/assign",
    response={200: ConversationOut, **CHANGE},
    summary="Give the conversation to a person (and team), or to nobody",
)
def assign_conversation(
    request: HttpRequest, org: OrgSlug, conversation_id: uuid.UUID, payload: AssignIn
) -> ConversationOut:
    access = api_access(request, org, "community.work")
    conversation = _conversation(access, conversation_id)
    person = _person(access, payload.assignee)
    return conversation_out(
        conversation_service.assign(access, conversation, person=person, team=payload.team)
    )


@router.post(
    "/orgs/{org}/conversations/{conversation_id}/reply",
    response={202: MessageOut, **CHANGE},
    summary="Answer in the thread on the network (queued; held for approval when the organization asks)",
)
def reply_to_conversation(
    request: HttpRequest, org: OrgSlug, conversation_id: uuid.UUID, payload: ReplyIn
) -> Status[MessageOut]:
    access = api_access(request, org, "community.work")
    conversation = _conversation(access, conversation_id)
    target = None
    if payload.in_reply_to is not None:
        target = get_object_or_404(Message, pk=payload.in_reply_to, conversation=conversation)
    try:
        answer = write_answer(access, conversation, payload.text, in_reply_to=target)
    except AnswerInvalid as invalid:
        raise Conflict(str(invalid), "invalid_answer") from None
    return Status(202, message_out(answer))


@router.post(
    "/orgs/{org}/conversations/{conversation_id}/resolve",
    response={200: ConversationOut, **CHANGE},
    summary="Mark the conversation resolved",
)
def resolve_conversation(request: HttpRequest, org: OrgSlug, conversation_id: uuid.UUID) -> ConversationOut:
    access = api_access(request, org, "community.work")
    return conversation_out(conversation_service.resolve(access, _conversation(access, conversation_id)))


@router.post(
    "/orgs/{org}/conversations/{conversation_id}/status",
    response={200: ConversationOut, **CHANGE},
    summary="Set the conversation's status",
)
def set_conversation_status(
    request: HttpRequest, org: OrgSlug, conversation_id: uuid.UUID, payload: StatusIn
) -> ConversationOut:
    access = api_access(request, org, "community.work")
    conversation = _conversation(access, conversation_id)
    return conversation_out(conversation_service.set_status(access, conversation, payload.status))


@router.post(
    "/orgs/{org}/inbox/messages/{message_id}/{action}",
    response={200: MessageOut, **CHANGE, 502: Error},
    summary="Like, hide or delete a message from the public on the network",
)
def moderate_message(
    request: HttpRequest, org: OrgSlug, message_id: uuid.UUID, action: Literal["like", "hide", "delete"]
) -> MessageOut | Status[dict[str, Any]]:
    access = api_access(request, org, "community.work")
    message = get_object_or_404(
        Message.objects.select_related("account", "conversation", "organization"),
        pk=message_id,
        organization=access.organization,
    )
    try:
        return message_out(moderate(access, message, action))
    except ConnectorError as error:
        return Status(502, {"error": {"code": "network_refused", "message": error.message, "fields": {}}})


def _crisis_out(crisis: Any) -> CrisisOut:
    return CrisisOut(
        id=crisis.pk, reason=crisis.reason, started_at=crisis.created_at, ended_at=crisis.ended_at
    )


@router.post(
    "/orgs/{org}/crisis/start",
    response={201: CrisisOut, **CHANGE},
    summary="Turn on crisis mode: scheduled publishing pauses and the crisis room opens",
)
def start_crisis(request: HttpRequest, org: OrgSlug, payload: CrisisIn) -> Status[CrisisOut]:
    access = api_access(request, org, "publishing.pause")
    return Status(
        201, _crisis_out(crisis_service.start_crisis(access, access.organization, reason=payload.reason))
    )


@router.post(
    "/orgs/{org}/crisis/lift",
    response={200: CrisisOut, **CHANGE},
    summary="Lift crisis mode (publishing resumes); logged",
)
def lift_crisis(request: HttpRequest, org: OrgSlug) -> CrisisOut:
    access = api_access(request, org, "publishing.pause")
    crisis = crisis_service.active_crisis(access.organization)
    if crisis is None:
        raise Conflict(_("Crisis mode is not on."), "not_on")
    return _crisis_out(crisis_service.lift_crisis(access, crisis))
