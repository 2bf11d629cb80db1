"""Health check and error pages."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from flokk.core.models import Notification, WorkerHeartbeat
from flokk.core.notifications import mark_read
from flokk.teams.permissions import UserRequest


def healthz(request: HttpRequest) -> JsonResponse:
    """200 with the database status and seconds since the newest worker heartbeat (null: never seen)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
        newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception:  # the answer must come even when the database is down
        database, newest = "error", None
    seen = None if newest is None else max(0, int((timezone.now() - newest) / timedelta(seconds=1)))
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "worker_seen_seconds_ago": seen}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


@login_required
def notifications(request: UserRequest) -> HttpResponse:
    """The signed-in person's notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        mark_read(request.user)
        return redirect("notifications")
    page = Paginator(Notification.objects.filter(recipient=request.user).select_related("organization"), 50)
    return render(request, "core/notifications.html", {"page": page.get_page(request.GET.get("page"))})
