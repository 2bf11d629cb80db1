"""The organization's content policy (for now: whether every image needs alt text)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.content.services.policy import set_content_policy
from flokk.teams.permissions import OrgRequest, org_permission


@require_POST
@org_permission("production_management.manage")
def content_policy(request: OrgRequest) -> HttpResponse:
    set_content_policy(
        request.org, require_alt_text=request.POST.get("require_alt_text") == "on", actor=request.user
    )
    messages.success(request, _("Content policy saved."))
    return redirect("content:assets", org=request.org.slug)
