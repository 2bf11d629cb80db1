"""Rollups are always the sum of the raw events counted into them, however the events arrive and drain."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.db.models import Sum
from django.db.models.functions import TruncDate, TruncHour
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flokk.analytics.choices import EventKind, EventSource
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
from flokk.analytics.services.rollups import (
    ROLLUPS,
    NewEvent,
    rebuild,
    record_events,
    refresh,
    refresh_all,
)
from flokk.teams.models import Organization

pytestmark = pytest.mark.django_db

ACCOUNTS = [NONE, uuid.UUID(int=1), uuid.UUID(int=2)]
NETWORKS = ["", "bluesky", "mastodon"]  # of each account
CAMPAIGNS = [NONE, uuid.UUID(int=11)]
DELIVERIES = [NONE, uuid.UUID(int=21), uuid.UUID(int=22)]
# Around the switch to summer time in Stockholm (2026-03-29 01:00 UTC), and the day boundary there.
START = dt.datetime(2026, 3, 28, 20, 0, tzinfo=dt.UTC)

event_fields = st.tuples(
    st.integers(0, 60 * 12 - 1),  # minutes after START
    st.sampled_from([EventKind.LIKE, EventKind.IMPRESSION, EventKind.FOLLOWER, EventKind.CLICK]),
    st.integers(-3, 50),
    st.integers(0, len(ACCOUNTS) - 1),
    st.sampled_from(CAMPAIGNS),
    st.sampled_from(DELIVERIES),
    st.booleans(),  # through the short link
    st.booleans(),  # of the second organization (another time zone)
)


def _key(r: dict[str, object]) -> tuple[object, ...]:
    return (r["bucket"], r["account_id"], r["campaign_id"], r["network"], r["kind"], r["total"])


def _recounted_hours(org: Organization) -> set[tuple[object, ...]]:
    rows = (
        Event.objects.filter(organization=org)
        .annotate(bucket=TruncHour("occurred_at", tzinfo=dt.UTC))
        .values("bucket", "account_id", "campaign_id", "network", "kind")
        .annotate(total=Sum("count"))
    )
    return {_key(r) for r in rows}


def _recounted_days(org: Organization) -> set[tuple[object, ...]]:
    zone = zoneinfo.ZoneInfo(org.time_zone)
    rows = (
        Event.objects.filter(organization=org)
        .annotate(bucket=TruncDate("occurred_at", tzinfo=zone))
        .values("bucket", "account_id", "campaign_id", "network", "kind")
        .annotate(total=Sum("count"))
    )
    return {_key(r) for r in rows}


def _recounted_posts(org: Organization) -> set[tuple[object, ...]]:
    rows = (
        Event.objects.filter(organization=org)
        .exclude(delivery_id=NONE)
        .values("delivery_id", "kind")
        .annotate(total=Sum("count"))
    )
    return {(r["delivery_id"], r["kind"], r["total"]) for r in rows}


def _recounted_organization_days(org: Organization) -> set[tuple[object, ...]]:
    """The organization's days per network and kind: its daily rows summed over accounts and campaigns."""
    sums: dict[tuple[object, ...], int] = {}
    for day, _account, _campaign, network, kind, total in _recounted_days(org):
        sums[(day, network, kind)] = sums.get((day, network, kind), 0) + total  # type: ignore[operator]
    return {(*key, total) for key, total in sums.items()}


def _recounted_summaries(org: Organization) -> dict[uuid.UUID, tuple[int, int]]:
    """Per delivery: (impressions, engagements); LIKE is the only engagement kind the test draws."""
    found: dict[uuid.UUID, tuple[int, int]] = {}
    for delivery, kind, total in _recounted_posts(org):
        impressions, engagements = found.get(delivery, (0, 0))  # type: ignore[call-overload]
        if kind == EventKind.IMPRESSION:
            impressions += total  # type: ignore[operator]
        elif kind == EventKind.LIKE:
            engagements += total  # type: ignore[operator]
        found[delivery] = (impressions, engagements)  # type: ignore[index]
    return found


