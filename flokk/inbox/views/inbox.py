"""The inbox page: the filtered list (refreshed by htmx polling), a conversation, and what people do to it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.channels.connectors.base import ConnectorError
from flokk.channels.models import Account
from flokk.core.rendering import is_htmx, perform, render_page
from flokk.inbox.choices import OutboundStatus
from flokk.inbox.forms import AssignForm, FilterForm, NoteForm, ReplyForm, StatusForm, TagsForm
from flokk.inbox.models import Conversation, Message, SavedReply
from flokk.inbox.services import conversations as actions
from flokk.inbox.services import queries
from flokk.inbox.services.crisis import active_crisis
from flokk.inbox.services.moderation import ACTIONS, can, moderate
from flokk.inbox.services.replies import (
    AnswerInvalid,
    approve_answer,
    needs_approval,
    reject_answer,
    retry_answer,
    write_answer,
)
from flokk.inbox.services.team import people_with
from flokk.teams.permissions import OrgRequest, org_permission


def _filters(request: OrgRequest) -> dict[str, object]:
    form = FilterForm(request.GET)
    form.is_valid()  # unknown or malformed filters are dropped, never an error
    return {name: value for name, value in form.cleaned_data.items() if value}


@org_permission("community.view")
def inbox(request: OrgRequest) -> HttpResponse:
    filters = _filters(request)
    conversations = queries.filtered_conversations(request.org, request.user, filters)
    page = queries.conversation_page(conversations, _before(request.GET.get("before", "")))
    context = {
        "filter_form": FilterForm(request.GET),
        "conversations": page,
        "more": len(page) == queries.PAGE,
        "query": request.GET.urlencode(),
        "accounts": Account.objects.for_org(request.org).order_by("network", "handle"),
        "crisis": active_crisis(request.org),
        "selected": request.GET.get("c", ""),
    }
    return render_page(request, "inbox/pages/inbox.html", context, partial="inbox/partials/list.html")


def _conversation(request: OrgRequest, conversation_id: uuid.UUID) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("account", "assignee", "contact", "post"),
        pk=conversation_id,
        organization=request.org,
    )


def _people(request: OrgRequest) -> list[tuple[str, str]]:
    return [
        (str(person.pk), person.name or person.email) for person in people_with(request.org, "community.work")
    ]


def _detail(
    request: OrgRequest, conversation: Conversation, *, reply_form: ReplyForm | None = None, status: int = 200
) -> HttpResponse:
    thread = queries.thread(conversation)
    for message in thread:  # what can still be done to each message on its network
        message.account = conversation.account
        message.allowed_actions = [  # type: ignore[attr-defined]
            name for name in ACTIONS if can(message, name) and getattr(message, ACTIONS[name][2]) is None
        ]
    saved = SavedReply.objects.filter(organization=request.org)
    context = {
        "conversation": conversation,
        "thread": thread,
        "history": queries.history(conversation),
        "notes": conversation.notes.select_related("author"),
        "reply_form": reply_form or ReplyForm(),
        "assign_form": AssignForm(
            people=_people(request),
            initial={"assignee": str(conversation.assignee_id or ""), "team": conversation.team},
        ),
        "status_form": StatusForm(initial={"status": conversation.status}),
        "tags_form": TagsForm(initial={"tags": ", ".join(tag.name for tag in conversation.tags.all())}),
        "note_form": NoteForm(),
        "saved_replies": [(reply, reply.text_for(conversation.language)) for reply in saved],
        "held_for_approval": needs_approval(request.perms),
        "can_work": request.perms.has("community.work"),
        "can_approve": request.perms.has("community.approve"),
        "pending": OutboundStatus.PENDING_APPROVAL,
        "failed": OutboundStatus.FAILED,
    }
    return render_page(
        request,
        "inbox/pages/conversation.html",
        context,
        partial="inbox/partials/conversation.html",
        status=status,
    )


@org_permission("community.view")
def conversation_detail(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    return _detail(request, _conversation(request, conversation_id))


def _back(request: OrgRequest, conversation: Conversation) -> HttpResponse:
    if is_htmx(request):
        return _detail(request, _conversation(request, conversation.pk))
    return redirect("inbox:conversation", org=request.org.slug, conversation_id=conversation.pk)


@require_POST
@org_permission("community.work")
def reply(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, conversation, reply_form=form, status=400)
    target = None
    if form.cleaned_data["in_reply_to"]:
        target = get_object_or_404(Message, pk=form.cleaned_data["in_reply_to"], conversation=conversation)
    try:
        answer = write_answer(request.perms, conversation, form.cleaned_data["text"], in_reply_to=target)
    except AnswerInvalid as invalid:
        form.add_error("text", str(invalid))
        return _detail(request, conversation, reply_form=form, status=400)
    if answer.status == OutboundStatus.PENDING_APPROVAL:
        messages.success(request, _("Your answer waits for approval before it is sent."))
    else:
        messages.success(request, _("Your answer is on its way."))
    return _back(request, conversation)


@require_POST
@org_permission("community.work")
def assign(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    people = _people(request)
    form = AssignForm(request.POST, people=people)
    if request.POST.get("me"):
        form = AssignForm({"assignee": str(request.user.pk), "team": conversation.team}, people=people)
    if form.is_valid():
        person = next(
            (
                p
                for p in people_with(request.org, "community.work")
                if str(p.pk) == form.cleaned_data["assignee"]
            ),
            None,
        )
        perform(
            request,
            lambda: actions.assign(
                request.perms, conversation, person=person, team=form.cleaned_data["team"] or None
            ),
            success=_("Assigned."),
        )
    else:
        messages.error(request, _("Choose someone who works in the inbox."))
    return _back(request, conversation)


def _act(
    request: OrgRequest,
    conversation_id: uuid.UUID,
    form_class: type[forms.Form],
    action: Callable[[Conversation, dict[str, Any]], object],
    success: str,
) -> HttpResponse:
    """A small change to a conversation from a form: validate, call the service, report, show it again."""
    conversation = _conversation(request, conversation_id)
    form = form_class(request.POST)
    if form.is_valid():
        perform(request, lambda: action(conversation, form.cleaned_data), success=success)
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return _back(request, conversation)


@require_POST
@org_permission("community.work")
def set_status(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        StatusForm,
        lambda conversation, data: actions.set_status(request.perms, conversation, data["status"]),
        _("Status changed."),
    )


@require_POST
@org_permission("community.work")
def tags(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        TagsForm,
        lambda conversation, data: actions.set_tags(request.perms, conversation, data["tags"].split(",")),
        _("Tags saved."),
    )


@require_POST
@org_permission("community.work")
def note(request: OrgRequest, conversation_id: uuid.UUID) -> HttpResponse:
    return _act(
        request,
        conversation_id,
        NoteForm,
        lambda conversation, data: actions.add_note(request.perms, conversation, data["text"]),
        _("Note added."),
    )


def _answer(request: OrgRequest, message_id: uuid.UUID) -> Message:
    return get_object_or_404(
        Message.objects.select_related("conversation", "account", "organization"),
        pk=message_id,
        organization=request.org,
    )


@require_POST
@org_permission("community.approve")
def approve(request: OrgRequest, message_id: uuid.UUID) -> HttpResponse:
    answer = _answer(request, message_id)
    perform(
        request,
        lambda: approve_answer(request.perms, answer),
        success=_("Approved; the answer is on its way."),
    )
    return _back(request, answer.conversation)


@require_POST
@org_permission("community.approve")
def reject(request: OrgRequest, message_id: uuid.UUID) -> HttpResponse:
    answer = _answer(request, message_id)
    perform(request, lambda: reject_answer(request.perms, answer), success=_("The answer was rejected."))
    return _back(request, answer.conversation)


@require_POST
@org_permission("community.work")
def retry(request: OrgRequest, message_id: uuid.UUID) -> HttpResponse:
    answer = _answer(request, message_id)
    perform(request, lambda: retry_answer(request.perms, answer), success=_("The answer will be sent again."))
    return _back(request, answer.conversation)


@require_POST
@org_permission("community.work")
def moderate_message(request: OrgRequest, message_id: uuid.UUID, action: str) -> HttpResponse:
    message = _answer(request, message_id)
    done = {"like": _("Liked."), "hide": _("Hidden on the network."), "delete": _("Deleted on the network.")}
    if action not in done:
        messages.error(request, _("Unknown action."))
        return _back(request, message.conversation)
    try:
        perform(request, lambda: moderate(request.perms, message, action), success=done[action])
    except ConnectorError as error:
        messages.error(request, _("The network refused: %(reason)s") % {"reason": error.message})
    return _back(request, message.conversation)


def _before(value: str) -> dt.datetime | None:
    """The list's "older" cursor; anything malformed means the first page."""
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None
