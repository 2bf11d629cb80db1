"""Template context: the organizations the signed-in user can switch between."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from flokk.core.models import Notification
from flokk.teams.models import Organization


def organizations(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_organizations": Organization.objects.for_user(user).only("name", "slug"),
        "current_org": getattr(request, "org", None),
        "perms_here": getattr(request, "perms", None),
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
    }
