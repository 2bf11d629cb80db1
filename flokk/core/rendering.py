"""The one place that decides between a full page and an htmx partial."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from flokk.core.errors import Conflict


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


def perform(request: HttpRequest, action: Callable[[], object], *, success: str) -> bool:
    """Run the service call behind a button and report the outcome as a message.

    A refusal (`ValidationError`, `Conflict`) becomes an error message with the service's reasons.
    Returns whether the action succeeded.
    """
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    except Conflict as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True
