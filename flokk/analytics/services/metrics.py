"""Reading the networks' metrics: a snapshot per post and per account, and what changed becomes events.

Networks give running totals (a post has 42 likes now). Each reading of an account stores one snapshot per
published delivery of the last `LOOKBACK` whose counters changed (or that had none yet) and one for the
account, every time: the account's snapshots say when it was last read. What went up or down since the
delivery's (or account's) previous snapshot is recorded as events at the time of the reading, so the rollups
see likes arrive hour by hour; a first reading counts from zero. "reach" is kept in the snapshots only (it
does not add up).

A counter the network leaves out in one reading (a glitch, an AppView that lost a field) is not a drop to
zero: the snapshot keeps its last known total and no event is recorded, so nothing is counted twice when it
comes back. A post the network no longer returns gets no snapshot and no events.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import AnalyticsSettings, DailyRollup, HourlyRollup, MetricSnapshot
from flokk.analytics.services.rollups import NewEvent, record_events
from flokk.channels.choices import AccountStatus
from flokk.channels.connectors import REGISTRY
from flokk.channels.connectors.base import ConnectorError, MetricsPage
from flokk.channels.models import Account
from flokk.channels.services.calls import call_network
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery

logger = logging.getLogger(__name__)

LOOKBACK = dt.timedelta(days=30)  # posts older than this are not read any more
DEFAULT_EVERY_MINUTES = 60  # an organization without analytics settings
ACCOUNTS_PER_ROUND = 20
NOT_ADDING_UP = frozenset({"reach"})  # kept in snapshots, never an event
COUNTED_KINDS = frozenset(EventKind.values)
_FAILED_KEY = "analytics:metrics-failed:{}"


@dataclass(frozen=True)
class MetricsReading:
    """What one reading stored: snapshots and events (both 0 when the reading was stored already)."""

    snapshots: int
    events: int


def metrics_networks() -> list[str]:
    """The networks whose connectors read metrics."""
    return [name for name, connector in REGISTRY.items() if connector.capabilities.metrics]


def deliveries_to_read(account: Account, now: dt.datetime) -> list[Delivery]:
    return list(
        Delivery.objects.filter(
            account=account,
            status=DeliveryStatus.PUBLISHED,
            published_at__gte=now - LOOKBACK,
            published_at__lte=now,
        )
        .exclude(remote_id="")
        .select_related("post")
        .order_by("published_at")
    )


def collect_metrics(account: Account, now: dt.datetime | None = None) -> MetricsReading:
    """Read the account's metrics from its network and store the reading (see the module docstring).

    Raises `ConnectorError` when the network cannot be asked; nothing is stored then, and an account whose
    credentials were refused is marked as needing a reconnect (by `call_network`). Storing a reading whose
    time the account has a snapshot for already (or a later one) does nothing: a reading is stored once.
    """
    now = now or timezone.now()
    deliveries = deliveries_to_read(account, now)
    remote_ids = [delivery.remote_id for delivery in deliveries]
    page = call_network(account, lambda connector: connector.fetch_metrics(remote_ids))
    return store_reading(account, deliveries, page, now)


def store_reading(
    account: Account, deliveries: list[Delivery], page: MetricsPage, now: dt.datetime
) -> MetricsReading:
    """Store one reading of `account` taken at `now`: snapshots, and events for what changed."""
    source = EventSource.DEMO if page.demo else EventSource.NETWORK
    missing = sorted(set(page.missing))
    with transaction.atomic():
        # One reading at a time per account, so two workers never count the same change twice.
        Account.objects.select_for_update().filter(pk=account.pk).first()
        if MetricSnapshot.objects.filter(account=account, delivery=None, taken_at__gte=now).exists():
            return MetricsReading(snapshots=0, events=0)
        previous = _latest_values(account, [delivery.pk for delivery in deliveries])
        snapshots: list[MetricSnapshot] = []
        events: list[NewEvent] = []
        of_account = NewEvent.of_account(account, now, source)
        for delivery in deliveries:
            counters = page.posts.get(delivery.remote_id)
            if counters is None:
                continue
            before = previous.get(delivery.pk)
            values = _carried(before or {}, counters)
            if before is not None and values == before:
                continue
            snapshots.append(snapshot(account, delivery, now, values, missing, page.demo))
            events += _events(before or {}, values, base=of_account.of_delivery(delivery))
        before = previous.get(None)
        values = _carried(before or {}, page.account)
        snapshots.append(snapshot(account, None, now, values, missing, page.demo))
        events += _events(before or {}, values, base=of_account)
        MetricSnapshot.objects.bulk_create(snapshots)
        record_events(events)
    return MetricsReading(snapshots=len(snapshots), events=len(events))


def snapshot(
    account: Account,
    delivery: Delivery | None,
    now: dt.datetime,
    values: dict[str, int],
    missing: list[str],
    demo: bool,
) -> MetricSnapshot:
    """A reading of the account (or of one of its deliveries) taken at `now`, not saved yet."""
    return MetricSnapshot(
        organization_id=account.organization_id,
        account=account,
        delivery=delivery,
        taken_at=now,
        values=values,
        missing=missing,
        demo=demo,
    )


def _latest_values(account: Account, delivery_ids: list[uuid.UUID]) -> dict[uuid.UUID | None, dict[str, int]]:
    """The values of the latest snapshot of each delivery (and of the account, under None)."""
    latest = MetricSnapshot.objects.filter(account=account, delivery=OuterRef("delivery")).order_by(
        "-taken_at", "-created_at"
    )
    found: dict[uuid.UUID | None, dict[str, int]] = {}
    rows = MetricSnapshot.objects.filter(
        account=account, delivery__in=delivery_ids, pk=Subquery(latest.values("pk")[:1])
    ).values_list("delivery_id", "values")
    for delivery_id, values in rows:
        found[delivery_id] = dict(values)
    account_values = (
        MetricSnapshot.objects.filter(account=account, delivery=None)
        .order_by("-taken_at", "-created_at")
        .values_list("values", flat=True)
        .first()
    )
    if account_values is not None:
        found[None] = dict(account_values)
    return found


def _carried(before: Mapping[str, int], counters: Mapping[str, int]) -> dict[str, int]:
    """The new totals, with the last known total of every counter the network left out this time."""
    values = {kind: total for kind, total in before.items() if kind not in counters}
    values.update({kind: int(total) for kind, total in counters.items()})
    return dict(sorted(values.items()))


def _events(before: Mapping[str, int], after: Mapping[str, int], *, base: NewEvent) -> list[NewEvent]:
    """One event per counted kind whose total changed (from zero when there was none before)."""
    events = []
    for kind, total in after.items():
        if kind in NOT_ADDING_UP or kind not in COUNTED_KINDS:
            continue
        change = total - before.get(kind, 0)
        if change:
            events.append(replace(base, kind=kind, count=change))
    return events


# --- The periodic reading -----------------------------------------------------------------------------
def interval_of(organization_id: uuid.UUID) -> dt.timedelta:
    """How often the organization's metrics are read."""
    minutes = (
        AnalyticsSettings.objects.filter(organization_id=organization_id)
        .values_list("metrics_every_minutes", flat=True)
        .first()
    )
    return dt.timedelta(minutes=minutes or DEFAULT_EVERY_MINUTES)


