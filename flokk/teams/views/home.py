"""Landing pages: the organization picker, creating an organization and an organization's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.validators import slug_re
from django.http import HttpResponse
from django.shortcuts import redirect, render

from flokk.teams.choices import Area
from flokk.teams.forms import OrganizationCreateForm
from flokk.teams.models import Membership, Organization
from flokk.teams.permissions import OrgRequest, UserRequest, org_permission
from flokk.teams.services.matrix import matrix_warnings
from flokk.teams.services.organizations import create_organization


@login_required
def home(request: UserRequest) -> HttpResponse:
    organizations = list(Organization.objects.for_user(request.user))
    if len(organizations) == 1:
        return redirect("teams:org_home", org=organizations[0].slug)
    return render(request, "teams/pages/home.html", {"organizations": organizations})


@login_required
def switch_organization(request: UserRequest) -> HttpResponse:
    slug = request.GET.get("org", "")
    if slug_re.match(slug) and Organization.objects.for_user(request.user).filter(slug=slug).exists():
        return redirect("teams:org_home", org=slug)
    return redirect("teams:home")


@login_required
def create_organization_view(request: UserRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            organization = create_organization(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                owner=request.user,
                time_zone=form.cleaned_data["time_zone"],
                language=request.LANGUAGE_CODE,
            )
            return redirect("teams:team_templates", org=organization.slug)
        return render(request, "teams/pages/organization_new.html", {"form": form}, status=400)
    return render(request, "teams/pages/organization_new.html", {"form": form})


@org_permission("org.member")
def org_home(request: OrgRequest) -> HttpResponse:
    access = request.perms
    organization = request.org
    context = {
        "access": access,
        "areas": [(area, access.level(area.value)) for area in Area],
        "member_count": Membership.objects.active().for_org(organization).count(),
        "warnings": matrix_warnings(organization),
    }
    return render(request, "teams/pages/org_home.html", context)
