"""Connecting accounts through a network's OAuth: the connect button, the one callback, the pick page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.apps import CONFIGURABLE_NETWORKS, network_apps_by_network
from flokk.channels.services.oauth import (
    OAuthFlowError,
    complete_authorization,
    connect_chosen,
    pending_choice,
    start_authorization,
)
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, UserRequest, org_permission


def _failed(request: UserRequest, message: str) -> HttpResponse:
    return render_page(request, "channels/pages/oauth_error.html", {"message": message}, status=400)


@require_POST
@org_permission("administration.manage")
def connect_start(request: OrgRequest, network: str) -> HttpResponse:
    if network not in CONFIGURABLE_NETWORKS:
        raise Http404("no such network")
    app = network_apps_by_network(request.org).get(network)
    if app is None:
        messages.error(
            request,
            _("Set up the organization's %(network)s app first.") % {"network": Network(network).label},
        )
        return redirect("channels:network_apps", org=request.org.slug)
    try:
        url = start_authorization(app, actor=request.user)
    except OAuthFlowError as error:
        messages.error(request, error.message)
        return redirect("channels:accounts", org=request.org.slug)
    return redirect(url)


def _connected(request: UserRequest, accounts: list[Account], org_slug: str) -> HttpResponse:
    names = ", ".join(str(account) for account in accounts)
    messages.success(
        request,
        ngettext("Connected %(accounts)s.", "Connected %(accounts)s.", len(accounts)) % {"accounts": names},
    )
    return redirect("channels:accounts", org=org_slug)


@login_required
def oauth_callback(request: UserRequest) -> HttpResponse:
    try:
        outcome = complete_authorization(
            user=request.user,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
            error_description=request.GET.get("error_description", ""),
        )
    except OAuthFlowError as error:
        return _failed(request, error.message)
    if outcome.choose is not None:
        return redirect("channels:oauth_choose", state_id=outcome.choose.pk)
    return _connected(request, outcome.accounts, outcome.organization.slug)


@login_required
def oauth_choose(request: UserRequest, state_id: str) -> HttpResponse:
    if request.method == "POST":
        try:
            outcome = connect_chosen(
                state_id, user=request.user, remote_ids=request.POST.getlist("remote_id")
            )
        except OAuthFlowError as error:
            messages.error(request, error.message)
        else:
            return _connected(request, outcome.accounts, outcome.organization.slug)
    try:
        pending, identities = pending_choice(state_id, user=request.user)
    except OAuthFlowError as error:
        return _failed(request, error.message)
    return render_page(
        request,
        "channels/pages/oauth_choose.html",
        {
            "pending": pending,
            "network": Network(pending.app.network).label,
            "identities": identities,
            "organization": pending.organization,
        },
    )