def accounts_due(now: dt.datetime, limit: int = ACCOUNTS_PER_ROUND) -> list[Account]:
    """Connected accounts on networks with metrics whose organization's interval has passed since their
    last reading (never read first, then the longest ago), leaving out those that failed within it."""
    last_read = (
        MetricSnapshot.objects.filter(account=OuterRef("pk"), delivery=None)
        .order_by("-taken_at")
        .values("taken_at")[:1]
    )
    candidates = (
        Account.objects.filter(status=AccountStatus.CONNECTED, network__in=metrics_networks())
        .annotate(last_read=Subquery(last_read))
        .select_related("organization")
    )
    every = dict(AnalyticsSettings.objects.values_list("organization_id", "metrics_every_minutes"))
    due = []
    for account in candidates:
        interval = dt.timedelta(minutes=every.get(account.organization_id) or DEFAULT_EVERY_MINUTES)
        last: dt.datetime | None = account.last_read  # type: ignore[attr-defined]
        if last is not None and last > now - interval:
            continue
        if cache.get(_FAILED_KEY.format(account.pk)):
            continue
        due.append((last or dt.datetime.min.replace(tzinfo=dt.UTC), account))
    due.sort(key=lambda pair: pair[0])
    return [account for _last, account in due[:limit]]


def collect_due(now: dt.datetime | None = None) -> int:
    """One round of the periodic job: read every due account; returns how many readings were stored.

    An account whose network fails is left alone for its organization's interval (or as long as the network
    asks), so a network that is down is not asked every minute; the others go on.
    """
    now = now or timezone.now()
    stored = 0
    for account in accounts_due(now):
        try:
            collect_metrics(account, now=timezone.now())
        except ConnectorError as error:
            wait = error.retry_after or interval_of(account.organization_id).total_seconds()
            cache.set(_FAILED_KEY.format(account.pk), True, timeout=max(int(wait), 60))
            logger.warning("metrics of %s could not be read: %s", account.pk, error.message)
            continue
        except Exception:  # one account's bad answer must not stop the others
            logger.exception("storing the metrics of %s failed", account.pk)
            continue
        stored += 1
    return stored


# --- Reading what was stored (the API, pages) ---------------------------------------------------------
SERIES_LIMIT = 500  # snapshots in one time series, the latest


@dataclass(frozen=True)
class Series:
    """The readings of one delivery (or account), oldest first; `latest` is the last one, if any."""

    readings: list[MetricSnapshot]

    @property
    def latest(self) -> MetricSnapshot | None:
        return self.readings[-1] if self.readings else None


def series_of(account: Account, delivery: Delivery | None = None) -> Series:
    """The stored readings of the delivery (None: of the account itself), at most SERIES_LIMIT, oldest
    first."""
    readings = MetricSnapshot.objects.filter(account=account, delivery=delivery).order_by("-taken_at")
    return Series(list(reversed(readings[:SERIES_LIMIT])))


def rollup_rows(
    organization_id: uuid.UUID,
    *,
    grain: str,
    start: dt.date,
    end: dt.date,
    kind: str | None = None,
    account_id: uuid.UUID | None = None,
) -> list[HourlyRollup] | list[DailyRollup]:
    """The organization's rollup rows from `start` to `end` (days, both included): hourly rows by UTC hour,
    daily rows by the organization's own days."""
    if grain == "hour":
        since = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
        until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        rows: Any = HourlyRollup.objects.filter(hour__gte=since, hour__lt=until)
    else:
        rows = DailyRollup.objects.filter(day__gte=start, day__lte=end)
    rows = rows.filter(organization_id=organization_id)
    if kind:
        rows = rows.filter(kind=kind)
    if account_id:
        rows = rows.filter(account_id=account_id)
    return list(rows.order_by(grain, "kind", "network", "account_id", "campaign_id"))
