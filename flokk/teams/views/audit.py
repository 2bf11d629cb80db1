"""The audit log, for organization admins."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse

from flokk.core.models import AuditEntry
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

PAGE_SIZE = 50


@org_permission("org.admin")
def audit_log(request: OrgRequest) -> HttpResponse:
    entries = AuditEntry.objects.for_org(request.org)
    # PostgreSQL refuses NUL characters in a query; action codes never contain them.
    action = request.GET.get("action", "").replace("\x00", "").strip()[:100]
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "teams/pages/audit.html", {"page": page, "action": action})
