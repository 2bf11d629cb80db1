"""Goal pages: the list with progress, one goal with its KPIs, milestones and measurements, and the forms
that add to them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import render_page
from flokk.strategy.access import can_record_measurements, require_measurement_access
from flokk.strategy.forms import GoalForm, KPIForm, MeasurementForm, MilestoneForm
from flokk.strategy.models import KPI, Goal, Milestone
from flokk.strategy.services.goals import (
    add_kpi,
    add_milestone,
    create_goal,
    delete_goal,
    record_measurement,
    remove_kpi,
    remove_milestone,
    update_goal,
)
from flokk.teams.permissions import OrgRequest, org_permission


def goals_with_progress(organization: Any) -> QuerySet[Goal]:
    return Goal.objects.for_org(organization).with_progress()


@org_permission("strategy.view")
def goal_list(request: OrgRequest) -> HttpResponse:
    return render_page(request, "strategy/pages/goals.html", {"goals": goals_with_progress(request.org)})


def _goal_form(request: OrgRequest, goal: Goal | None) -> GoalForm:
    initial = (
        {
            "title": goal.title,
            "description": goal.description,
            "owner": goal.owner_id,
            "deadline": goal.deadline,
            "challenges": goal.challenges,
        }
        if goal
        else {"owner": request.perms.membership.pk if request.perms.membership else None}
    )
    return GoalForm(
        request.POST if request.method == "POST" else None, initial=initial, organization=request.org
    )


def _save_goal(request: OrgRequest, goal: Goal | None) -> HttpResponse:
    form = _goal_form(request, goal)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in ("title", "description", "owner", "deadline")}
            try:
                if goal is None:
                    goal = create_goal(
                        request.org, challenges=form.cleaned_data["challenges"], actor=request.user, **fields
                    )
                else:
                    goal = update_goal(
                        goal, challenges=form.cleaned_data["challenges"], actor=request.user, **fields
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Goal saved."))
                return redirect("strategy:goal_detail", org=request.org.slug, goal_id=goal.pk)
        status = 400
    return render_page(request, "strategy/pages/goal_form.html", {"form": form, "goal": goal}, status=status)


@org_permission("strategy.work")
def goal_create(request: OrgRequest) -> HttpResponse:
    return _save_goal(request, None)


@org_permission("strategy.work")
def goal_edit(request: OrgRequest, goal_id: str) -> HttpResponse:
    return _save_goal(request, get_object_or_404(Goal.objects.for_org(request.org), pk=goal_id))


@require_POST
@org_permission("strategy.work")
def goal_delete(request: OrgRequest, goal_id: str) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.for_org(request.org), pk=goal_id)
    delete_goal(goal, actor=request.user)
    messages.success(request, _("Goal removed."))
    return redirect("strategy:goals", org=request.org.slug)


def _detail(request: OrgRequest, goal_id: Any, *, status: int = 200, **forms: Any) -> HttpResponse:
    goal = get_object_or_404(goals_with_progress(request.org), pk=goal_id)
    failed_kpi_id = forms.get("kpi_id")
    rows = []
    for kpi in goal.kpis.all():
        # Each KPI has its own small forms; ids carry the KPI so labels point at the right input.
        auto_id = f"id_{kpi.pk}_%s"
        failed = kpi.pk == failed_kpi_id
        rows.append(
            {
                "kpi": kpi,
                "measurements": list(reversed(kpi.ordered_measurements())),
                "milestone_form": forms.get("milestone_form")
                if failed and "milestone_form" in forms
                else MilestoneForm(auto_id=auto_id),
                "measurement_form": forms.get("measurement_form")
                if failed and "measurement_form" in forms
                else MeasurementForm(auto_id=auto_id),
            }
        )
    return render_page(
        request,
        "strategy/pages/goal_detail.html",
        {
            "goal": goal,
            "rows": rows,
            "kpi_form": forms.get("kpi_form") or KPIForm(),
            "can_measure": can_record_measurements(request.perms),
        },
        status=status,
    )


@org_permission("strategy.view")
def goal_detail(request: OrgRequest, goal_id: str) -> HttpResponse:
    return _detail(request, goal_id)


@require_POST
@org_permission("strategy.work")
def kpi_create(request: OrgRequest, goal_id: str) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.for_org(request.org), pk=goal_id)
    form = KPIForm(request.POST)
    if form.is_valid():
        try:
            add_kpi(goal, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("KPI added."))
            return redirect("strategy:goal_detail", org=request.org.slug, goal_id=goal.pk)
    return _detail(request, goal.pk, status=400, kpi_form=form)


@require_POST
@org_permission("strategy.work")
def milestone_create(request: OrgRequest, kpi_id: str) -> HttpResponse:
    kpi = get_object_or_404(KPI.objects.for_org(request.org), pk=kpi_id)
    form = MilestoneForm(request.POST, auto_id=f"id_{kpi.pk}_%s")
    if form.is_valid():
        try:
            add_milestone(kpi, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Milestone added."))
            return redirect("strategy:goal_detail", org=request.org.slug, goal_id=kpi.goal_id)
    return _detail(request, kpi.goal_id, status=400, milestone_form=form, kpi_id=kpi.pk)


@require_POST
@org_permission("org.member")
def measurement_create(request: OrgRequest, kpi_id: str) -> HttpResponse:
    require_measurement_access(request.perms)
    kpi = get_object_or_404(KPI.objects.for_org(request.org).select_related("goal"), pk=kpi_id)
    form = MeasurementForm(request.POST, auto_id=f"id_{kpi.pk}_%s")
    if form.is_valid():
        try:
            record_measurement(
                kpi,
                value=form.cleaned_data["value"],
                measured_at=form.cleaned_data["measured_at"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Measurement saved."))
            return redirect("strategy:goal_detail", org=request.org.slug, goal_id=kpi.goal_id)
    return _detail(request, kpi.goal_id, status=400, measurement_form=form, kpi_id=kpi.pk)


@require_POST
@org_permission("strategy.work")
def kpi_remove(request: OrgRequest, kpi_id: str) -> HttpResponse:
    kpi = get_object_or_404(KPI.objects.for_org(request.org), pk=kpi_id)
    remove_kpi(kpi, actor=request.user)
    messages.success(request, _("KPI removed."))
    return redirect("strategy:goal_detail", org=request.org.slug, goal_id=kpi.goal_id)


@require_POST
@org_permission("strategy.work")
def milestone_remove(request: OrgRequest, milestone_id: str) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.filter(organization=request.org).select_related("kpi"), pk=milestone_id
    )
    remove_milestone(milestone, actor=request.user)
    messages.success(request, _("Milestone removed."))
    return redirect("strategy:goal_detail", org=request.org.slug, goal_id=milestone.kpi.goal_id)
