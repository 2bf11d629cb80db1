"""The one place that decides between a full page and an htmx partial."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page(
    request: HttpRequest,
    page: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `page` (a full page extending base.html), or only `partial` when htmx asks for a fragment."""
    template = partial if partial and is_htmx(request) else page
    return render(request, template, context or {}, status=status)
