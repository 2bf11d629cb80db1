"""Organization settings: name, time zone, language, two-factor requirement."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from flokk.core.rendering import render_page
from flokk.teams.forms import OrganizationSettingsForm
from flokk.teams.models import Organization
from flokk.teams.permissions import OrgRequest, org_permission
from flokk.teams.services.organizations import SETTINGS_FIELDS, update_organization_settings


@org_permission("org.admin")
def org_settings(request: OrgRequest) -> HttpResponse:
    # The form edits a copy, so a rejected form never leaves half-changed values on request.org.
    form = OrganizationSettingsForm(
        request.POST if request.method == "POST" else None,
        instance=Organization.objects.get(pk=request.org.pk),
    )
    if request.method == "POST":
        if form.is_valid():
            changes = {field: form.cleaned_data[field] for field in SETTINGS_FIELDS}
            update_organization_settings(request.org, actor=request.user, **changes)
            messages.success(request, _("Settings saved."))
            return redirect("teams:org_settings", org=request.org.slug)
        return render_page(request, "teams/pages/org_settings.html", {"form": form}, status=400)
    return render_page(request, "teams/pages/org_settings.html", {"form": form})
