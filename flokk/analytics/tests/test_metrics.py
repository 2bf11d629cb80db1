"""Metrics arrive: each reading is a snapshot, what changed since the last one becomes events, once."""

from __future__ import annotations

import datetime as dt
import io
import time
import uuid
from collections.abc import Callable, Iterator
from typing import ClassVar

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from flokk.analytics.choices import EventSource
from flokk.analytics.models import (
    AnalyticsSettings,
    DailyRollup,
    Event,
    HourlyRollup,
    MetricSnapshot,
    PendingEvent,
    PostRollup,
)
from flokk.analytics.services.demo import HISTORY, seed_analytics_demo
from flokk.analytics.services.metrics import accounts_due, collect_due, collect_metrics
from flokk.analytics.services.rollups import refresh_all
from flokk.channels import connectors
from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import Capabilities, Connector, ConnectorError, MetricsPage
from flokk.channels.connectors.sandbox import connector as sandbox
from flokk.channels.connectors.sandbox.metrics import demo_remote_id, followers, post_counters
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.services.posts import PostInput, create_post
from flokk.content.tests.helpers import network_account
from flokk.core.periodic import JOBS
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


# --- helpers --------------------------------------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[dt.datetime], None]:
    """Set the sandbox network's time."""

    def set_to(moment: dt.datetime) -> None:
        monkeypatch.setattr(sandbox, "clock", lambda: moment)

    return set_to


@pytest.fixture
def sandbox_account(demo: Organization) -> Account:
    return Account.objects.get(organization=demo, network=Network.SANDBOX)


@pytest.fixture
def publish(member) -> Callable[..., Delivery]:
    """A post published on `account` at `at`, as the publishing engine leaves it."""

    def make(account: Account, at: dt.datetime, remote_id: str = "") -> Delivery:
        post = create_post(
            account.organization,
            PostInput(account_ids=[account.pk], text="Hej från Flokk"),
            actor=member("copywriter"),
        )
        return Delivery.objects.create(
            organization=account.organization,
            post=post,
            variant=post.variants.get(),
            account=account,
            idempotency_key=uuid.uuid4().hex,
            status=DeliveryStatus.PUBLISHED,
            due_at=at,
            next_attempt_at=at,
            remote_id=remote_id or demo_remote_id(account.handle, at, 1),
            published_at=at,
        )

    return make


class ScriptedMetrics(Connector):
    """A network whose next readings (or errors) the test writes."""

    network: ClassVar[str] = Network.MASTODON
    capabilities: ClassVar[Capabilities] = Capabilities(metrics=True)
    script: ClassVar[list[MetricsPage | ConnectorError]]
    asked: ClassVar[list[list[str]]]

    async def fetch_metrics(self, remote_ids: list[str]) -> MetricsPage:
        self.asked.append(remote_ids)
        answer = self.script.pop(0)
        if isinstance(answer, ConnectorError):
            raise answer
        return answer


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[ScriptedMetrics]]:
    monkeypatch.setattr(ScriptedMetrics, "script", [], raising=False)
    monkeypatch.setattr(ScriptedMetrics, "asked", [], raising=False)
    monkeypatch.setitem(connectors.REGISTRY, Network.MASTODON, ScriptedMetrics)
    yield ScriptedMetrics


def post_totals(delivery: Delivery) -> dict[str, int]:
    refresh_all()
    return dict(PostRollup.objects.filter(delivery_id=delivery.pk).values_list("kind", "total"))


def latest(delivery: Delivery | None, account: Account) -> MetricSnapshot:
    snapshot = MetricSnapshot.objects.filter(account=account, delivery=delivery).order_by("-taken_at").first()
    assert snapshot is not None
    return snapshot


# --- the sandbox, deltas, idempotence -------------------------------------------------------------------
def test_a_first_reading_counts_from_zero_and_is_labelled_demo(sandbox_account, publish, clock):
    delivery = publish(sandbox_account, NOW - dt.timedelta(hours=6))
    clock(NOW)

    reading = collect_metrics(sandbox_account, now=NOW)

    expected = post_counters(delivery.remote_id, dt.timedelta(hours=6))
    snapshot = latest(delivery, sandbox_account)
    assert snapshot.values == expected and snapshot.demo and snapshot.missing == []
    assert expected["like"] > 0 and expected["impression"] > expected["like"]
    assert latest(None, sandbox_account).values == {"follower": followers(sandbox_account.handle, NOW)}
    assert reading.snapshots == 2
    # Every counted kind arrives as events at the time of the reading; reach stays in the snapshot.
    totals = post_totals(delivery)
    assert totals == {kind: total for kind, total in expected.items() if kind != "reach" and total}
    assert set(Event.objects.values_list("source", flat=True)) == {EventSource.DEMO}
    assert set(Event.objects.values_list("occurred_at", flat=True)) == {NOW}


