"""Roles: the built-in ones from the sources, and the organization's custom roles."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import perform, render_page
from flokk.teams.choices import Area, Level
from flokk.teams.forms import RoleForm
from flokk.teams.models import Role
from flokk.teams.permissions import OrgRequest, org_permission
from flokk.teams.services.roles import create_custom_role, delete_custom_role, update_custom_role


@org_permission("org.member")
def role_list(request: OrgRequest) -> HttpResponse:
    roles = list(Role.objects.filter(organization=request.org))
    rows = [(role, [Level(role.level(area.value)).label for area in Area]) for role in roles]
    return render_page(request, "teams/pages/roles.html", {"rows": rows, "areas": Area})


def _save_role(request: OrgRequest, form: RoleForm, role: Role | None) -> Role | None:
    if not form.is_valid():
        return None
    data = {
        "name": form.cleaned_data["name"],
        "description": form.cleaned_data["description"],
        "grants": form.grants(),
        "actor": request.user,
    }
    try:
        if role is None:
            return create_custom_role(request.org, **data)
        return update_custom_role(role, **data)
    except ValidationError as error:
        form.add_error(None, error)
        return None


@org_permission("org.admin")
def role_create(request: OrgRequest) -> HttpResponse:
    form = RoleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _save_role(request, form, None):
            messages.success(request, _("Role created."))
            return redirect("teams:roles", org=request.org.slug)
        return render_page(request, "teams/pages/role_form.html", {"form": form}, status=400)
    return render_page(request, "teams/pages/role_form.html", {"form": form})


@org_permission("org.admin")
def role_edit(request: OrgRequest, role_id: str) -> HttpResponse:
    role = get_object_or_404(Role, pk=role_id, organization=request.org)
    if role.is_builtin:
        messages.error(request, _("Built-in roles cannot be changed. Create a custom role instead."))
        return redirect("teams:roles", org=request.org.slug)
    initial = {
        "name": role.custom_name,
        "description": role.description,
        **{f"level_{area.value}": str(role.level(area.value)) for area in Area},
    }
    form = RoleForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if _save_role(request, form, role):
            messages.success(request, _("Role saved."))
            return redirect("teams:roles", org=request.org.slug)
        return render_page(request, "teams/pages/role_form.html", {"form": form, "role": role}, status=400)
    return render_page(request, "teams/pages/role_form.html", {"form": form, "role": role})


@require_POST
@org_permission("org.admin")
def role_delete(request: OrgRequest, role_id: str) -> HttpResponse:
    role = get_object_or_404(Role, pk=role_id, organization=request.org)
    perform(request, lambda: delete_custom_role(role, actor=request.user), success=_("Role deleted."))
    return redirect("teams:roles", org=request.org.slug)
