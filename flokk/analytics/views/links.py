"""Analytics pages for traffic: short links, UTM settings, imported web traffic; and the two public
addresses, the short link redirect `/l/<code>` and the landing-page endpoint `/c/<conversion key>`.

The public addresses need no session and no CSRF token; they store no address or user agent of anyone.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from flokk.analytics.forms import AnalyticsSettingsForm, LinkForm, TrafficFilterForm, TrafficImportForm
from flokk.analytics.models import Link, TrafficImport
from flokk.analytics.services.conversions import (
    MAX_BODY_BYTES,
    SETTINGS_FIELDS,
    ConversionRejected,
    conversion_snippet,
    receive_landing_event,
    save_analytics_settings,
)
from flokk.analytics.services.dashboard import local_today
from flokk.analytics.services.links import create_link, is_bot, record_click, short_url
from flokk.analytics.services.traffic_import import MAX_BYTES, import_traffic, traffic_summary
from flokk.analytics.services.utm import settings_of
from flokk.core import ratelimit
from flokk.core.rendering import render_page
from flokk.teams.permissions import OrgRequest, org_permission

CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD"])
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """302 to the link's target; a person's click is counted, a bot's or a HEAD request's is not."""
    link = None
    if 0 < len(code) <= 16 and set(code) <= CODE_CHARACTERS:
        link = Link.objects.filter(code=code).first()
    if link is None:
        raise Http404("no such link")
    counted = request.method == "GET" and not is_bot(request.headers.get("User-Agent", ""))
    if counted and ratelimit.allow(
        f"click:{link.pk}", ratelimit.client_key(request), settings.FLOKK_COUNTED_CLICKS_PER_HOUR, 3600
    ):
        record_click(link)
    response = HttpResponseRedirect(link.target_url)
    response["X-Robots-Tag"] = "noindex"
    return response


def _cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


@csrf_exempt
@never_cache
def conversion(request: HttpRequest, key: str) -> HttpResponse:
    """A landing page's visit or conversion (JSON or form body, at most 4 KB). Junk answers 400."""
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204))
    if request.method != "POST":
        return _cors(JsonResponse({"error": "use POST"}, status=405, headers={"Allow": "POST, OPTIONS"}))
    if not ratelimit.allow(
        f"conversion:{key}", ratelimit.client_key(request), settings.FLOKK_CONVERSIONS_PER_MINUTE, 60
    ):
        return _cors(JsonResponse({"error": "too many events"}, status=429, headers={"Retry-After": "60"}))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return _cors(JsonResponse({"error": "body too large"}, status=400))
    try:
        event = receive_landing_event(key, request.body, request.content_type or "")
    except ConversionRejected as rejected:
        return _cors(JsonResponse({"error": rejected.message}, status=400))
    return _cors(JsonResponse({"recorded": event.kind}, status=202))


@org_permission("analysis.view")
def links(request: OrgRequest) -> HttpResponse:
    form = LinkForm(organization=request.org)
    return _links_page(request, form)


def _links_page(request: OrgRequest, form: LinkForm, *, status: int = 200) -> HttpResponse:
    recent = list(
        Link.objects.filter(organization=request.org)
        .select_related("post", "campaign")
        .order_by("-created_at")[:200]
    )
    return render_page(
        request,
        "analytics/pages/links_list.html",
        {"form": form, "links": [(link, short_url(link)) for link in recent]},
        status=status,
    )


@org_permission("analysis.work")
@require_POST
def add_link(request: OrgRequest) -> HttpResponse:
    form = LinkForm(request.POST, organization=request.org)
    if form.is_valid():
        try:
            link = create_link(
                request.org,
                form.cleaned_data["target_url"],
                network=form.cleaned_data["network"],
                campaign=form.cleaned_data["campaign"],
                actor=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("target_url", message)
        else:
            messages.success(request, _("Short link %(url)s made.") % {"url": short_url(link)})
            return redirect("analytics:links", request.org.slug)
    return _links_page(request, form, status=422)


@org_permission("analysis.manage")
def analytics_settings(request: OrgRequest) -> HttpResponse:
    current = settings_of(request.org)
    if request.method == "POST":
        form = AnalyticsSettingsForm(request.POST)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
            save_analytics_settings(
                request.org, actor=request.user, new_key=form.cleaned_data["new_key"], **values
            )
            messages.success(request, _("Analytics settings saved."))
            return redirect("analytics:settings", request.org.slug)
        status = 422
    else:
        form = AnalyticsSettingsForm(initial={name: getattr(current, name) for name in SETTINGS_FIELDS})
        status = 200
    saved = not current._state.adding
    snippet = conversion_snippet(current.conversion_key) if saved and current.conversion_key else ""
    return render_page(
        request,
        "analytics/pages/links_settings.html",
        {"form": form, "saved": saved, "snippet": snippet},
        status=status,
    )


@org_permission("analysis.view")
def traffic(request: OrgRequest) -> HttpResponse:
    form = TrafficFilterForm(request.GET or None)
    start, end = form.period(local_today(request.org))
    imports = TrafficImport.objects.filter(organization=request.org).select_related("imported_by")[:10]
    return render_page(
        request,
        "analytics/pages/traffic_table.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "rows": traffic_summary(request.org, start, end),
            "imports": imports,
        },
    )


@org_permission("analysis.work")
def traffic_import(request: OrgRequest) -> HttpResponse:
    if request.method == "POST":
        form = TrafficImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_traffic(
                request.org,
                upload.read(MAX_BYTES + 1),
                file_name=upload.name or "",
                actor=request.user,
                source=form.cleaned_data["source"] or None,
            )
            return redirect("analytics:traffic_import_report", request.org.slug, report.traffic_import.pk)
        return render_page(request, "analytics/pages/traffic_import.html", {"form": form}, status=422)
    return render_page(request, "analytics/pages/traffic_import.html", {"form": TrafficImportForm()})


@org_permission("analysis.view")
def traffic_import_report(request: OrgRequest, import_id: uuid.UUID) -> HttpResponse:
    found = get_object_or_404(TrafficImport, pk=import_id, organization=request.org)
    return render_page(request, "analytics/pages/traffic_import_report.html", {"traffic_import": found})


org = "o/<slug:org>/analytics/"
urlpatterns: list[URLPattern] = [
    path("l/<str:code>", short_link, name="short_link"),
    path("c/<str:key>", conversion, name="conversion"),
    path(org + "links/", links, name="links"),
    path(org + "links/new/", add_link, name="add_link"),
    path(org + "settings/", analytics_settings, name="settings"),
    path(org + "traffic/", traffic, name="traffic"),
    path(org + "traffic/import/", traffic_import, name="traffic_import"),
    path(org + "traffic/imports/<uuid:import_id>/", traffic_import_report, name="traffic_import_report"),
]