def test_a_later_reading_records_only_what_changed(sandbox_account, publish, clock):
    delivery = publish(sandbox_account, NOW - dt.timedelta(hours=2))
    clock(NOW)
    collect_metrics(sandbox_account, now=NOW)
    first = post_totals(delivery)
    later = NOW + dt.timedelta(hours=5)
    clock(later)

    collect_metrics(sandbox_account, now=later)

    expected = post_counters(delivery.remote_id, dt.timedelta(hours=7))
    assert expected["like"] > first["like"]  # the post is still growing
    assert post_totals(delivery)["like"] == expected["like"]
    growth = Event.objects.filter(delivery_id=delivery.pk, kind="like", occurred_at=later)
    assert growth.get().count == expected["like"] - first["like"]
    assert MetricSnapshot.objects.filter(delivery=delivery).count() == 2


def test_the_same_reading_is_stored_once(sandbox_account, publish, clock):
    delivery = publish(sandbox_account, NOW - dt.timedelta(hours=3))
    clock(NOW)
    collect_metrics(sandbox_account, now=NOW)
    events = PendingEvent.objects.count()

    again = collect_metrics(sandbox_account, now=NOW)

    assert (again.snapshots, again.events) == (0, 0)
    assert PendingEvent.objects.count() == events
    assert MetricSnapshot.objects.filter(delivery=delivery).count() == 1


def test_unchanged_counters_add_no_snapshot_and_no_event(demo, publish, scripted):
    account = network_account(demo, Network.MASTODON)
    delivery = publish(account, NOW - dt.timedelta(days=2), remote_id="111")
    page = MetricsPage(posts={"111": {"like": 4}}, account={"follower": 10})
    scripted.script += [page, page]
    later = NOW + dt.timedelta(hours=1)

    collect_metrics(account, now=NOW)
    collect_metrics(account, now=later)

    assert MetricSnapshot.objects.filter(delivery=delivery).count() == 1
    assert not PendingEvent.objects.filter(occurred_at=later).exists()
    # The account is read every time: its snapshots say when it was last read.
    assert MetricSnapshot.objects.filter(account=account, delivery=None).count() == 2


def test_posts_older_than_thirty_days_and_unpublished_ones_are_not_read(demo, publish, scripted):
    account = network_account(demo, Network.MASTODON)
    recent = publish(account, NOW - dt.timedelta(days=3), remote_id="111")
    publish(account, NOW - dt.timedelta(days=31), remote_id="100")
    failed = publish(account, NOW - dt.timedelta(days=1), remote_id="")
    Delivery.objects.filter(pk=failed.pk).update(status=DeliveryStatus.FAILED, remote_id="")
    scripted.script.append(MetricsPage(posts={"111": {"like": 1}}))

    collect_metrics(account, now=NOW)

    assert scripted.asked == [[recent.remote_id]]


# --- what networks leave out ---------------------------------------------------------------------------
def test_missing_kinds_are_kept_and_a_counter_left_out_is_not_a_drop(demo, publish, scripted):
    account = network_account(demo, Network.MASTODON)
    delivery = publish(account, NOW - dt.timedelta(days=1), remote_id="111")
    missing = ("impression", "reach", "save")
    scripted.script += [
        MetricsPage(posts={"111": {"like": 5, "comment": 2}}, account={"follower": 40}, missing=missing),
        MetricsPage(posts={"111": {"like": 7}}, account={}, missing=missing),  # a glitch: no comments
        MetricsPage(posts={"111": {"like": 6, "comment": 3}}, account={"follower": 39}, missing=missing),
        MetricsPage(posts={}, account={"follower": 39}, missing=missing),  # the post was deleted
    ]
    hours = [NOW + dt.timedelta(hours=n) for n in range(4)]

    for moment in hours:
        collect_metrics(account, now=moment)

    snapshot = latest(delivery, account)
    assert snapshot.missing == ["impression", "reach", "save"] and not snapshot.demo
    assert snapshot.values == {"comment": 3, "like": 6}
    assert MetricSnapshot.objects.get(delivery=delivery, taken_at=hours[1]).values == {
        "comment": 2,
        "like": 7,
    }
    assert not MetricSnapshot.objects.filter(delivery=delivery, taken_at=hours[3]).exists()
    likes = PendingEvent.objects.filter(delivery_id=delivery.pk, kind="like").order_by("occurred_at")
    assert list(likes.values_list("count", flat=True)) == [5, 2, -1]  # an unlike counts down
    comments = PendingEvent.objects.filter(delivery_id=delivery.pk, kind="comment").order_by("occurred_at")
    assert list(comments.values_list("count", flat=True)) == [2, 1]  # not -2 and +3
    follower = PendingEvent.objects.filter(delivery_id=uuid.UUID(int=0), kind="follower")
    assert list(follower.order_by("occurred_at").values_list("count", flat=True)) == [40, -1]
    assert set(PendingEvent.objects.values_list("source", flat=True)) == {EventSource.NETWORK}
    assert post_totals(delivery) == {"like": 6, "comment": 3}


