"""API v1: django-ninja, bearer tokens, JSON errors `{"error": {"code", "message", "fields"}}`.

Each app adds its router here. Every status code a handler can return is declared in its `response=`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from flokk.analytics.api import router as analytics_router
from flokk.channels.api import router as channels_router
from flokk.content.api import router as content_router
from flokk.core.errors import Conflict
from flokk.inbox.api import router as inbox_router
from flokk.publishing.api import router as publishing_router
from flokk.strategy.api import router as strategy_router
from flokk.teams.api import router as teams_router
from flokk.teams.services.tokens import authenticate_api_token


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_api_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Flokk API",
    version="1",
    description="Flokk's API. Authenticate with a personal token: `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    return api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "unauthenticated", "A valid API token is required.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", "Your roles do not allow this.")


@api.exception_handler(NinjaValidationError)
def on_invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for item in exc.errors:
        location = [
            str(part) for part in item.get("loc", ()) if part not in ("body", "query", "path", "payload")
        ]
        fields.setdefault(".".join(location) or "__all__", []).append(str(item.get("msg", "invalid")))
    return error_response(request, 422, "invalid", "The request is not valid.", fields)


@api.exception_handler(ValidationError)
def on_rejected(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        fields = {
            name: [str(m) for e in errors for m in e.messages] for name, errors in exc.error_dict.items()
        }
    else:
        fields = {}
    code = getattr(exc, "code", None)
    if code is None and hasattr(exc, "error_dict"):
        # A rejection tied to fields (`ValidationError({"roles": ValidationError(..., code=...)})`) keeps
        # its code when all its errors share one.
        codes = {e.code for errors in exc.error_dict.values() for e in errors if e.code}
        code = codes.pop() if len(codes) == 1 else None
    code = code or "invalid"
    return error_response(request, 422, str(code), " ".join(exc.messages), fields)


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return error_response(request, 409, exc.code, exc.message)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, "error", str(exc))


api.add_router("/", teams_router)
api.add_router("/", strategy_router)
api.add_router("/", channels_router)
api.add_router("/", content_router)
api.add_router("/", publishing_router)
api.add_router("/", inbox_router)
api.add_router("/", analytics_router)
