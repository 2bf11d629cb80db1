"""The organization's own apps on the OAuth networks: client id, write-only secret, LinkedIn version."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.channels.forms import NetworkAppForm
from flokk.channels.networks import Network
from flokk.channels.services.apps import (
    CONFIGURABLE_NETWORKS,
    WEBHOOK_NETWORKS,
    delete_network_app,
    network_apps_by_network,
    redirect_uri,
    save_network_app,
    webhook_url,
)
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


def _page(
    request: OrgRequest, bound: tuple[str, NetworkAppForm] | None = None, status: int = 200
) -> HttpResponse:
    apps = network_apps_by_network(request.org)
    rows = []
    for network in CONFIGURABLE_NETWORKS:
        app = apps.get(network)
        if bound is not None and bound[0] == network:
            form = bound[1]
        else:
            initial = {"client_id": app.client_id} if app else {}
            if network == Network.LINKEDIN:
                initial["linkedin_version"] = (
                    app.options.get("linkedin_version") if app else None
                ) or settings.FLOKK_LINKEDIN_VERSION
            form = NetworkAppForm(initial=initial, prefix=network)
        rows.append(
            {
                "network": network,
                "label": Network(network).label,
                "app": app,
                "form": form,
                "webhook_url": webhook_url(app) if app and network in WEBHOOK_NETWORKS else "",
            }
        )
    return render_page(
        request,
        "channels/pages/network_apps.html",
        {"rows": rows, "redirect_uri": redirect_uri()},
        status=status,
    )


@org_permission("administration.manage")
def network_app_list(request: OrgRequest) -> HttpResponse:
    return _page(request)


@require_POST
@org_permission("administration.manage")
def network_app_save(request: OrgRequest, network: str) -> HttpResponse:
    if network not in CONFIGURABLE_NETWORKS:
        raise Http404("no such network")
    form = NetworkAppForm(request.POST, prefix=network)
    if form.is_valid():
        try:
            save_network_app(
                request.org,
                network=network,
                client_id=form.cleaned_data["client_id"],
                client_secret=form.cleaned_data["client_secret"],
                linkedin_version=form.cleaned_data["linkedin_version"] if network == Network.LINKEDIN else "",
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(network)s app saved.") % {"network": Network(network).label})
            return redirect("channels:network_apps", org=request.org.slug)
    return _page(request, (network, form), status=400)


@require_POST
@org_permission("administration.manage")
def network_app_delete(request: OrgRequest, network: str) -> HttpResponse:
    app = network_apps_by_network(request.org).get(network)
    if app is None:
        raise Http404("no such app")
    delete_network_app(app, actor=request.user)
    messages.success(request, _("%(network)s app removed.") % {"network": Network(network).label})
    return redirect("channels:network_apps", org=request.org.slug)