# --- a network that fails ------------------------------------------------------------------------------
def test_a_refused_account_keeps_its_readings_and_is_flagged(demo, publish, scripted):
    account = network_account(demo, Network.MASTODON)
    delivery = publish(account, NOW - dt.timedelta(days=1), remote_id="111")
    scripted.script += [
        MetricsPage(posts={"111": {"like": 5}}, account={"follower": 40}),
        ConnectorError("token revoked", needs_reconnect=True),
    ]
    collect_metrics(account, now=NOW)
    snapshots, events = MetricSnapshot.objects.count(), PendingEvent.objects.count()

    with pytest.raises(ConnectorError):
        collect_metrics(account, now=NOW + dt.timedelta(hours=1))

    assert (MetricSnapshot.objects.count(), PendingEvent.objects.count()) == (snapshots, events)
    assert latest(delivery, account).values == {"like": 5}
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert account not in accounts_due(NOW + dt.timedelta(days=1))


def test_a_network_that_is_down_is_left_alone_until_the_interval_passes(demo, publish, scripted):
    account = network_account(demo, Network.MASTODON)
    publish(account, NOW - dt.timedelta(days=1), remote_id="111")
    scripted.script += [ConnectorError("503 from the instance")]

    assert collect_due(NOW) == 1  # the demo's sandbox account was read; the Mastodon one failed
    account.refresh_from_db()
    assert account.status == AccountStatus.CONNECTED  # a passing failure is no reason to reconnect
    assert len(scripted.asked) == 1
    collect_due(NOW + dt.timedelta(minutes=1))
    assert len(scripted.asked) == 1  # not asked again a minute later
    assert not MetricSnapshot.objects.filter(account=account).exists()


# --- when accounts are read -----------------------------------------------------------------------------
def test_accounts_are_read_when_their_organizations_interval_has_passed(
    demo, sandbox_account, publish, clock
):
    AnalyticsSettings.objects.update_or_create(organization=demo, defaults={"metrics_every_minutes": 30})
    publish(sandbox_account, NOW - dt.timedelta(hours=1))
    clock(NOW)
    assert sandbox_account in accounts_due(NOW)

    collect_metrics(sandbox_account, now=NOW)

    assert sandbox_account not in accounts_due(NOW + dt.timedelta(minutes=20))
    assert sandbox_account in accounts_due(NOW + dt.timedelta(minutes=30))
    Account.objects.filter(pk=sandbox_account.pk).update(status=AccountStatus.DISCONNECTED)
    assert sandbox_account not in accounts_due(NOW + dt.timedelta(minutes=30))


def test_the_job_reads_due_accounts(sandbox_account, publish):
    import flokk.analytics.tasks  # noqa: F401  (registers the jobs, as the worker's discovery does)

    delivery = publish(sandbox_account, timezone.now() - dt.timedelta(hours=1))

    JOBS["analytics.collect_metrics"].run()

    assert MetricSnapshot.objects.filter(delivery=delivery).exists()
    assert JOBS["analytics.collect_metrics"].every == dt.timedelta(minutes=1)


# --- the demo -------------------------------------------------------------------------------------------
def test_the_demo_gets_sixty_days_of_metrics_that_a_later_reading_goes_on_from(demo, sandbox_account, clock):
    started = time.monotonic()
    counted = seed_analytics_demo(demo)
    took = time.monotonic() - started

    assert took < 4.0  # ~1 s on a quiet machine; the bound leaves room for a busy one
    deliveries = list(Delivery.objects.filter(account=sandbox_account, status=DeliveryStatus.PUBLISHED))
    assert len(deliveries) == len(HISTORY) and counted > 1000
    assert set(Event.objects.filter(organization=demo).values_list("source", flat=True)) == {EventSource.DEMO}
    # What the rollups hold for each post is what its latest snapshot says.
    for delivery in deliveries:
        snapshot = latest(delivery, sandbox_account)
        assert snapshot.demo
        assert post_totals(delivery) == {k: v for k, v in snapshot.values.items() if k != "reach" and v}
    followers_now = latest(None, sandbox_account).values["follower"]
    assert DailyRollup.objects.filter(organization=demo, kind="follower").aggregate(s=Sum("total"))["s"] == (
        followers_now
    )
    # Likes come in the daytime: more in the evening (Stockholm) than at night.
    hourly = dict(
        HourlyRollup.objects.filter(organization=demo, kind="like")
        .values_list("hour__hour")
        .annotate(s=Sum("total"))
        .values_list("hour__hour", "s")
    )
    assert hourly.get(18, 0) > hourly.get(2, 0)
    assert seed_analytics_demo(demo) == 0  # once

    # The next reading of the sandbox goes on from the seeded numbers: nothing counts down.
    later = latest(None, sandbox_account).taken_at + dt.timedelta(hours=2)
    clock(later)
    collect_metrics(sandbox_account, now=later)
    assert not PendingEvent.objects.filter(organization=demo, count__lt=0).exists()
    assert PendingEvent.objects.filter(organization=demo, occurred_at=later).count() < 30


