"""Who may do what, written from the product rules (not read from the views), and a runner that checks
one URL or endpoint for every subject: the 15 built-in roles, the agency person, an outsider, anonymous.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from flokk.teams.choices import BUILTIN_ROLES
from flokk.teams.models import User
from flokk.teams.services.demo import AGENCY_USER, demo_email

ROLES = list(BUILTIN_ROLES)
SUBJECTS = [*ROLES, "agency", "outsider", "anonymous"]

# Who holds each permission in the demo. The agency (production + advertising) reaches production only.
ALL = {*ROLES, "agency"}
ALLOWED: dict[str, set[str]] = {
    "org.member": ALL,
    "production.view": ALL - {"community-manager", "care-manager", "customer-support", "sales"},
    "production.work": {
        "head-of-social",
        "social-media-manager",
        "communications-lead",
        "content-manager",
        "copywriter",
        "graphic-designer",
        "video-producer",
        "agency",
    },
    "planning.view": set(ROLES) - {"customer-support", "sales"},
    "planning.work": {
        "head-of-social",
        "social-media-manager",
        "communications-lead",
        "marketing-coordinator",
        "content-manager",
    },
    "administration.view": {
        "head-of-social",
        "social-media-manager",
        "communications-lead",
        "marketing-coordinator",
        "content-manager",
        "analyst",
        "management",
    },
    "administration.manage": {"head-of-social", "social-media-manager"},
    "production_management.manage": {"head-of-social", "social-media-manager", "marketing-coordinator"},
}

ALLOWED_PAGE = "allowed"
FORBIDDEN = "403"
NOT_FOUND = "404"
SIGN_IN = "sign-in"
UNAUTHENTICATED = "401"


def expected(permission: str, subject: str, *, api: bool) -> str:
    if subject == "anonymous":
        return UNAUTHENTICATED if api else SIGN_IN
    if subject == "outsider":
        return NOT_FOUND
    return ALLOWED_PAGE if subject in ALLOWED[permission] else FORBIDDEN


def user_for(subject: str) -> User | None:
    if subject == "anonymous":
        return None
    if subject == "outsider":
        return User.objects.get(email="outsider@other.example")
    if subject == "agency":
        return User.objects.get(email=AGENCY_USER)
    return User.objects.get(email=demo_email(subject))


def outcome(status: int, location: str = "") -> str:
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status == 401:
        return UNAUTHENTICATED
    if status == 302 and "/login/" in location:
        return SIGN_IN
    if status in (200, 201, 204, 302, 400, 422):
        return ALLOWED_PAGE
    return f"unexpected {status}"


def check_matrix(
    permission: str,
    request: Callable[[Client], Any],
    *,
    api: bool,
    client_for: Callable[[User], Client],
    api_for: Callable[[User], Client],
) -> list[str]:
    """Every subject's outcome against the table; returns the mismatches (empty when all is well)."""
    wrong = []
    for subject in SUBJECTS:
        user = user_for(subject)
        client = Client() if user is None else api_for(user) if api else client_for(user)
        response = request(client)
        got = outcome(response.status_code, response.get("Location", ""))
        want = expected(permission, subject, api=api)
        if got != want:
            wrong.append(f"{subject}: expected {want}, got {got} ({response.status_code})")
    return wrong
