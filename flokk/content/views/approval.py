"""Approval buttons on the post page, the one-time link creation, and the public signed-link page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.content.models import Post
from flokk.content.services.approval import (
    ApprovalConflict,
    ApprovalLinkExpired,
    ApprovalLinkInvalid,
    approve_step,
    create_approval_link,
    may_decide,
    open_round,
    reject,
    request_changes,
    resolve_approval_link,
    submit_for_approval,
)
from flokk.content.services.posts import post_checks
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

NAME_MAX = 200
COMMENT_MAX = 5000


def approval_context(request: OrgRequest, post: Post) -> dict[str, Any]:
    """What the approval panel on the post page shows: the latest round, its history, the allowed buttons."""
    latest = post.approval_rounds.order_by("-created_at").first()
    current = open_round(post)
    return {
        "approval_round": latest,
        "approval_steps": [step["name"] for step in latest.steps] if latest else [],
        "approval_decisions": list(latest.decisions.select_related("approver")) if latest else [],
        "approval_comments": list(post.approval_comments.select_related("author")),
        "may_decide": current is not None and may_decide(request.user, current),
    }


def _act(request: OrgRequest, post_id: str, action: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org), pk=post_id)
    comment = request.POST.get("comment", "")[:COMMENT_MAX]
    successes = {
        "submit": _("Submitted for approval."),
        "approve": _("Approved."),
        "request_changes": _("Changes requested."),
        "reject": _("Rejected."),
    }
    try:
        if action == "submit":
            request.perms.require("production.work")
            submit_for_approval(post, actor=request.user)
        elif action == "approve":
            approve_step(post, actor=request.user, comment=comment)
        elif action == "request_changes":
            request_changes(post, actor=request.user, comment=comment)
        else:
            reject(post, actor=request.user, comment=comment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ApprovalConflict as error:
        messages.error(request, error.message)
    else:
        messages.success(request, successes[action])
    return redirect("content:post_detail", request.org.slug, post.pk)


@require_POST
@org_permission("production.view")
def post_approval_action(request: OrgRequest, post_id: str, action: str) -> HttpResponse:
    if action not in {"submit", "approve", "request_changes", "reject"}:
        raise PermissionDenied(action)
    return _act(request, post_id, action)


@require_POST
@org_permission("production.approve")
def post_approval_link(request: OrgRequest, post_id: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org), pk=post_id)
    recipient = request.POST.get("recipient", "")[:NAME_MAX]
    try:
        token = create_approval_link(post, recipient=recipient, actor=request.user)
    except (ValidationError, ApprovalConflict) as error:
        text = error.message if isinstance(error, ApprovalConflict) else " ".join(error.messages)
        messages.error(request, text)
        return redirect("content:post_detail", request.org.slug, post.pk)
    link = request.build_absolute_uri(reverse("content:approval_link", args=[token]))
    return render_page(request, "content/pages/approval_link_created.html", {"post": post, "link": link})


def approval_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """Public: an external approver reviews the post and approves or requests changes, without an account."""
    try:
        link = resolve_approval_link(token)
    except ApprovalLinkInvalid:
        return render(request, "content/pages/approval_link_gone.html", {"expired": False}, status=404)
    except ApprovalLinkExpired:
        return render(request, "content/pages/approval_link_gone.html", {"expired": True}, status=410)
    post = link.round.post
    context: dict[str, Any] = {
        "post": post,
        "link": link,
        "step_name": link.round.steps[link.step]["name"],
        "variants": list(post.variants.all()),
        "checks": post_checks(post),
        "name": link.recipient,
    }
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:NAME_MAX]
        comment = request.POST.get("comment", "")[:COMMENT_MAX]
        context["name"] = name
        if not name:
            context["error"] = _("Enter your name.")
            return render(request, "content/pages/approval_link.html", context, status=400)
        external = f"{name} ({link.recipient})" if name != link.recipient else name
        try:
            if request.POST.get("decision") == "request_changes":
                request_changes(post, external=external, link=link, comment=comment)
            else:
                approve_step(post, external=external, link=link, comment=comment)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "content/pages/approval_link.html", context, status=400)
        except (ApprovalLinkExpired, ApprovalConflict):
            return render(request, "content/pages/approval_link_gone.html", {"expired": True}, status=410)
        return render(request, "content/pages/approval_link_done.html", {"post": post})
    return render(request, "content/pages/approval_link.html", context)
