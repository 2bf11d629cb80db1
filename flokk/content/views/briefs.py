"""Briefs: list, create, edit, detail (tasks, posts), transitions, attachments, posts from a brief."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from flokk.channels.networks import Network
from flokk.content.choices import BriefStatus
from flokk.content.forms.briefs import BriefForm, TaskForm, add_errors
from flokk.content.models import Brief, BriefAttachment
from flokk.content.services.approval import ApprovalConflict
from flokk.content.services.briefs import (
    EDITABLE,
    allowed_actions,
    create_brief,
    create_post_from_brief,
    remove_brief_attachment,
    transition_brief,
    update_brief,
)
from flokk.content.services.production import allowed_moves
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

MANAGE = "production_management.work"
ACTION_LABELS = {
    "order": gettext_lazy("Brief sent to the producers."),
    "deliver": gettext_lazy("Brief marked delivered."),
    "reopen": gettext_lazy("Brief reopened."),
    "cancel": gettext_lazy("Brief cancelled."),
}


@org_permission("production.view")
def brief_list(request: OrgRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    briefs = Brief.objects.for_org(request.org).select_related("campaign", "created_by")
    if status in BriefStatus.values:
        briefs = briefs.filter(status=status)
    else:
        status = ""
    context = {"briefs": briefs, "status": status, "statuses": BriefStatus.choices}
    return render_page(request, "content/pages/briefs.html", context)


def _save(request: OrgRequest, form: BriefForm, brief: Brief | None) -> Brief | None:
    if not form.is_valid():
        return None
    try:
        if brief is None:
            return create_brief(request.org, form.to_input(), actor=request.user, attachments=form.uploads())
        return update_brief(brief, form.to_input(), actor=request.user, attachments=form.uploads())
    except ValidationError as error:
        add_errors(form, error)
    except ApprovalConflict as error:
        form.add_error(None, error.message)
    return None


@org_permission(MANAGE)
def brief_create(request: OrgRequest) -> HttpResponse:
    form = BriefForm(request.POST or None, request.FILES or None, organization=request.org)
    if request.method == "POST":
        brief = _save(request, form, None)
        if brief is not None:
            messages.success(request, _("Brief created."))
            return redirect("content:brief_detail", request.org.slug, brief.pk)
        return render_page(request, "content/pages/brief_form.html", {"form": form}, status=400)
    return render_page(request, "content/pages/brief_form.html", {"form": form})


@org_permission(MANAGE)
def brief_edit(request: OrgRequest, brief_id: str) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.for_org(request.org), pk=brief_id)
    if brief.status not in EDITABLE:
        messages.error(request, _("This brief can no longer be edited."))
        return redirect("content:brief_detail", request.org.slug, brief.pk)
    form = BriefForm(
        request.POST or None,
        request.FILES or None,
        organization=request.org,
        brief=brief,
        initial=BriefForm.initial_for(brief),
    )
    context = {"form": form, "brief": brief}
    if request.method == "POST":
        if _save(request, form, brief) is not None:
            messages.success(request, _("Brief saved."))
            return redirect("content:brief_detail", request.org.slug, brief.pk)
        return render_page(request, "content/pages/brief_form.html", context, status=400)
    return render_page(request, "content/pages/brief_form.html", context)


@org_permission("production.view")
def brief_detail(request: OrgRequest, brief_id: str) -> HttpResponse:
    brief = get_object_or_404(
        Brief.objects.for_org(request.org).select_related("campaign", "goal", "created_by"), pk=brief_id
    )
    tasks = list(brief.tasks.select_related("assignee", "role"))
    cards = [{"task": task, "moves": allowed_moves(task, request.perms)} for task in tasks]
    context: dict[str, Any] = {
        "brief": brief,
        "networks": [Network(value).label for value in brief.networks if value in Network.values],
        "cards": cards,
        "posts": brief.posts.order_by("-created_at"),
        "attachments": brief.attachments.all(),
        "assets": brief.assets.all(),
        "actions": allowed_actions(brief) if request.perms.has(MANAGE) else [],
        "editable": brief.status in EDITABLE,
        "task_form": TaskForm(organization=request.org) if request.perms.has(MANAGE) else None,
    }
    return render_page(request, "content/pages/brief_detail.html", context)


@require_POST
@org_permission(MANAGE)
def brief_transition(request: OrgRequest, brief_id: str, action: str) -> HttpResponse:
    if action not in ACTION_LABELS:
        raise Http404("no such action")
    brief = get_object_or_404(Brief.objects.for_org(request.org), pk=brief_id)
    try:
        transition_brief(brief, action, actor=request.user)
    except ApprovalConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, ACTION_LABELS[action])
    return redirect("content:brief_detail", request.org.slug, brief.pk)


@require_POST
@org_permission("production.work")
def brief_new_post(request: OrgRequest, brief_id: str) -> HttpResponse:
    brief = get_object_or_404(Brief.objects.for_org(request.org), pk=brief_id)
    try:
        post = create_post_from_brief(brief, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ApprovalConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Draft post created from the brief."))
        return redirect("content:post_edit", request.org.slug, post.pk)
    return redirect("content:brief_detail", request.org.slug, brief.pk)


@org_permission("production.view")
def brief_attachment_file(request: OrgRequest, brief_id: str, attachment_id: str) -> HttpResponse:
    """The document, only to members who may see production; always downloaded, never shown inline."""
    attachment = get_object_or_404(
        BriefAttachment.objects.filter(organization=request.org, brief_id=brief_id), pk=attachment_id
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(
        handle, content_type=attachment.mime_type, as_attachment=True, filename=attachment.original_name
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]


@require_POST
@org_permission(MANAGE)
def brief_attachment_delete(request: OrgRequest, brief_id: str, attachment_id: str) -> HttpResponse:
    attachment = get_object_or_404(
        BriefAttachment.objects.filter(organization=request.org, brief_id=brief_id).select_related("brief"),
        pk=attachment_id,
    )
    try:
        remove_brief_attachment(attachment, actor=request.user)
    except ApprovalConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("content:brief_detail", request.org.slug, brief_id)