def test_the_demo_command_seeds_the_metrics(demo, sandbox_account):
    call_command("demo", stdout=io.StringIO())

    assert MetricSnapshot.objects.filter(account=sandbox_account, delivery=None, demo=True).exists()


# --- the API --------------------------------------------------------------------------------------------
@pytest.fixture
def seeded(demo, sandbox_account) -> list[Delivery]:
    seed_analytics_demo(demo)
    return list(Delivery.objects.filter(account=sandbox_account).order_by("published_at"))


def test_a_posts_metrics_show_latest_counters_and_readings(seeded, member, api_for, publish, clock):
    delivery = seeded[-1]
    clock(timezone.now() + dt.timedelta(hours=2))
    collect_metrics(delivery.account, now=timezone.now() + dt.timedelta(hours=2))

    answer = api_for(member("analyst")).get(f"/api/v1/orgs/demo/posts/{delivery.post_id}/metrics")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    (found,) = body["deliveries"]
    assert found["delivery_id"] == str(delivery.pk) and found["network"] == "sandbox"
    assert found["latest"]["demo"] is True and found["latest"]["missing"] == []
    assert found["latest"]["values"] == latest(delivery, delivery.account).values
    assert len(found["series"]) == 2
    assert found["series"][0]["taken_at"] < found["series"][1]["taken_at"]


def test_an_accounts_metrics_show_its_followers(seeded, member, api_for, sandbox_account):
    answer = api_for(member("community-manager")).get(
        f"/api/v1/orgs/demo/accounts/{sandbox_account.pk}/metrics"
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["latest"]["values"]["follower"] == followers(
        sandbox_account.handle, latest(None, sandbox_account).taken_at
    )


def test_rollups_by_day_and_by_hour(seeded, member, api_for, sandbox_account):
    client = api_for(member("analyst"))
    today = timezone.localdate()

    by_day = client.get("/api/v1/orgs/demo/rollups", {"grain": "day", "kind": "follower"})
    by_hour = client.get(
        "/api/v1/orgs/demo/rollups",
        {"grain": "hour", "start": str(today - dt.timedelta(days=3)), "end": str(today), "kind": "like"},
    )
    other = client.get("/api/v1/orgs/demo/rollups", {"account_id": str(uuid.uuid4())})
    too_long = client.get(
        "/api/v1/orgs/demo/rollups", {"grain": "hour", "start": "2026-01-01", "end": "2026-06-01"}
    )

    assert by_day.status_code == 200, by_day.content
    rows = by_day.json()["rows"]
    assert len(rows) >= 29 and {row["kind"] for row in rows} == {"follower"}
    assert all(row["day"] and row["hour"] is None for row in rows)
    assert {row["account_id"] for row in rows} == {str(sandbox_account.pk)}
    assert by_hour.status_code == 200
    assert by_hour.json()["rows"] and all(row["kind"] == "like" for row in by_hour.json()["rows"])
    assert other.status_code == 404
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "bad_range"


def test_metrics_need_the_analysis_area_and_stay_in_their_organization(
    seeded, member, api_for, outsider, sandbox_account
):
    post_url = f"/api/v1/orgs/demo/posts/{seeded[0].post_id}/metrics"
    account_url = f"/api/v1/orgs/demo/accounts/{sandbox_account.pk}/metrics"
    copywriter, stranger = api_for(member("copywriter")), api_for(outsider)

    assert copywriter.get(post_url).status_code == 403
    assert copywriter.get("/api/v1/orgs/demo/rollups").status_code == 403
    assert stranger.get(post_url).status_code == 404
    assert stranger.get(account_url).status_code == 404
    # The demo's ids asked for under the outsider's own organization: not found there.
    assert stranger.get(f"/api/v1/orgs/other/posts/{seeded[0].post_id}/metrics").status_code == 404
    assert stranger.get(f"/api/v1/orgs/other/accounts/{sandbox_account.pk}/metrics").status_code == 404
