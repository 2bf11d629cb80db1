"""iCalendar (RFC 5545) feeds of the content calendar: secret URLs per person and filter.

The clear token is shown once, at creation; only its SHA-256 digest is stored (like API tokens). A feed
answers with what its owner may see at the time of the request: an owner who left the organization or lost
`production.view` gets a 404, as does a revoked or unknown token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any, cast

import icalendar
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import CalendarFeed, Post
from flokk.content.services.calendar import CalendarFilters, filter_posts
from flokk.core.audit import record
from flokk.teams.models import Organization, User, hash_secret
from flokk.teams.permissions import resolve_access

FEED_TOKEN_PREFIX = "flkcal_"  # noqa: S105  (a marker, not a secret)
PAST = dt.timedelta(days=60)
FUTURE = dt.timedelta(days=365)
EVENT_LENGTH = dt.timedelta(minutes=15)
SUMMARY_LENGTH = 80
CONFIRMED = frozenset({PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.PUBLISHED})


def event_status(status: str) -> str:
    """Approved, scheduled and published posts are CONFIRMED, rejected ones CANCELLED, the rest TENTATIVE."""
    if status in CONFIRMED:
        return "CONFIRMED"
    if status == PostStatus.REJECTED:
        return "CANCELLED"
    return "TENTATIVE"


def create_calendar_feed(
    organization: Organization, *, owner: User, name: str, filters: Mapping[str, Any], actor: User
) -> tuple[CalendarFeed, str]:
    """A new feed of `owner`'s view of the calendar, narrowed by `filters`; returns (feed, clear token).

    The owner needs `production.view`; the actor is the owner (people create their own feeds).
    """
    access = resolve_access(owner, organization)
    if access is None or not access.has("production.view"):
        raise PermissionDenied("production.view")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the feed a name, so you can tell it apart later.")})
    clear = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = CalendarFeed.objects.create(
            organization=organization,
            owner=owner,
            name=name[:100],
            filters=CalendarFilters.from_params(filters).as_params(),
            token_hash=hash_secret(clear),
            token_prefix=clear[:12],
        )
        record(
            "content.calendar_feed.created",
            organization=organization,
            actor=actor,
            target=feed,
            data={"filters": feed.filters, "owner": owner.email},
        )
    return feed, clear


def may_revoke(feed: CalendarFeed, person: User) -> bool:
    """The owner may revoke their feed; an administrator of the organization may revoke any."""
    if feed.owner_id == person.pk:
        return True
    access = resolve_access(person, feed.organization)
    return access is not None and access.is_admin


def revoke_calendar_feed(feed: CalendarFeed, *, actor: User) -> None:
    """Stop the feed's URL answering (PermissionDenied unless `may_revoke`); revoking twice is a no-op."""
    if not may_revoke(feed, actor):
        raise PermissionDenied("calendar feed")
    if feed.revoked_at is not None:
        return
    with transaction.atomic():
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        record("content.calendar_feed.revoked", organization=feed.organization, actor=actor, target=feed)


def feed_for_token(clear: str) -> CalendarFeed | None:
    """The active feed behind a clear token whose owner may still see the calendar, or None."""
    if not clear.startswith(FEED_TOKEN_PREFIX):
        return None
    feed = (
        CalendarFeed.objects.active()
        .select_related("organization", "owner")
        .filter(token_hash=hash_secret(clear))
        .first()
    )
    if feed is None:
        return None
    access = resolve_access(feed.owner, feed.organization)
    if access is None or not access.has("production.view"):
        return None
    now = timezone.now()
    if feed.last_used_at is None or (now - feed.last_used_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed


def _summary(post: Post) -> str:
    first = next(iter(post.variants.all()), None)
    text = " ".join((first.text if first else "").split())
    if len(text) > SUMMARY_LENGTH:
        text = text[:SUMMARY_LENGTH] + "…"
    return text or str(_("(empty post)"))


def feed_calendar(feed: CalendarFeed, *, base_url: str, now: dt.datetime | None = None) -> bytes:
    """The feed as an iCalendar document: one VEVENT per post scheduled from 60 days ago to a year ahead.

    `base_url` (`https://flokk.example`) makes the links to the posts absolute.
    """
    now = now or timezone.now()
    organization = feed.organization
    posts = filter_posts(
        Post.objects.for_org(organization)
        .filter(scheduled_at__gte=now - PAST, scheduled_at__lt=now + FUTURE)
        .select_related("campaign")
        .prefetch_related("variants")
        .order_by("scheduled_at", "pk"),
        CalendarFilters.from_params(feed.filters),
    )
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Flokk//Content calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{organization.name}: {feed.name}")
    labels = dict(Network.choices)
    statuses = dict(PostStatus.choices)
    for post in posts:
        assert post.scheduled_at is not None
        url = base_url.rstrip("/") + post.get_absolute_url()
        networks = ", ".join(str(labels.get(v.network, v.network)) for v in post.variants.all())
        lines = [
            _("Networks: %(networks)s") % {"networks": networks or "-"},
            _("Status: %(status)s") % {"status": statuses.get(post.status, post.status)},
        ]
        if post.campaign is not None:
            lines.append(_("Campaign: %(name)s") % {"name": post.campaign.name})
        if post.objective:
            lines.append(_("Objective: %(objective)s") % {"objective": post.objective})
        lines.append(url)
        event = icalendar.Event()
        event.add("uid", f"{post.pk}@flokk")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("dtstart", post.scheduled_at.astimezone(dt.UTC))
        event.add("duration", EVENT_LENGTH)
        event.add("summary", _summary(post))
        event.add("description", "\n".join(lines))
        event.add("url", url)
        event.add("status", event_status(post.status))
        event.add("last-modified", post.updated_at.astimezone(dt.UTC))
        calendar.add_component(event)
    return cast(bytes, calendar.to_ical())
