"""Demo analytics: sixty days of made-up metrics for the demo organization, labelled demo.

The demo's sandbox account gets a history of published posts (when it has none yet), and each post the
counters the sandbox network would have shown along its life (`connectors/sandbox/metrics.py`), recorded as
events with source DEMO: hour by hour in the daytime of its first day (what came in at night arrives with
the morning), then at two busy hours a day. The followers grow the same way. The latest counters are
stored as snapshots, so the next real reading of the sandbox goes on from there without a jump.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import MetricSnapshot
from flokk.analytics.services.metrics import snapshot
from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all
from flokk.channels.connectors.sandbox.metrics import demo_remote_id, followers, post_counters
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.content.services.posts import PostInput, VariantInput, create_post
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery
from flokk.teams.models import Membership, Organization

DEMO_DAYS = 60
FIRST_DAY = dt.timedelta(hours=24)  # read hour by hour (in the daytime) after publishing
POST_LIFE = dt.timedelta(days=30)  # the sandbox's counters stop growing after this
DAY_HOURS = range(7, 24)  # local hours read on the first day
BUSY_HOURS = (9, 19)  # local hours read afterwards, and when followers are counted
COUNTED = frozenset(EventKind.values)
# (days ago, local hour, content type, tags, text): the demo account's published history.
HISTORY = [
    (58, 19, "image", ["launch"], "Last call for the winter sale: everything must go before the new season."),
    (54, 12, "text", ["community"], "What was your favourite piece from our winter range?"),
    (
        50,
        8,
        "video",
        ["behindthescenes"],
        "A morning at the studio: coffee, fabric samples and tape.",
    ),
    (45, 20, "image", ["product"], "New colours are coming. Can you guess which one we picked first?"),
    (41, 17, "text", ["community"], "Thank you for 100 reviews this month! We read every one of them."),
    (36, 19, "video", ["product"], "How our spring jacket is made, from sketch to seam, in 40 seconds."),
    (31, 13, "image", ["behindthescenes"], "Meet Sara, who decides which fabrics make it into the range."),
    (26, 9, "text", ["tips"], "Three ways to wear one scarf: a thread for the colder mornings."),
    (20, 20, "image", ["launch"], "Save the date: the spring launch evening is coming to our store."),
    (14, 18, "video", ["tips"], "Caring for wool: wash less, air more. Our 30-second guide."),
    (8, 12, "text", ["community"], "Tell us where you wore your Flokk piece this winter, with a photo!"),
    (3, 19, "image", ["launch"], "Sneak peek: the first spring colours are in the store this week."),
]


def seed_analytics_demo(organization: Organization) -> int:
    """Seed once (nothing when the organization has metrics already); returns how many events were counted."""
    account = Account.objects.filter(organization=organization, network=Network.SANDBOX).first()
    if account is None or MetricSnapshot.objects.filter(organization=organization).exists():
        return 0
    now = timezone.now().replace(second=0, microsecond=0)
    zone = zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.filter(account=account, status=DeliveryStatus.PUBLISHED, published_at__lte=now)
            .exclude(remote_id="")
            .select_related("post")
        ) or _publish_history(organization, account, now, zone)
        events: list[NewEvent] = []
        snapshots: list[MetricSnapshot] = []
        for delivery in deliveries:
            counters = _counters_of(delivery.remote_id, delivery.published_at or now)
            event = NewEvent.of_account(account, now, EventSource.DEMO).of_delivery(delivery)
            events += _history(counters, _post_times(delivery.published_at or now, now, zone), event)
            snapshots.append(_demo_reading(account, delivery, now, counters(now)))
        start = now - dt.timedelta(days=DEMO_DAYS)
        follower_event = NewEvent.of_account(account, now, EventSource.DEMO)
        account_times = [start, *_busy_times(start, now, zone), now]
        events += _history(
            lambda at: {"follower": followers(account.handle, at)}, account_times, follower_event
        )
        snapshots.append(_demo_reading(account, None, now, {"follower": followers(account.handle, now)}))
        MetricSnapshot.objects.bulk_create(snapshots)
        record_events(events)
    return refresh_all()


def _counters_of(remote_id: str, published_at: dt.datetime) -> Callable[[dt.datetime], dict[str, int]]:
    """The sandbox's counters of the post at a given time."""
    return lambda at: post_counters(remote_id, at - published_at)


def _publish_history(
    organization: Organization, account: Account, now: dt.datetime, zone: zoneinfo.ZoneInfo
) -> list[Delivery]:
    """The demo account's published posts of the last weeks (HISTORY), as publishing leaves them."""
    owner = Membership.objects.filter(organization=organization, is_admin=True).select_related("user").first()
    if owner is None:
        return []
    today = now.astimezone(zone).date()
    deliveries = []
    for number, (days_ago, hour, content_type, tags, text) in enumerate(HISTORY):
        day = today - dt.timedelta(days=days_ago)
        published_at = dt.datetime.combine(day, dt.time(hour, number * 7 % 60), tzinfo=zone)
        post = create_post(
            organization,
            PostInput(
                account_ids=[account.pk],
                text=text,
                content_type=content_type,
                tags=tags,
                variants={Network.SANDBOX: VariantInput(text=text)},
            ),
            actor=owner.user,
        )
        Post.objects.filter(pk=post.pk).update(status=PostStatus.PUBLISHED, scheduled_at=published_at)
        deliveries.append(
            Delivery.objects.create(
                organization=organization,
                post=post,
                variant=post.variants.get(network=Network.SANDBOX),
                account=account,
                idempotency_key=uuid.uuid4().hex,
                status=DeliveryStatus.PUBLISHED,
                due_at=published_at,
                next_attempt_at=published_at,
                attempt_count=1,
                remote_id=demo_remote_id(account.handle, published_at, number),
                published_at=published_at,
            )
        )
    return list(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).select_related("post"))


def _post_times(published_at: dt.datetime, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    """When a post's counters are taken: every daytime hour of its first day, then the busy hours until
    the end of its life (or now); and now, so the last total is the snapshot's."""
    times = []
    hour = published_at.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while hour < min(published_at + FIRST_DAY, now):
        if hour.astimezone(zone).hour in DAY_HOURS:
            times.append(hour)
        hour += dt.timedelta(hours=1)
    times += _busy_times(published_at + FIRST_DAY, min(published_at + POST_LIFE, now), zone)
    return [*times, now]


def _busy_times(start: dt.datetime, end: dt.datetime, zone: zoneinfo.ZoneInfo) -> list[dt.datetime]:
    times = []
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        for hour in BUSY_HOURS:
            moment = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            if start <= moment < end:
                times.append(moment.astimezone(dt.UTC))
        day += dt.timedelta(days=1)
    return times


def _history(
    counters: Callable[[dt.datetime], dict[str, int]], times: list[dt.datetime], base: NewEvent
) -> list[NewEvent]:
    """An event for each counted kind at each time its total went up or down since the time before."""
    events = []
    before: dict[str, int] = {}
    for moment in times:
        now = counters(moment)
        for kind, total in now.items():
            change = total - before.get(kind, 0)
            if change and kind in COUNTED:
                events.append(replace(base, occurred_at=moment, kind=kind, count=change))
        before = now
    return events


def _demo_reading(
    account: Account, delivery: Delivery | None, now: dt.datetime, values: dict[str, int]
) -> MetricSnapshot:
    return snapshot(account, delivery, now, dict(sorted(values.items())), [], demo=True)