@pytest.fixture
def orgs(demo) -> list[Organization]:
    other = Organization.objects.create(name="Havn", slug="havn", time_zone="America/St_Johns")  # UTC-3:30
    return [demo, other]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(st.lists(event_fields, max_size=25), min_size=1, max_size=5),
    limits=st.lists(st.integers(1, 30), min_size=1, max_size=5),
)
def test_rollups_equal_a_recount_of_the_raw_events(orgs, batches, limits) -> None:
    for model in (Event, PendingEvent, *ROLLUPS, RefreshState, Link):
        model.objects.all().delete()
    link = Link.objects.create(organization=orgs[0], code="abc", target_url="https://example.com/")
    recorded = 0
    for batch, limit in zip(batches, limits * len(batches), strict=False):
        recorded += record_events(
            NewEvent(
                organization_id=orgs[other].id,
                occurred_at=START + dt.timedelta(minutes=minute),
                kind=kind,
                count=count,
                network=NETWORKS[account],
                source=EventSource.NETWORK,
                account_id=ACCOUNTS[account],
                campaign_id=campaign,
                delivery_id=delivery,
                link_id=link.id if via_link and not other else NONE,
            )
            for minute, kind, count, account, campaign, delivery, via_link, other in batch
        )
        refresh(limit)  # part of the queue now and then, as the periodic job does
    refresh_all()
    assert PendingEvent.objects.count() == 0 and Event.objects.count() == recorded
    for org in orgs:
        hours = HourlyRollup.objects.filter(organization=org)
        days = DailyRollup.objects.filter(organization=org)
        posts = PostRollup.objects.filter(organization=org)
        assert {
            (r.hour, r.account_id, r.campaign_id, r.network, r.kind, r.total) for r in hours
        } == _recounted_hours(org)
        assert {
            (r.day, r.account_id, r.campaign_id, r.network, r.kind, r.total) for r in days
        } == _recounted_days(org)
        assert {(r.delivery_id, r.kind, r.total) for r in posts} == _recounted_posts(org)
        organization_days = OrganizationDailyRollup.objects.filter(organization=org)
        assert {
            (r.day, r.network, r.kind, r.total) for r in organization_days
        } == _recounted_organization_days(org)
        summaries = {
            r.delivery_id: (r.impressions, r.engagements)
            for r in PostSummary.objects.filter(organization=org)
        }
        recounted = _recounted_summaries(org)
        assert summaries == {d: figures for d, figures in recounted.items() if d in summaries}
        assert all(figures == (0, 0) for d, figures in recounted.items() if d not in summaries)
    link.refresh_from_db()
    assert link.clicks == sum(Event.objects.filter(link_id=link.id).values_list("count", flat=True))


def test_rebuild_recounts_days_in_a_new_time_zone(orgs) -> None:
    org = orgs[0]
    late = dt.datetime(2026, 6, 1, 22, 30, tzinfo=dt.UTC)  # 00:30 on 2 June in Stockholm, 1 June in UTC
    record_events([NewEvent(org.id, late, EventKind.LIKE, 2, "bluesky", EventSource.NETWORK)])
    refresh_all()
    assert list(DailyRollup.objects.values_list("day", "total")) == [(dt.date(2026, 6, 2), 2)]
    org.time_zone = "UTC"
    org.save(update_fields=["time_zone"])
    rebuild(org)
    assert list(DailyRollup.objects.values_list("day", "total")) == [(dt.date(2026, 6, 1), 2)]
    assert HourlyRollup.objects.get().total == 2


def test_events_need_aware_times(demo) -> None:
    with pytest.raises(ValueError, match="aware"):
        record_events(
            [NewEvent(demo.id, dt.datetime(2026, 1, 1), EventKind.LIKE, 1, "", EventSource.NETWORK)]
        )
    assert PendingEvent.objects.count() == 0
