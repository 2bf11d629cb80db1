"""Per-request language, time zone and the organization-wide two-factor requirement."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

from flokk.teams.models import Organization
from flokk.teams.services.auth import user_requires_two_factor

Handler = Callable[[HttpRequest], HttpResponse]


# Browsers send "no" (and Nynorsk readers "nn") for Norwegian; Flokk's Norwegian is Bokmål.
LANGUAGE_ALIASES = {"no": "nb", "nn": "nb"}


def browser_language(request: HttpRequest) -> str:
    """The language cookie if set, else the best supported match in Accept-Language, else the default."""
    for code in [request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")] + [
        code for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    ]:
        if not code or code == "*":
            continue
        code = LANGUAGE_ALIASES.get(code.split("-")[0].lower(), code)
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """The signed-in user's own language; otherwise the language cookie, then Accept-Language."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        language = language or browser_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class UserTimezoneMiddleware:
    """Shows and reads times in the user's zone; without one, in the organization's zone on its pages."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "time_zone", "") if user is not None and user.is_authenticated else ""
        if name:
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: object, args: tuple[object, ...], kwargs: dict[str, object]
    ) -> None:
        user = getattr(request, "user", None)
        if "org" in kwargs and user is not None and user.is_authenticated and not user.time_zone:
            zone = (
                Organization.objects.filter(slug=str(kwargs["org"]))
                .values_list("time_zone", flat=True)
                .first()
            )
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))


class TwoFactorMiddleware:
    """Members of an organization that requires two-factor sign-in must set it up before anything else."""

    ALLOWED_PREFIXES = ("/account/two-factor/", "/logout/", "/static/", "/i18n/", "/healthz", "/api/")

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.totp_enabled
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and user_requires_two_factor(user)
        ):
            return redirect(reverse("teams:two_factor") + "?required=1")
        return self.get_response(request)
