"""Posts: list, write (with live checks and previews per network), read, version history."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.channels.networks import RULES, Network
from flokk.content.forms import PostForm, add_service_errors
from flokk.content.models import Post
from flokk.content.services.checks import Check, VariantDraft
from flokk.content.services.posts import check_drafts, create_post, draft_of, post_checks, update_post
from flokk.content.services.scheduling import require_future
from flokk.content.services.versions import as_text, diff_html
from flokk.content.views.approval import approval_context
from flokk.core.rendering import render_page
from flokk.publishing.services.status import delivery_context
from flokk.teams.permissions import OrgRequest, org_permission


def _panels(drafts: list[VariantDraft], checks: dict[str, list[Check]]) -> list[dict[str, Any]]:
    from flokk.content.services.checks import composed_text, counted_length

    return [
        {
            "network": draft.network,
            "label": Network(draft.network).label,
            "draft": draft,
            "composed": composed_text(draft),
            "length": counted_length(draft, RULES[draft.network]),
            "limit": RULES[draft.network].max_text_graphemes,
            "link_card": bool(draft.link) and RULES[draft.network].link_preview,
            "checks": checks.get(draft.network, []),
        }
        for draft in drafts
    ]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@org_permission("production.view")
def post_list(request: OrgRequest) -> HttpResponse:
    posts = Post.objects.for_org(request.org).with_details()
    return render_page(request, "content/pages/posts.html", {"posts": posts})


def _save(request: OrgRequest, form: PostForm, post: Post | None) -> Post | None:
    if not form.is_valid():
        return None
    try:
        if post is None:
            return create_post(request.org, form.to_input(), actor=request.user)
        return update_post(post, form.to_input(), actor=request.user)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@org_permission("production.work")
def post_create(request: OrgRequest) -> HttpResponse:
    form = PostForm(request.POST or None, organization=request.org)
    if request.method == "POST":
        post = _save(request, form, None)
        if post is not None:
            messages.success(request, _("Post saved as a draft."))
            return redirect("content:post_detail", org=request.org.slug, post_id=post.pk)
        return render_page(request, "content/pages/post_form.html", {"form": form}, status=400)
    return render_page(request, "content/pages/post_form.html", {"form": form})


@org_permission("production.work")
def post_edit(request: OrgRequest, post_id: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org).with_details(), pk=post_id)
    if not post.is_editable():
        messages.error(request, _("This post can no longer be edited."))
        return redirect("content:post_detail", org=request.org.slug, post_id=post.pk)
    form = PostForm(request.POST or None, organization=request.org, initial=PostForm.initial_for(post))
    context = {"form": form, "post": post}
    if request.method == "POST":
        if _save(request, form, post) is not None:
            messages.success(request, _("Post saved."))
            return redirect("content:post_detail", org=request.org.slug, post_id=post.pk)
        return render_page(request, "content/pages/post_form.html", context, status=400)
    return render_page(request, "content/pages/post_form.html", context)


@require_POST
@org_permission("production.work")
def post_check(request: OrgRequest) -> HttpResponse:
    """The live panel of the editor: checks and a preview per network of what is typed, nothing saved."""
    form = PostForm(request.POST, organization=request.org)
    form.is_valid()
    drafts = form.drafts()
    post_id = request.POST.get("post_id", "")
    post = Post.objects.for_org(request.org).filter(pk=post_id).first() if _is_uuid(post_id) else None
    scheduled_at = form.cleaned_data.get("scheduled_at")
    checks = check_drafts(request.org, drafts, exclude_post=post, scheduled_at=scheduled_at)
    schedule_error = ""
    if "scheduled_at" in form.errors:
        schedule_error = " ".join(str(message) for message in form.errors["scheduled_at"])
    elif form.cleaned_data.get("scheduled_at"):
        try:
            require_future(form.cleaned_data["scheduled_at"])
        except ValidationError as error:
            schedule_error = " ".join(error.messages)
    return render_page(
        request,
        "content/partials/live.html",
        {"panels": _panels(drafts, checks), "schedule_error": schedule_error},
        partial="content/partials/live.html",
    )


@org_permission("production.view")
def post_detail(request: OrgRequest, post_id: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org).with_details(), pk=post_id)
    variants = list(post.variants.all())
    panels = _panels([draft_of(v) for v in variants], post_checks(post))
    for panel, variant in zip(panels, variants, strict=True):
        panel["assets"] = list(variant.assets.all())
    context = {
        "post": post,
        "panels": panels,
        **approval_context(request, post),
        **delivery_context(post, request.perms),
    }
    return render_page(request, "content/pages/post_detail.html", context)


@org_permission("production.view")
def post_versions(request: OrgRequest, post_id: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org), pk=post_id)
    versions = list(post.versions.select_related("author").order_by("number"))
    rows = []
    previous = ""
    for version in versions:
        current = as_text(version.snapshot)
        rows.append(
            {"version": version, "diff": diff_html(previous, current) if previous else None, "text": current}
        )
        previous = current
    rows.reverse()
    return render_page(request, "content/pages/post_versions.html", {"post": post, "rows": rows})
