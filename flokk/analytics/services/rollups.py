"""Counting events into the hourly, daily and per-post rollups, incrementally.

`record_events` queues events; `refresh` (a periodic job, and after imports) drains the queue: it adds the
batch to the rollups and moves it to the raw `Event` table in one transaction, so each event is counted
exactly once. `rebuild` recounts an organization from its raw events (after a change of time zone).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from flokk.analytics.choices import ENGAGEMENT_KINDS, EventKind
from flokk.analytics.models import (
    NONE,
    DailyRollup,
    Event,
    HourlyRollup,
    Link,
    OrganizationDailyRollup,
    PendingEvent,
    PostRollup,
    PostSummary,
    RefreshState,
)
from flokk.channels.models import Account
from flokk.core.bulk import add_rows, insert_rows, take_rows, update_rows
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

# The columns of an event, in the order of `NewEvent` and of the rows passed around here.
EVENT_FIELDS = (
    "organization_id", "occurred_at", "kind", "count", "network", "source", "account_id", "delivery_id",
    "post_id", "campaign_id", "link_id",
)  # fmt: skip
ROLLUP_KEYS = ("organization_id", "account_id", "campaign_id", "network", "kind")
REFRESH_BATCH = 50_000
NO_ID = frozenset((NONE, NONE.hex, str(NONE)))  # "none", as a UUID or as text (see `refresh`)
ROLLUPS = (HourlyRollup, DailyRollup, OrganizationDailyRollup, PostRollup, PostSummary)
ENGAGEMENTS = frozenset(str(kind) for kind in ENGAGEMENT_KINDS)
IMPRESSION = str(EventKind.IMPRESSION)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event to count; its fields are EVENT_FIELDS, in that order."""

    organization_id: uuid.UUID
    occurred_at: dt.datetime
    kind: str
    count: int
    network: str
    source: str
    account_id: uuid.UUID = NONE
    delivery_id: uuid.UUID = NONE
    post_id: uuid.UUID = NONE
    campaign_id: uuid.UUID = NONE
    link_id: uuid.UUID = NONE

    def row(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in EVENT_FIELDS)

    @classmethod
    def of_account(cls, account: Account, occurred_at: dt.datetime, source: str) -> NewEvent:
        """An event of the account, its kind and count still to set (`dataclasses.replace`)."""
        return cls(
            account.organization_id, occurred_at, "", 0, account.network, source, account_id=account.pk
        )

    def of_delivery(self, delivery: Delivery) -> NewEvent:
        """This event, about one of the account's published deliveries (its post and campaign too)."""
        campaign = delivery.post.campaign_id or NONE
        return replace(self, delivery_id=delivery.pk, post_id=delivery.post_id, campaign_id=campaign)


def record_events(events: Iterable[NewEvent]) -> int:
    """Queue events for the rollups; returns how many. Aware times only."""
    now = timezone.now()
    rows = []
    for event in events:
        if timezone.is_naive(event.occurred_at):
            raise ValueError("events need aware times")
        rows.append((*event.row(), now))
    insert_rows(PendingEvent, (*EVENT_FIELDS, "recorded_at"), rows)
    return len(rows)


def refresh(limit: int = REFRESH_BATCH) -> int:
    """Count up to `limit` queued events into the rollups; returns how many were counted."""
    with transaction.atomic():
        taken = take_rows(PendingEvent, (*EVENT_FIELDS, "recorded_at"), limit, decode_ids=False)
        if not taken:
            return 0
        add_to_rollups([row[:-1] for row in taken])
        insert_rows(Event, (*EVENT_FIELDS, "recorded_at"), taken)
    return len(taken)


def refresh_all() -> int:
    """Drain the whole queue, a batch at a time."""
    counted = 0
    while batch := refresh():
        counted += batch
    return counted


