"""The organization's network accounts: list, add a sandbox account, connect Mastodon, rename, disconnect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.channels.forms import RenameAccountForm, SandboxAccountForm
from flokk.channels.models import Account
from flokk.channels.services.accounts import add_sandbox_account, disconnect_account, rename_account
from flokk.channels.services.apps import connect_networks
from flokk.channels.services.mastodon import start_mastodon_connection
from flokk.channels.services.oauth import OAuthFlowError
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


def _page(
    request: OrgRequest,
    form: SandboxAccountForm,
    status: int = 200,
    *,
    mastodon_instance: str = "",
    mastodon_error: str = "",
) -> HttpResponse:
    accounts = Account.objects.for_org(request.org).select_related("created_by")
    return render_page(
        request,
        "channels/pages/accounts.html",
        {
            "accounts": accounts,
            "form": form,
            "connect_networks": connect_networks(request.org),
            "mastodon_instance": mastodon_instance,
            "mastodon_error": mastodon_error,
        },
        status=status,
    )


@org_permission("administration.view")
def account_list(request: OrgRequest) -> HttpResponse:
    return _page(request, SandboxAccountForm())


@require_POST
@org_permission("administration.manage")
def account_add_sandbox(request: OrgRequest) -> HttpResponse:
    form = SandboxAccountForm(request.POST)
    if form.is_valid():
        try:
            add_sandbox_account(
                request.org,
                handle=form.cleaned_data["handle"],
                display_name=form.cleaned_data["display_name"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Sandbox account added. Nothing is published from it."))
            return redirect("channels:accounts", org=request.org.slug)
    return _page(request, form, status=400)


@require_POST
@org_permission("administration.manage")
def account_connect_mastodon(request: OrgRequest) -> HttpResponse:
    instance_url = request.POST.get("instance_url", "")[:500]
    try:
        url = start_mastodon_connection(request.org, instance_url, actor=request.user)
    except ValidationError as error:
        message = " ".join(error.messages)
    except OAuthFlowError as error:
        message = error.message
    else:
        return redirect(url)
    return _page(
        request, SandboxAccountForm(), status=400, mastodon_instance=instance_url, mastodon_error=message
    )


@require_POST
@org_permission("administration.manage")
def account_rename(request: OrgRequest, account_id: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_org(request.org), pk=account_id)
    form = RenameAccountForm(request.POST)
    if form.is_valid():
        try:
            rename_account(account, display_name=form.cleaned_data["display_name"], actor=request.user)
            messages.success(request, _("Account renamed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("channels:accounts", org=request.org.slug)


@require_POST
@org_permission("administration.manage")
def account_disconnect(request: OrgRequest, account_id: str) -> HttpResponse:
    account = get_object_or_404(Account.objects.for_org(request.org), pk=account_id)
    disconnect_account(account, actor=request.user)
    messages.success(request, _("Account disconnected."))
    return redirect("channels:accounts", org=request.org.slug)
