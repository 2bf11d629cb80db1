"""People around the inbox: ambassador candidates, one person's history, leads for sales, response times."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from flokk.core.rendering import render_page
from flokk.inbox.models import Contact, Message
from flokk.inbox.services.leads import lead_conversations, leads_csv
from flokk.inbox.services.reports import ambassador_candidates, response_times
from flokk.teams.permissions import OrgRequest, org_permission

REPORT_DAYS = (7, 30, 90)


@org_permission("community.view")
def ambassadors(request: OrgRequest) -> HttpResponse:
    return render_page(
        request, "inbox/pages/ambassadors.html", {"candidates": ambassador_candidates(request.org)}
    )


@org_permission("community.view")
def contact(request: OrgRequest, contact_id: uuid.UUID) -> HttpResponse:
    person = get_object_or_404(Contact, pk=contact_id, organization=request.org)
    said = (
        Message.objects.filter(contact=person, organization=request.org)
        .select_related("account", "conversation")
        .order_by("-received_at")[:200]
    )
    return render_page(request, "inbox/pages/contact.html", {"person": person, "messages_said": said})


@org_permission("community.view")
def leads(request: OrgRequest) -> HttpResponse:
    conversations = lead_conversations(request.org)
    if request.GET.get("format") == "csv":
        response = HttpResponse(leads_csv(conversations[:10_000]), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="leads-{request.org.slug}.csv"'
        return response
    return render_page(request, "inbox/pages/leads.html", {"leads": conversations[:200]})


@org_permission("community.view")
def report(request: OrgRequest) -> HttpResponse:
    days = int(request.GET["days"]) if request.GET.get("days", "") in {str(d) for d in REPORT_DAYS} else 30
    until = timezone.now()
    figures = response_times(request.org, until - dt.timedelta(days=days), until)
    return render_page(
        request, "inbox/pages/report.html", {"figures": figures, "days": days, "choices": REPORT_DAYS}
    )