def add_to_rollups(rows: Sequence[Sequence[object]]) -> None:
    """Add event rows (in the order of EVENT_FIELDS) to every rollup. Runs inside the caller's transaction.

    Ids may be UUIDs or, as `refresh` passes them, text (hashed far faster than UUIDs)."""
    zones = _zones({row[0] for row in rows})  # type: ignore[misc]
    hourly: dict[tuple[object, ...], int] = defaultdict(int)
    daily: dict[tuple[object, ...], int] = defaultdict(int)
    organization_daily: dict[tuple[object, ...], int] = defaultdict(int)
    posts: dict[tuple[object, ...], int] = defaultdict(int)
    summaries: dict[tuple[object, object], list[int]] = defaultdict(lambda: [0, 0])
    post_of: dict[object, tuple[object, ...]] = {}
    clicks: dict[object, int] = defaultdict(int)
    hours: dict[dt.datetime, dt.datetime] = {}
    days: dict[tuple[object, dt.datetime], dt.date] = {}
    for org, occurred_at, kind, count, network, _source, account, delivery, post, campaign, link in rows:
        assert isinstance(occurred_at, dt.datetime) and isinstance(count, int)
        # Hours and days repeat a lot within a batch: each worked out once. A day follows the quarter
        # hour, not the hour: some time zones are half or three quarters of an hour off UTC.
        quarter = occurred_at.replace(minute=occurred_at.minute // 15 * 15, second=0, microsecond=0)
        day = days.get((org, quarter))
        if day is None:
            day = days[(org, quarter)] = quarter.astimezone(zones[org]).date()  # type: ignore[index]
        stamp = quarter.replace(minute=0)
        hour = hours.get(stamp)
        if hour is None:
            hour = hours[stamp] = stamp.astimezone(dt.UTC)
        key = (org, account, campaign, network, kind)
        hourly[(*key, hour)] += count
        daily[(*key, day)] += count
        organization_daily[(org, day, network, kind)] += count
        if delivery not in NO_ID:
            posts[(org, delivery, kind)] += count
            post_of.setdefault(delivery, (post, account, campaign, network))  # a delivery's, from the first
            if kind == IMPRESSION:
                summaries[(org, delivery)][0] += count
            elif kind in ENGAGEMENTS:
                summaries[(org, delivery)][1] += count
        if link not in NO_ID:
            clicks[link] += count
    add_rows(HourlyRollup, (*ROLLUP_KEYS, "hour"), "total", [(*k, v) for k, v in hourly.items()])
    add_rows(DailyRollup, (*ROLLUP_KEYS, "day"), "total", [(*k, v) for k, v in daily.items()])
    add_rows(
        OrganizationDailyRollup,
        ("organization_id", "day", "network", "kind"),
        "total",
        [(*k, v) for k, v in organization_daily.items()],
    )
    add_rows(
        PostRollup,
        ("organization_id", "delivery_id", "kind"),
        "total",
        [(*k, *post_of[k[1]], v) for k, v in posts.items()],
        also=("post_id", "account_id", "campaign_id", "network"),
    )
    add_rows(
        PostSummary,
        ("organization_id", "delivery_id"),
        ("impressions", "engagements"),
        [(*k, *v) for k, v in summaries.items()],
    )
    if clicks:
        update_rows(Link, ("clicks+",), [(count, link) for link, count in clicks.items()])
    _mark_refreshed(rows)


def summarised(
    deliveries: QuerySet[Any],
    organization_id: uuid.UUID,
    figures: Sequence[str] = ("impressions", "engagements"),
) -> QuerySet[Any]:
    """`deliveries` annotated with their lifetime `figures` from their post summaries (0 without one)."""
    summary = PostSummary.objects.filter(organization_id=organization_id, delivery_id=OuterRef("pk"))
    annotated: QuerySet[Any] = deliveries.annotate(
        **{figure: Coalesce(Subquery(summary.values(figure)[:1]), Value(0)) for figure in figures}
    )
    return annotated


def _zones(organizations: set[uuid.UUID | str]) -> dict[uuid.UUID | str, zoneinfo.ZoneInfo]:
    """Each organization's time zone, keyed by the id as given (a UUID, or SQLite's hex text)."""
    given = {uuid.UUID(str(organization)): organization for organization in organizations}
    found = Organization.objects.filter(pk__in=list(given)).values_list("pk", "time_zone")
    return {given[pk]: zoneinfo.ZoneInfo(zone or "UTC") for pk, zone in found}


def _mark_refreshed(rows: Sequence[Sequence[object]]) -> None:
    counts: dict[uuid.UUID, int] = defaultdict(int)
    for row in rows:
        counts[row[0]] += 1  # type: ignore[index]
    now = timezone.now()
    for org, events in counts.items():
        updated = RefreshState.objects.filter(organization_id=org).update(refreshed_at=now)
        if not updated:
            RefreshState.objects.create(organization_id=org, refreshed_at=now, events=0)
        RefreshState.objects.filter(organization_id=org).update(events=F("events") + events)


def rebuild(organization: Organization, chunk: int = 100_000) -> None:
    """Recount the organization's rollups from its raw events (its days follow its current time zone)."""
    with transaction.atomic():
        for model in ROLLUPS:
            model.objects.filter(organization=organization).delete()
        RefreshState.objects.filter(organization=organization).delete()
        Link.objects.filter(organization=organization).update(clicks=0)
        last = 0
        while True:
            page = list(
                Event.objects.filter(organization=organization, pk__gt=last)
                .order_by("pk")
                .values_list("pk", *EVENT_FIELDS)[:chunk]
            )
            if not page:
                break
            add_to_rollups([row[1:] for row in page])
            last = page[-1][0]
