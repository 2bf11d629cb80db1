"""The content calendar: a month grid in the organization's time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from flokk.content.services.calendar import month_grid
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission


def _shown_month(value: str, today: dt.date) -> dt.date:
    """`?month=2026-03` → the first of that month; anything unreadable falls back to this month."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@org_permission("production.view")
def calendar_month(request: OrgRequest) -> HttpResponse:
    time_zone = request.org.time_zone
    today = timezone.now().astimezone(zoneinfo.ZoneInfo(time_zone)).date()
    first = _shown_month(request.GET.get("month", ""), today)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    context = {
        "month": first,
        "weeks": month_grid(request.org, first.year, first.month, time_zone),
        "time_zone": time_zone,
        # One reverse() for the page rather than one per post: the month can hold hundreds of posts.
        "posts_url": reverse("content:posts", kwargs={"org": request.org.slug}),
        "previous_month": previous.strftime("%Y-%m"),
        "next_month": following.strftime("%Y-%m"),
    }
    return render_page(request, "content/pages/calendar_month.html", context)
