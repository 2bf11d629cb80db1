"""Benchmark: the analytics dashboard over 10,000,000 engagement events of one organization.

A fresh database (see bench/common), one organization with 10 accounts, 5 campaigns and 3,000 posts
published over a year, then 10,000,000 raw events (impressions, likes, comments, shares, saves, quotes,
link clicks, video views, short-link clicks, followers), most in the hours after their post was published.
They are stored as `Event` rows and counted into the rollups by the very code the refresh job uses
(`add_to_rollups`), a chunk at a time (untimed). The same events are loaded into DuckDB (in memory).

Timed, in the same run:
- `dashboard_p95_ms`: every query of the dashboard (`flokk.analytics.services.dashboard.dashboard`, what
  the page calls) for the last 28 days, then for the last 90 days, `--rounds` times; p95 of a whole dashboard.
- `speedup_vs_duckdb_scan`: the median of DuckDB answering the same figures by scanning the raw events,
  over our median.
- `refresh_one_hour_seconds`: `refresh_all()` after one new hour of events as busy as the busiest hour in
  the data was queued (target < 1 s).

Prints JSON lines. Options: --events N (10,000,000), --posts N (3,000), --rounds N (30), --keep (keep the
database, and the CSV files DuckDB reads, for a later --reuse), --data DIR (where the CSV files go; a
temporary directory otherwise), --reuse DB (time the dashboards and the refresh on a kept database and its
--data DIR instead of loading anew; DB is the SQLite directory or PostgreSQL database `kept:` printed).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

# bench/calendar.py shadows the standard library's `calendar`: the root on the path instead of bench/.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.common import OwnDatabase, emit, setup_django  # noqa: E402


def parse_options() -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--posts", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=30, choices=range(2, 10_000), metavar="N")
    parser.add_argument("--keep", action="store_true", help="keep the database and the CSV files afterwards")
    parser.add_argument("--data", type=Path, help="where the CSV files for DuckDB go")
    parser.add_argument("--reuse", default="", help="a kept database (needs the --data it was loaded with)")
    options = parser.parse_args()
    if options.reuse and not options.data:
        parser.error("--reuse needs the --data directory of the run that kept the database")
    return vars(options)


OPTIONS: dict[str, Any] = parse_options()
DATABASE = OwnDatabase("analytics", reuse=OPTIONS["reuse"])
setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

NETWORKS = (
    "bluesky",
    "mastodon",
    "facebook",
    "instagram",
    "linkedin",
    "x",
    "bluesky",
    "facebook",
    "x",
    "mastodon",
)
CONTENT_TYPES = ("image", "video", "text", "link", "carousel")
TAGS = ("behind the scenes", "product", "tips", "customer story", "offer", "event", "humour", "news")
# Share of a post's events by kind.
KINDS = (
    ("impression", 0.55), ("like", 0.18), ("comment", 0.04), ("share", 0.04), ("save", 0.02), ("quote", 0.01),
    ("link_click", 0.06), ("video_view", 0.07), ("click", 0.03),
)  # fmt: skip
FOLLOWER_SHARE = 0.03
DUCKDB_COLUMNS = ("occurred_at", "kind", "count", "network", "account_id", "delivery_id", "campaign_id")


def bench_emit(metric: str, value: float, unit: str, **extra: object) -> None:
    emit("analytics", metric, value, unit, events=OPTIONS["events"], **extra)


# --- the organization ----------------------------------------------------------------------------------
def create_organization(now: dt.datetime) -> tuple[Any, list[dict[str, Any]]]:
    """The organization, its accounts, campaigns and published posts; returns (org, deliveries)."""
    from flokk.channels.models import Account
    from flokk.content.models import BudgetLine, Campaign, Post, Variant
    from flokk.publishing.models import Delivery
    from flokk.teams.models import Organization

    rng = random.Random(6)
    org = Organization.objects.create(name="Bench", slug="bench", time_zone="Europe/Stockholm")
    accounts = Account.objects.bulk_create(
        Account(organization=org, network=network, handle=f"bench{i}.{network}", status="connected")
        for i, network in enumerate(NETWORKS)
    )
    today = now.date()
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            organization=org,
            name=f"Campaign {i}",
            starts_on=today - dt.timedelta(days=70 * (i + 1)),
            ends_on=today - dt.timedelta(days=70 * i - 30),
        )
        for i in range(5)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(campaign=campaign, category="ads", planned_amount=10_000 * (i + 1))
        for i, campaign in enumerate(campaigns)
    )
    posts, variants, deliveries = [], [], []
    for number in range(OPTIONS["posts"]):
        # Published at local office hours mostly, over the last year.
        day = now - dt.timedelta(days=rng.uniform(0, 365))
        published = day.replace(hour=rng.choice((6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20)), minute=0)
        published = min(published, now - dt.timedelta(hours=1))
        post = Post(
            organization=org,
            status="published",
            scheduled_at=published,
            content_type=rng.choice(CONTENT_TYPES),
            tags=rng.sample(TAGS, rng.randint(0, 2)),
            campaign=rng.choice(campaigns) if rng.random() < 0.4 else None,
        )
        account = accounts[number % len(accounts)]
        variant = Variant(post=post, network=account.network, text=f"Post {number}")
        posts.append(post)
        variants.append(variant)
        deliveries.append(
            Delivery(
                organization=org,
                post=post,
                variant=variant,
                account=account,
                idempotency_key=uuid.uuid4().hex,
                status="published",
                due_at=published,
                next_attempt_at=published,
                remote_id=f"bench-{number}",
                published_at=published,
            )
        )
    Post.objects.bulk_create(posts)
    Variant.objects.bulk_create(variants)
    Delivery.objects.bulk_create(deliveries)
    described = [
        {
            "id": delivery.id,
            "post_id": delivery.post.id,
            "account_id": delivery.account.id,
            "network": delivery.account.network,
            "campaign_id": delivery.post.campaign.id if delivery.post.campaign else None,
            "published_at": delivery.published_at,
            "content_type": delivery.post.content_type,
            "tags": "|".join(delivery.post.tags),
            "popularity": rng.lognormvariate(0, 1),
        }
        for delivery in deliveries
    ]
    return org, described


def kept_organization() -> tuple[Any, list[dict[str, Any]]]:
    """The organization and deliveries of a kept database (popularity drawn anew: it only shapes the
    hour of events the refresh is timed with)."""
    from flokk.publishing.models import Delivery
    from flokk.teams.models import Organization

    rng = random.Random(6)
    org = Organization.objects.get(slug="bench")
    rows = Delivery.objects.filter(organization=org).order_by("remote_id")
    described = [
        {
            "id": delivery.id,
            "post_id": delivery.post_id,
            "account_id": delivery.account_id,
            "network": delivery.account.network,
            "campaign_id": delivery.post.campaign_id,
            "published_at": delivery.published_at,
            "content_type": delivery.post.content_type,
            "tags": "|".join(delivery.post.tags),
            "popularity": rng.lognormvariate(0, 1),
        }
        for delivery in rows.select_related("account", "post")
    ]
    return org, described


# --- the events ----------------------------------------------------------------------------------------
class Events:
    """Deterministic events: a post's in the days after it was published, followers all year."""

    def __init__(self, org: Any, deliveries: list[dict[str, Any]], now: dt.datetime) -> None:
        self.rng = random.Random(7)
        self.org = org
        self.deliveries = deliveries
        self.now = now
        self.weights = [d["popularity"] for d in deliveries]
        self.kinds = [kind for kind, _share in KINDS]
        self.kind_weights = [share for _kind, share in KINDS]
        self.accounts = sorted({(d["account_id"], d["network"]) for d in deliveries})

    def chunk(self, size: int, start: dt.datetime | None = None, hours: float = 0) -> list[tuple[Any, ...]]:
        """`size` event rows (EVENT_FIELDS order); within [start, start + hours) when `start` is given."""
        from flokk.analytics.models import NONE

        rng, org_id, now = self.rng, self.org.id, self.now
        chosen = rng.choices(self.deliveries, weights=self.weights, k=size)
        kinds = rng.choices(self.kinds, weights=self.kind_weights, k=size)
        rows = []
        for delivery, kind in zip(chosen, kinds, strict=True):
            if start is not None:
                when = start + dt.timedelta(seconds=rng.uniform(0, hours * 3600))
            else:
                when = min(now, delivery["published_at"] + dt.timedelta(hours=rng.expovariate(1 / 18)))
            if rng.random() < FOLLOWER_SHARE:
                account, network = rng.choice(self.accounts)
                count = 1 if rng.random() < 0.8 else -1
                if start is None:
                    when = now - dt.timedelta(days=rng.uniform(0, 365))
                rows.append(
                    (org_id, when, "follower", count, network, "network", account, NONE, NONE, NONE, NONE)
                )
                continue
            rows.append(
                (
                    org_id, when, kind, 1, delivery["network"], "network", delivery["account_id"],
                    delivery["id"], delivery["post_id"], delivery["campaign_id"] or NONE, NONE,
                )
            )  # fmt: skip
        return rows


