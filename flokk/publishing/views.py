"""The publishing page: the crisis switch, paused accounts, what goes out next, what needs attention."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.core.rendering import perform, render_page
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.forms import PauseForm
from flokk.publishing.models import Delivery
from flokk.publishing.services.pause import (
    active_pause,
    pause_account,
    pause_publishing,
    resume_account,
    resume_publishing,
)
from flokk.publishing.services.planning import publish_now
from flokk.teams.permissions import OrgRequest, org_permission

ATTENTION = (DeliveryStatus.FAILED, DeliveryStatus.HELD)


def _page(request: OrgRequest, form: PauseForm, status: int = 200) -> HttpResponse:
    org = request.org
    week_ago = timezone.now() - dt.timedelta(days=7)
    context = {
        "pause": active_pause(org),
        "can_pause": request.perms.has("publishing.pause"),
        "form": form,
        "accounts": Account.objects.for_org(org).exclude(status=AccountStatus.DISCONNECTED),
        "upcoming": Post.objects.for_org(org)
        .filter(status=PostStatus.SCHEDULED)
        .order_by("scheduled_at")
        .prefetch_related("variants", "accounts")[:20],
        "attention": Delivery.objects.for_org(org)
        .filter(status__in=ATTENTION, updated_at__gte=week_ago)
        .select_related("account", "post")
        .prefetch_related("post__variants")
        .order_by("-updated_at")[:50],
    }
    return render_page(request, "publishing/pages/overview.html", context, status=status)


@org_permission("production.view")
def publishing_overview(request: OrgRequest) -> HttpResponse:
    return _page(request, PauseForm())


@require_POST
@org_permission("publishing.pause")
def pause(request: OrgRequest) -> HttpResponse:
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    perform(
        request,
        lambda: pause_publishing(request.org, reason=form.cleaned_data["reason"], actor=request.user),
        success=_("Publishing is paused. Nothing goes out until someone resumes it."),
    )
    return redirect("publishing:overview", org=request.org.slug)


@require_POST
@org_permission("publishing.pause")
def resume(request: OrgRequest) -> HttpResponse:
    perform(
        request,
        lambda: resume_publishing(request.org, actor=request.user),
        success=_("Publishing resumed. Posts that fell due meanwhile go out now."),
    )
    return redirect("publishing:overview", org=request.org.slug)


@require_POST
@org_permission("publishing.pause")
def account_pause(request: OrgRequest, account_id: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_org(request.org), pk=account_id)
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    perform(
        request,
        lambda: pause_account(account, reason=form.cleaned_data["reason"], actor=request.user),
        success=_("Publishing to %(account)s is paused.") % {"account": account},
    )
    return redirect("publishing:overview", org=request.org.slug)


@require_POST
@org_permission("publishing.pause")
def account_resume(request: OrgRequest, account_id: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_org(request.org), pk=account_id)
    perform(
        request,
        lambda: resume_account(account, actor=request.user),
        success=_("Publishing to %(account)s resumed.") % {"account": account},
    )
    return redirect("publishing:overview", org=request.org.slug)


@require_POST
@org_permission("planning.work")
def post_publish_now(request: OrgRequest, post_id: str) -> HttpResponse:
    post = get_object_or_404(Post.objects.for_org(request.org), pk=post_id)
    perform(
        request,
        lambda: publish_now(post, actor=request.user),
        success=_("The post goes out now. Its deliveries show how it went."),
    )
    return redirect("content:post_detail", org=request.org.slug, post_id=post.pk)
