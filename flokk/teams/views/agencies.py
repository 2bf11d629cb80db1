"""Agency access: which agencies may work in which areas, granted and withdrawn by the client."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import perform, render_page
from flokk.teams.forms import AgencyAreasForm, AgencyGrantForm
from flokk.teams.models import AgencyAccess
from flokk.teams.permissions import OrgRequest, org_permission
from flokk.teams.services.agencies import change_agency_areas, grant_agency_access, revoke_agency_access


@org_permission("org.admin")
def agency_list(request: OrgRequest) -> HttpResponse:
    form = AgencyGrantForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                access = grant_agency_access(
                    request.org,
                    agency_slug=form.cleaned_data["agency_slug"],
                    areas=form.cleaned_data["areas"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error("agency_slug", error)
            else:
                messages.success(request, _("%(agency)s now has access.") % {"agency": access.agency.name})
                return redirect("teams:agencies", org=request.org.slug)
        status = 400
    grants = AgencyAccess.objects.filter(client=request.org).select_related(
        "agency", "granted_by", "revoked_by"
    )
    serving = AgencyAccess.objects.active().filter(agency=request.org).select_related("client")
    return render_page(
        request,
        "teams/pages/agencies.html",
        {"form": form, "grants": grants, "serving": serving},
        status=status,
    )


@org_permission("org.admin")
def agency_edit(request: OrgRequest, access_id: str) -> HttpResponse:
    access = get_object_or_404(
        AgencyAccess.objects.active().select_related("agency"), pk=access_id, client=request.org
    )
    form = AgencyAreasForm(
        request.POST if request.method == "POST" else None, initial={"areas": access.areas}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change_agency_areas(access, areas=form.cleaned_data["areas"], actor=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Areas saved for %(agency)s.") % {"agency": access.agency.name})
                return redirect("teams:agencies", org=request.org.slug)
        status = 400
    return render_page(
        request, "teams/pages/agency_edit.html", {"access": access, "form": form}, status=status
    )


@require_POST
@org_permission("org.admin")
def agency_revoke(request: OrgRequest, access_id: str) -> HttpResponse:
    access = get_object_or_404(AgencyAccess, pk=access_id, client=request.org)
    perform(
        request,
        lambda: revoke_agency_access(access, actor=request.user),
        success=_("Access withdrawn from %(agency)s.") % {"agency": access.agency.name},
    )
    return redirect("teams:agencies", org=request.org.slug)
