"""The crisis room: incoming volume, the timeline of decisions, holding statements, and the switch."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncHour
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from flokk.core.rendering import perform, render_page
from flokk.inbox.choices import Direction, Sentiment
from flokk.inbox.forms import CrisisForm, DecisionForm
from flokk.inbox.models import Crisis, CrisisAlert, Message, SavedReply
from flokk.inbox.services import crisis as crisis_service
from flokk.teams.permissions import OrgRequest, org_permission

HOURS = 24


def volume(organization, now: dt.datetime) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Messages from the public per hour over the last day: total and negative, oldest first."""
    since = (now - dt.timedelta(hours=HOURS - 1)).replace(minute=0, second=0, microsecond=0)
    rows = (
        Message.objects.filter(organization=organization, direction=Direction.INBOUND, received_at__gte=since)
        .annotate(hour=TruncHour("received_at"))
        .values("hour")
        .annotate(total=Count("pk"), negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .order_by("hour")
    )
    by_hour = {row["hour"]: row for row in rows}
    peak = max((row["total"] for row in rows), default=0) or 1
    bars = []
    for step in range(HOURS):
        hour = since + dt.timedelta(hours=step)
        row = by_hour.get(hour, {"total": 0, "negative": 0})
        bars.append(
            {
                "hour": hour,
                "total": row["total"],
                "negative": row["negative"],
                "height": round(100 * row["total"] / peak),
                "negative_height": round(100 * row["negative"] / peak),
            }
        )
    return bars


def _room(request: OrgRequest, *, form: CrisisForm | None = None, status: int = 200) -> HttpResponse:
    crisis = crisis_service.active_crisis(request.org)
    context = {
        "crisis": crisis,
        "events": crisis.events.select_related("author") if crisis else [],
        "alerts": CrisisAlert.objects.filter(organization=request.org).select_related("account")[:10],
        "volume": volume(request.org, timezone.now()),
        "statements": SavedReply.objects.filter(organization=request.org, is_holding_statement=True),
        "past": Crisis.objects.filter(organization=request.org, ended_at__isnull=False)[:10],
        "form": form or CrisisForm(),
        "decision_form": DecisionForm(),
        "can_switch": request.perms.has("publishing.pause"),
        "can_work": request.perms.has("community.work"),
    }
    return render_page(
        request,
        "inbox/pages/crisis.html",
        context,
        partial="inbox/partials/crisis_volume.html",
        status=status,
    )


@org_permission("community.view")
def crisis_room(request: OrgRequest) -> HttpResponse:
    return _room(request)


@require_POST
@org_permission("publishing.pause")
def start(request: OrgRequest) -> HttpResponse:
    form = CrisisForm(request.POST)
    if not form.is_valid():
        return _room(request, form=form, status=400)
    alert = CrisisAlert.objects.filter(organization=request.org).first()
    perform(
        request,
        lambda: crisis_service.start_crisis(
            request.perms, request.org, reason=form.cleaned_data["reason"], alert=alert
        ),
        success=_("Crisis mode is on. Scheduled publishing is paused."),
    )
    return redirect("inbox:crisis", org=request.org.slug)


@require_POST
@org_permission("publishing.pause")
def lift(request: OrgRequest) -> HttpResponse:
    crisis = crisis_service.active_crisis(request.org)
    if crisis is not None:
        perform(
            request,
            lambda: crisis_service.lift_crisis(request.perms, crisis),
            success=_("Crisis mode lifted. Publishing resumed."),
        )
    return redirect("inbox:crisis", org=request.org.slug)


@require_POST
@org_permission("community.work")
def decision(request: OrgRequest) -> HttpResponse:
    crisis = crisis_service.active_crisis(request.org)
    form = DecisionForm(request.POST)
    if crisis is not None and form.is_valid():
        perform(
            request,
            lambda: crisis_service.add_decision(request.perms, crisis, form.cleaned_data["text"]),
            success=_("Added to the timeline."),
        )
    return redirect("inbox:crisis", org=request.org.slug)
