"""The action plan page: resources, the timeline and the posting frequency per network."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import render_page
from flokk.strategy.forms import FrequencyForm, PlanItemForm, ResourceForm
from flokk.strategy.models import FrequencyTarget, PlanItem, Resource
from flokk.strategy.services.plan import (
    add_plan_item,
    add_resource,
    remove_plan_item,
    remove_resource,
    set_frequency,
)
from flokk.teams.permissions import OrgRequest, org_permission


def _page(request: OrgRequest, *, status: int = 200, **forms: Form) -> HttpResponse:
    return render_page(
        request,
        "strategy/pages/plan.html",
        {
            "resources": Resource.objects.filter(organization=request.org),
            "items": PlanItem.objects.filter(organization=request.org),
            "frequencies": FrequencyTarget.objects.filter(organization=request.org),
            "resource_form": forms.get("resource_form") or ResourceForm(),
            "item_form": forms.get("item_form") or PlanItemForm(),
            "frequency_form": forms.get("frequency_form") or FrequencyForm(),
        },
        status=status,
    )


@org_permission("strategy.view")
def plan(request: OrgRequest) -> HttpResponse:
    return _page(request)


@require_POST
@org_permission("strategy.work")
def resource_create(request: OrgRequest) -> HttpResponse:
    form = ResourceForm(request.POST)
    if form.is_valid():
        try:
            add_resource(request.org, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Resource added."))
            return redirect("strategy:plan", org=request.org.slug)
    return _page(request, status=400, resource_form=form)


@require_POST
@org_permission("strategy.work")
def item_create(request: OrgRequest) -> HttpResponse:
    form = PlanItemForm(request.POST)
    if form.is_valid():
        try:
            add_plan_item(request.org, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Added to the timeline."))
            return redirect("strategy:plan", org=request.org.slug)
    return _page(request, status=400, item_form=form)


@require_POST
@org_permission("strategy.work")
def frequency_set(request: OrgRequest) -> HttpResponse:
    form = FrequencyForm(request.POST)
    if form.is_valid():
        try:
            set_frequency(request.org, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Posting frequency saved."))
            return redirect("strategy:plan", org=request.org.slug)
    return _page(request, status=400, frequency_form=form)


@require_POST
@org_permission("strategy.work")
def resource_remove(request: OrgRequest, resource_id: str) -> HttpResponse:
    remove_resource(get_object_or_404(Resource, pk=resource_id, organization=request.org), actor=request.user)
    return redirect("strategy:plan", org=request.org.slug)


@require_POST
@org_permission("strategy.work")
def item_remove(request: OrgRequest, item_id: str) -> HttpResponse:
    remove_plan_item(get_object_or_404(PlanItem, pk=item_id, organization=request.org), actor=request.user)
    return redirect("strategy:plan", org=request.org.slug)
