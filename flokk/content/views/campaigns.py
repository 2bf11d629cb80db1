"""Campaigns: list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.content.forms import CampaignForm, add_service_errors
from flokk.content.models import Campaign
from flokk.content.services.campaigns import create_campaign, delete_campaign, update_campaign
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


@org_permission("planning.view")
def campaign_list(request: OrgRequest) -> HttpResponse:
    campaigns = Campaign.objects.for_org(request.org).prefetch_related("budget_lines")
    return render_page(request, "content/pages/campaigns.html", {"campaigns": campaigns})


@org_permission("planning.work")
def campaign_create(request: OrgRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                create_campaign(request.org, form.to_input(), actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Campaign created."))
                return redirect("content:campaigns", org=request.org.slug)
        return render_page(request, "content/pages/campaign_form.html", {"form": form}, status=400)
    return render_page(request, "content/pages/campaign_form.html", {"form": form})


@org_permission("planning.work")
def campaign_edit(request: OrgRequest, campaign_id: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_org(request.org), pk=campaign_id)
    form = CampaignForm(request.POST or None, initial=CampaignForm.initial_for(campaign))
    context = {"form": form, "campaign": campaign}
    if request.method == "POST":
        if form.is_valid():
            try:
                update_campaign(campaign, form.to_input(), actor=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Campaign saved."))
                return redirect("content:campaigns", org=request.org.slug)
        return render_page(request, "content/pages/campaign_form.html", context, status=400)
    return render_page(request, "content/pages/campaign_form.html", context)


@require_POST
@org_permission("planning.work")
def campaign_delete(request: OrgRequest, campaign_id: str) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.for_org(request.org), pk=campaign_id)
    delete_campaign(campaign, actor=request.user)
    messages.success(request, _("Campaign deleted."))
    return redirect("content:campaigns", org=request.org.slug)
