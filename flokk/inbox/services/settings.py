"""The organization's inbox settings row, made with defaults the first time it is needed."""

from __future__ import annotations

from flokk.inbox.models import InboxSettings
from flokk.teams.models import Organization


def inbox_settings(organization: Organization) -> InboxSettings:
    settings, _created = InboxSettings.objects.get_or_create(organization=organization)
    return settings
