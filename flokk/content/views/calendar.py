"""The content calendar: month, week and list views in the organization's time zone, moving posts, and
the iCalendar feeds (their management page and the public, token-addressed `.ics` URL)."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import CalendarFeed, Campaign, Post
from flokk.content.services.calendar import (
    FIXED_STATUSES,
    CalendarFilters,
    frequency_rows,
    local_day_range,
    month_end,
    month_grid,
    upcoming_posts,
    week_start,
    week_view,
)
from flokk.content.services.calendar_feeds import (
    create_calendar_feed,
    feed_calendar,
    feed_for_token,
    may_revoke,
    revoke_calendar_feed,
)
from flokk.content.services.rescheduling import RescheduleConflict, reschedule_post
from flokk.core.rendering import render_page
from flokk.teams.models import Membership
from flokk.teams.permissions import OrgRequest, org_permission

LIST_PAGE_SIZE = 50
# Dates outside these years are treated as unreadable: near the ends of the calendar, local midnights in UTC
# and "the month after" do not exist.
FIRST_YEAR, LAST_YEAR = 1900, 9000


def _today(time_zone: str) -> dt.date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def _shown_month(value: str, today: dt.date) -> dt.date:
    """`?month=2026-03` → the first of that month; anything unreadable falls back to this month."""
    try:
        year, month = (int(part) for part in value.split("-", 1))
        shown = dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return shown if FIRST_YEAR <= shown.year <= LAST_YEAR else today.replace(day=1)


def _shown_day(value: str, today: dt.date) -> dt.date:
    """`?week=2026-03-23` / `?from=...` → that date; anything unreadable falls back to today."""
    try:
        shown = dt.date.fromisoformat(value)
    except ValueError:
        return today
    return shown if FIRST_YEAR <= shown.year <= LAST_YEAR else today


def _context(request: OrgRequest, view: str, filters: CalendarFilters) -> dict[str, Any]:
    """What every calendar view shows around its grid: the view switcher and the filter form."""
    slug = request.org.slug
    query = filters.query()
    suffix = f"?{query}" if query else ""
    people = (
        Membership.objects.active()
        .filter(organization=request.org)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    return {
        "view": view,
        "filters": filters,
        "filter_query": query,
        "time_zone": request.org.time_zone,
        "may_move": request.perms.has("planning.work"),
        "views": [
            ("month", _("Month"), reverse("content:calendar", kwargs={"org": slug}) + suffix),
            ("week", _("Week"), reverse("content:calendar_week", kwargs={"org": slug}) + suffix),
            ("list", _("List"), reverse("content:calendar_list", kwargs={"org": slug}) + suffix),
        ],
        "network_choices": Network.choices,
        "status_choices": PostStatus.choices,
        "campaign_choices": [
            (str(pk), name) for pk, name in Campaign.objects.for_org(request.org).values_list("pk", "name")
        ],
        "person_choices": [(str(m.user.pk), m.user.display_name) for m in people],
        # One reverse() for the page rather than one per post: the month can hold hundreds of posts.
        "posts_url": reverse("content:posts", kwargs={"org": slug}),
        "reschedule_url": reverse("content:calendar_reschedule", kwargs={"org": slug}),
        "feeds_url": reverse("content:calendar_feeds", kwargs={"org": slug}),
    }


@org_permission("production.view")
def calendar_month(request: OrgRequest) -> HttpResponse:
    time_zone = request.org.time_zone
    filters = CalendarFilters.from_params(request.GET)
    first = _shown_month(request.GET.get("month", ""), _today(time_zone))
    context = _context(request, "month", filters)
    context.update(
        {
            "month": first,
            "weeks": month_grid(
                request.org, first.year, first.month, time_zone, filters, may_move=context["may_move"]
            ),
            "frequency": frequency_rows(request.org, first, month_end(first), time_zone),
            "keep": {"month": first.strftime("%Y-%m")},
            "previous_month": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
            "next_month": (first + dt.timedelta(days=32)).strftime("%Y-%m"),
        }
    )
    return render_page(request, "content/pages/calendar_month.html", context)


@org_permission("production.view")
def calendar_week(request: OrgRequest) -> HttpResponse:
    time_zone = request.org.time_zone
    filters = CalendarFilters.from_params(request.GET)
    monday = week_start(_shown_day(request.GET.get("week", ""), _today(time_zone)))
    context = _context(request, "week", filters)
    week = week_view(request.org, monday, time_zone, filters, may_move=context["may_move"])
    context.update(
        {
            "week": week,
            "frequency": frequency_rows(request.org, monday, monday + dt.timedelta(days=6), time_zone),
            "keep": {"week": monday.isoformat()},
            "previous_week": (monday - dt.timedelta(days=7)).isoformat(),
            "next_week": (monday + dt.timedelta(days=7)).isoformat(),
        }
    )
    return render_page(request, "content/pages/calendar_week.html", context)


@org_permission("production.view")
def calendar_list(request: OrgRequest) -> HttpResponse:
    time_zone = request.org.time_zone
    filters = CalendarFilters.from_params(request.GET)
    first = _shown_day(request.GET.get("from", ""), _today(time_zone))
    start, _end = local_day_range(first, first, time_zone)
    page = Paginator(upcoming_posts(request.org, start, filters), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _context(request, "list", filters)
    context.update(
        {"page": page, "from": first, "keep": {"from": first.isoformat()}, "fixed_statuses": FIXED_STATUSES}
    )
    return render_page(request, "content/pages/calendar_list.html", context)


def _back(request: OrgRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("content:calendar", kwargs={"org": request.org.slug})
    return redirect(target)


@require_POST
@org_permission("planning.work")
def calendar_reschedule(request: OrgRequest) -> HttpResponse:
    """Move a post: `post` and either `date` (keeps the local time of day) or `at` (a local date-time).

    Scripts (drag and drop) ask for JSON and get 200/400/409 with a message; forms are redirected back.
    """
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        post_id = uuid.UUID(request.POST.get("post", ""))
    except ValueError:
        raise Http404("no such post") from None
    post = get_object_or_404(Post.objects.for_org(request.org), pk=post_id)
    status, message = 200, _("The post was moved.")
    try:
        if request.POST.get("at"):
            try:
                new_at = dt.datetime.fromisoformat(request.POST["at"])
            except ValueError:
                raise ValidationError(_("Enter a date and time such as 2026-05-04 09:30.")) from None
            reschedule_post(post, new_at=new_at, actor=request.user)
        else:
            try:
                new_date = dt.date.fromisoformat(request.POST.get("date", ""))
            except ValueError:
                raise ValidationError(_("Enter a date such as 2026-05-04.")) from None
            reschedule_post(post, new_local_date=new_date, actor=request.user)
    except ValidationError as error:
        status, message = 400, " ".join(error.messages)
    except RescheduleConflict as error:
        status, message = 409, error.message
    if wants_json:
        return JsonResponse({"ok": status == 200, "message": message}, status=status)
    (messages.success if status == 200 else messages.error)(request, message)
    return _back(request)


# --- feeds ---------------------------------------------------------------------------------------------
@org_permission("production.view")
def calendar_feeds(request: OrgRequest) -> HttpResponse:
    """The person's feeds (an administrator sees everyone's, to revoke them); POST creates one."""
    created_url = ""
    if request.method == "POST":
        try:
            feed, clear = create_calendar_feed(
                request.org,
                owner=request.user,
                name=request.POST.get("name", ""),
                filters=request.POST,
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            created_url = request.build_absolute_uri(
                reverse("content:calendar_feed", kwargs={"token": clear})
            )
            messages.success(request, _("Feed “%(name)s” created.") % {"name": feed.name})
    feeds = CalendarFeed.objects.for_org(request.org).select_related("owner").order_by("-created_at")
    if not request.perms.is_admin:
        feeds = feeds.filter(owner=request.user)
    context = _context(request, "feeds", CalendarFilters.from_params(request.GET))
    context.update({"feeds": feeds, "created_url": created_url})
    return render_page(request, "content/pages/calendar_feeds.html", context)


@require_POST
@org_permission("production.view")
def calendar_feed_revoke(request: OrgRequest, feed_id: uuid.UUID) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.for_org(request.org), pk=feed_id)
    if not may_revoke(feed, request.user):
        raise PermissionDenied("calendar feed")
    revoke_calendar_feed(feed, actor=request.user)
    messages.success(request, _("Feed “%(name)s” revoked: its URL no longer answers.") % {"name": feed.name})
    return redirect("content:calendar_feeds", org=request.org.slug)


@require_GET
def calendar_feed(request: Any, token: str) -> HttpResponse:
    """The public `.ics` URL: no sign-in, the token is the key; anything wrong is a plain 404."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("no such feed")
    body = feed_calendar(feed, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