def load(events: Events, directory: Path) -> None:
    """Store OPTIONS["events"] events and count them into the rollups; write them as CSV for DuckDB."""
    from flokk.analytics.models import Event
    from flokk.analytics.services.rollups import EVENT_FIELDS, add_to_rollups
    from flokk.core.bulk import insert_rows

    total, size, part = OPTIONS["events"], 250_000, 0
    began = time.perf_counter()
    while part * size < total:
        rows = events.chunk(min(size, total - part * size))
        recorded = events.now
        with transaction.atomic():
            insert_rows(Event, (*EVENT_FIELDS, "recorded_at"), [(*row, recorded) for row in rows])
            add_to_rollups(rows)
        with open(directory / f"events-{part:04d}.csv", "w", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(DUCKDB_COLUMNS)
            writer.writerows(
                (row[1].isoformat(), row[2], row[3], row[4], row[6], _or_null(row[7]), _or_null(row[9]))
                for row in rows
            )
        part += 1
    bench_emit("load_seconds", time.perf_counter() - began, "s")


def _or_null(value: uuid.UUID) -> str:
    from flokk.analytics.models import NONE

    return "" if value == NONE else str(value)


# --- DuckDB, scanning the raw events -------------------------------------------------------------------
def duckdb_connection(directory: Path, deliveries: list[dict[str, Any]]) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE events AS SELECT * FROM read_csv(?, header = true, columns = {"
        "'occurred_at': 'TIMESTAMPTZ', 'kind': 'VARCHAR', 'count': 'INTEGER', 'network': 'VARCHAR', "
        "'account_id': 'UUID', 'delivery_id': 'UUID', 'campaign_id': 'UUID'})",
        [str(directory / "events-*.csv")],
    )
    con.execute(
        "CREATE TABLE deliveries (id UUID, published_at TIMESTAMPTZ, content_type VARCHAR, tags VARCHAR, "
        "campaign_id UUID, network VARCHAR)"
    )
    con.executemany(
        "INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, ?)",
        [
            (str(d["id"]), d["published_at"], d["content_type"], d["tags"], d["campaign_id"], d["network"])
            for d in deliveries
        ],
    )
    return con


def duckdb_dashboard(con: Any, start: dt.datetime, end: dt.datetime, zone: str) -> None:
    """The dashboard's figures from raw events: what the rollups spare the dashboard."""
    previous = start - (end - start)
    totals = "SELECT kind, sum(count) FROM events WHERE occurred_at >= ? AND occurred_at < ? GROUP BY kind"
    queries = [
        # KPI cards: totals by kind, this period and the one before.
        (totals, [start, end]),
        (totals, [previous, start]),
        # Audience growth: followers per local day and network, up to the end.
        (
            "SELECT network, CAST(timezone(?, occurred_at) AS DATE) AS day, sum(count) FROM events "
            "WHERE kind = 'follower' AND occurred_at < ? GROUP BY ALL",
            [zone, end],
        ),
        # Posts of the period with their totals (content type, weekday and hour, tags, campaign, each post).
        (
            "SELECT d.id, d.content_type, d.tags, d.campaign_id, d.published_at, e.kind, sum(e.count) "
            "FROM events e JOIN deliveries d ON e.delivery_id = d.id "
            "WHERE d.published_at >= ? AND d.published_at < ? GROUP BY ALL",
            [start, end],
        ),
        # Each post against the earlier posts of its network: every earlier post's engagements.
        (
            "SELECT d.network, e.delivery_id, sum(e.count) FROM events e "
            "JOIN deliveries d ON e.delivery_id = d.id "
            "WHERE e.kind IN ('like', 'comment', 'share', 'save', 'quote', 'link_click') "
            "AND d.published_at < ? GROUP BY ALL",
            [start],
        ),
        # Spend against results: each campaign's results in the period.
        (
            "SELECT campaign_id, kind, sum(count) FROM events WHERE occurred_at >= ? AND occurred_at < ? "
            "AND campaign_id IS NOT NULL GROUP BY ALL",
            [start, end],
        ),
    ]
    for sql, params in queries:
        con.execute(sql, params).fetchall()


# --- timing --------------------------------------------------------------------------------------------
def flokk_dashboard(org: Any, period: Any) -> None:
    """Everything the dashboard page reads (`dashboard()` is what its view calls)."""
    from flokk.analytics.services.dashboard import dashboard

    dashboard(org, period)


def time_dashboards(org: Any, con: Any, now: dt.datetime) -> None:
    import zoneinfo

    from flokk.analytics.services.dashboard import Period

    zone = zoneinfo.ZoneInfo(org.time_zone)
    today = now.astimezone(zone).date()
    ours: list[float] = []
    theirs: list[float] = []
    for days in (28, 90):
        period = Period(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))
        start = dt.datetime.combine(period.start, dt.time(), zone)
        end = dt.datetime.combine(period.end, dt.time(), zone)
        flokk_dashboard(org, period)  # warm: the first call imports and fills caches
        duckdb_dashboard(con, start, end, org.time_zone)
        for _ in range(OPTIONS["rounds"]):
            began = time.perf_counter()
            flokk_dashboard(org, period)
            ours.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            duckdb_dashboard(con, start, end, org.time_zone)
            theirs.append((time.perf_counter() - began) * 1000)
    p95 = statistics.quantiles(ours, n=20)[-1]
    bench_emit("dashboard_p95_ms", p95, "ms", target=200, rounds=len(ours))
    bench_emit("dashboard_median_ms", statistics.median(ours), "ms")
    bench_emit("duckdb_scan_median_ms", statistics.median(theirs), "ms")
    bench_emit(
        "speedup_vs_duckdb_scan",
        statistics.median(theirs) / statistics.median(ours),
        "ratio",
        target=3,
        p95_ratio=round(statistics.quantiles(theirs, n=20)[-1] / p95, 2),
    )


def time_refresh(events: Events) -> None:
    from flokk.analytics.models import HourlyRollup
    from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all

    busiest: Counter[dt.datetime] = Counter()
    # Hours of the loaded data only: not those earlier runs of --reuse timed their refresh with.
    loaded = HourlyRollup.objects.filter(organization=events.org, hour__lte=events.now)
    for hour, total in loaded.values_list("hour", "total"):
        busiest[hour] += abs(total)
    size = max(busiest.values())
    start = events.now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    rows = events.chunk(size, start=start, hours=1)
    record_events(NewEvent(*row) for row in rows)
    began = time.perf_counter()
    counted = refresh_all()
    seconds = time.perf_counter() - began
    assert counted == size, (counted, size)
    bench_emit("refresh_one_hour_seconds", seconds, "s", target=1, hour_events=size)


def main() -> None:
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="flokk-bench-duckdb-") as temporary:
        directory = OPTIONS["data"] or Path(temporary)
        directory.mkdir(parents=True, exist_ok=True)
        if OPTIONS["reuse"]:  # the time and size of the run that loaded it
            now_text, events_text = (directory / "loaded.txt").read_text().split()
            now, OPTIONS["events"] = dt.datetime.fromisoformat(now_text), int(events_text)
            org, deliveries = kept_organization()
        else:
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            org, deliveries = create_organization(now)
        events = Events(org, deliveries, now)
        if not OPTIONS["reuse"]:
            load(events, directory)
            (directory / "loaded.txt").write_text(f"{now.isoformat()} {OPTIONS['events']}\n")
        con = duckdb_connection(directory, deliveries)
    time_dashboards(org, con, now)
    time_refresh(events)


if __name__ == "__main__":
    try:
        main()
    finally:
        DATABASE.drop(keep=OPTIONS.get("keep", False))
