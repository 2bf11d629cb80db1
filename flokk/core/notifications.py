"""Telling people about events: in-app notifications, written when the change that causes them commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation

from flokk.core.models import Notification

if TYPE_CHECKING:
    from flokk.teams.models import Organization, User


def notify(
    recipients: Iterable[User],
    *,
    organization: Organization,
    action: str,
    message: Callable[[], str],
    url: str = "",
) -> None:
    """Notify each recipient once, after the current transaction commits.

    `message` is called with each recipient's language active, so pass a lambda around gettext:
    `message=lambda: _("Milestone reached: %(name)s") % {"name": milestone.name}`.
    """
    people = {person.pk: person for person in recipients if person is not None and person.is_active}

    def write() -> None:
        rows = []
        for person in people.values():
            with translation.override(person.language or organization.language or "en"):
                text = str(message())[:500]
            rows.append(
                Notification(
                    recipient=person, organization=organization, action=action, message=text, url=url
                )
            )
        Notification.objects.bulk_create(rows)

    transaction.on_commit(write)


def mark_read(person: User, notification_ids: Iterable[str] | None = None) -> int:
    """Mark the person's notifications (all, or the given ones) read; returns how many changed."""
    unread = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
