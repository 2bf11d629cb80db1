"""The approval workflow settings page: steps, order, any/all, four eyes, per-campaign workflows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from flokk.content.choices import ApprovalRule
from flokk.content.models import ApprovalStep, ApprovalWorkflow, Campaign
from flokk.content.services.approval import add_step, move_step, remove_step, set_four_eyes, workflow_to_edit
from flokk.core.rendering import render_page
from flokk.teams.models import Membership, Role
from flokk.teams.permissions import OrgRequest, org_permission


@org_permission("org.member")
def approval_workflow(request: OrgRequest) -> HttpResponse:
    # Org admins and production managers configure workflows (one check, through Access).
    if not (request.perms.has("org.admin") or request.perms.has("production_management.manage")):
        raise PermissionDenied("production_management.manage")
    campaign = None
    campaign_id = request.GET.get("campaign", "")
    if campaign_id:
        try:
            campaign = Campaign.objects.for_org(request.org).filter(pk=campaign_id).first()
        except ValidationError:
            campaign = None
        if campaign is None:
            raise PermissionDenied("campaign")
    here = reverse("content:approval_workflow", args=[request.org.slug])
    if campaign is not None:
        here += f"?campaign={campaign.pk}"
    roles = list(Role.objects.filter(organization=request.org))
    members = list(Membership.objects.active().filter(organization=request.org).select_related("user"))
    if request.method == "POST":
        workflow = workflow_to_edit(request.org, campaign)
        action = request.POST.get("action", "")
        try:
            if action == "add":
                role = next((r for r in roles if str(r.pk) == request.POST.get("role")), None)
                person = next((m.user for m in members if str(m.user.pk) == request.POST.get("user")), None)
                add_step(
                    workflow,
                    name=request.POST.get("name", ""),
                    role=role,
                    user=person,
                    rule=request.POST.get("rule", ""),
                    actor=request.user,
                )
            elif action == "four_eyes":
                set_four_eyes(workflow, four_eyes=request.POST.get("four_eyes") == "on", actor=request.user)
            elif action in {"up", "down", "remove"}:
                step = get_object_or_404(ApprovalStep, workflow=workflow, pk=request.POST.get("step") or None)
                if action == "remove":
                    remove_step(step, actor=request.user)
                else:
                    move_step(step, up=action == "up", actor=request.user)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Workflow saved."))
        return redirect(here)
    # Reading the page creates nothing; the workflow row appears with the first change.
    shown = ApprovalWorkflow.objects.for_org(request.org).filter(campaign=campaign).first()
    context = {
        "workflow": shown,
        "steps": list(shown.steps.select_related("role", "user")) if shown else [],
        "campaign": campaign,
        "campaigns": list(Campaign.objects.for_org(request.org)),
        "roles": roles,
        "members": members,
        "rules": ApprovalRule.choices,
    }
    return render_page(request, "content/pages/approval_workflow.html", context)
