"""A person's own settings: name, language, time zone."""

from __future__ import annotations

from django.db import transaction

from flokk.teams.models import User


def update_profile(user: User, *, name: str, language: str, time_zone: str) -> User:
    """Save the person's name, interface language and time zone (empty: browser / organization)."""
    with transaction.atomic():
        user.name, user.language, user.time_zone = name.strip(), language, time_zone
        user.save(update_fields=["name", "language", "time_zone", "updated_at"])
    return user
