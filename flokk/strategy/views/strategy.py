"""The strategy pages: the current strategy with its history, one version with its changes, editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from flokk.core.rendering import render_page
from flokk.strategy.choices import RECOMMENDED_MAX_NETWORKS
from flokk.strategy.forms import StrategyForm
from flokk.strategy.models import Strategy, StrategyVersion
from flokk.strategy.services.strategy import current_content, diff_versions, save_strategy, too_many_networks
from flokk.teams.permissions import OrgRequest, org_permission


def _strategy(request: OrgRequest) -> Strategy | None:
    return (
        Strategy.objects.filter(organization=request.org)
        .prefetch_related("purposes", "audiences", "channels")
        .first()
    )


@org_permission("strategy.view")
def overview(request: OrgRequest) -> HttpResponse:
    strategy = _strategy(request)
    versions = StrategyVersion.objects.filter(organization=request.org).select_related("author")
    audiences = list(strategy.audiences.all()) if strategy else []
    channels = list(strategy.channels.all()) if strategy else []
    return render_page(
        request,
        "strategy/pages/overview.html",
        {
            "strategy": strategy,
            "purposes": list(strategy.purposes.all()) if strategy else [],
            "audience_tree": [
                (top, [a for a in audiences if a.parent_id == top.pk])
                for top in audiences
                if top.parent_id is None
            ],
            "channels": channels,
            "too_many_networks": too_many_networks(len(channels)),
            "recommended_max": RECOMMENDED_MAX_NETWORKS,
            "versions": versions,
        },
    )


@org_permission("strategy.view")
def version_detail(request: OrgRequest, version_id: str) -> HttpResponse:
    version = get_object_or_404(
        StrategyVersion.objects.select_related("author"), pk=version_id, organization=request.org
    )
    previous = (
        StrategyVersion.objects.filter(strategy=version.strategy, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return render_page(
        request,
        "strategy/pages/version.html",
        {"version": version, "previous": previous, "sections": diff_versions(previous, version)},
    )


@org_permission("strategy.work")
def edit(request: OrgRequest) -> HttpResponse:
    initial = StrategyForm.initial_for(current_content(_strategy(request)))
    form = StrategyForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version = save_strategy(request.org, form.content(), actor=request.user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Strategy saved as version %(n)s.") % {"n": version.number})
                if too_many_networks(len(version.content["channels"])):
                    messages.warning(
                        request,
                        _(
                            "You chose %(n)s networks. The sources advise against being everywhere: "
                            "a few networks done well beat many done with the left hand."
                        )
                        % {"n": len(version.content["channels"])},
                    )
                return redirect("strategy:overview", org=request.org.slug)
        status = 400
    return render_page(
        request,
        "strategy/pages/edit.html",
        {"form": form, "recommended_max": RECOMMENDED_MAX_NETWORKS},
        status=status,
    )
