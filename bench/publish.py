"""Benchmark: 10,000 posts due in the same minute, published to a loopback Mastodon by the real dispatcher.

50 connected Mastodon accounts of one organization, one scheduled post per (post, account) pair, all due at
the same moment (people schedule for 09:00, not 09:00:17). The fake Mastodon (`tests/fakes/mastodon.py`,
latency 0.1 s, no faults) runs in a separate process. The dispatchers run as `flokk worker` runs them
(`dispatch_once` rounds, sleeping the poll interval when idle), one per worker process: by default two, one
per core of the 2-core reference machine, as a deployment runs `flokk worker` once per core.

Prints JSON lines: {"bench", "metric", "value", "unit", ...}. Runs on SQLite in a temporary directory, or on
the database in DATABASE_URL (then it creates and drops its own rows under a unique slug).
Knobs: BENCH_POSTS (10000), BENCH_ACCOUNTS (50), BENCH_WORKERS (2; worker processes),
BENCH_SPREAD_SECONDS (0; spreads the due times over that many seconds), BENCH_TIMEOUT_SECONDS (600).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

# bench/calendar.py shadows the standard library's `calendar`: drop this folder from the path, use the root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
if not os.environ.get("DATABASE_URL"):
    os.environ["FLOKK_VAR_DIR"] = tempfile.mkdtemp(prefix="flokk-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import F  # noqa: E402

POSTS = int(os.environ.get("BENCH_POSTS", "10000"))
ACCOUNTS = int(os.environ.get("BENCH_ACCOUNTS", "50"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
SPREAD_SECONDS = float(os.environ.get("BENCH_SPREAD_SECONDS", "0"))
TIMEOUT_SECONDS = float(os.environ.get("BENCH_TIMEOUT_SECONDS", "600"))
LATENCY = 0.1


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(
        json.dumps(
            {
                "bench": "publish",
                "metric": metric,
                "value": round(value, 3),
                "unit": unit,
                "database": connection.vendor,
                "posts": POSTS,
                "accounts": ACCOUNTS,
                "workers": WORKERS,
                **extra,
            }
        ),
        flush=True,
    )


# --- the fake Mastodon, in its own process ---------------------------------------------------------------
def serve_fake(conn: multiprocessing.connection.Connection, accounts: int) -> None:
    """Child process: start the fake, create the accounts, then answer "report" and "stop" requests."""
    from tests.fakes.mastodon import FakeMastodon

    fake = FakeMastodon(latency=LATENCY).start()
    people = [fake.create_account(f"bench{index}") for index in range(accounts)]
    conn.send({"url": fake.url, "accounts": [(p.id, p.username, p.token) for p in people]})
    while True:
        command = conn.recv()
        if command == "report":
            statuses = fake.statuses
            by_key = Counter(s["idempotency_key"] for s in statuses)
            by_text = Counter((s["account_id"], s["text"]) for s in statuses)
            conn.send(
                {
                    "statuses": len(statuses),
                    "duplicate_keys": sum(n - 1 for n in by_key.values()),
                    "duplicate_texts": sum(n - 1 for n in by_text.values()),
                    "requests": len(fake.requests),
                    "max_in_flight": fake.max_in_flight,
                    "cpu_seconds": round(time.process_time(), 3),
                    "violations": fake.violations[:5],
                }
            )
        else:
            fake.stop()
            conn.send("stopped")
            return


# --- the benchmark ---------------------------------------------------------------------------------------
def create_rows(org: Any, fake_url: str, people: list[tuple[str, str, str]]) -> dt.datetime:
    """The accounts, posts, variants and post-account links; returns the first post's due time."""
    from flokk.channels.choices import AccountStatus
    from flokk.channels.models import Account
    from flokk.channels.services.credentials import store_credentials
    from flokk.content.choices import PostStatus
    from flokk.content.models import Post, Variant

    host = fake_url.split("://", 1)[1]
    accounts = []
    for remote_id, username, token in people:
        account = Account.objects.create(
            organization=org,
            network="mastodon",
            handle=f"{username}@{host}",
            status=AccountStatus.CONNECTED,
            service_url=fake_url,
            remote_id=remote_id,
        )
        store_credentials(account, {"access_token": token, "scope": "read write"})
        accounts.append(account)
    # Created as due far ahead, then moved so the first is due right when the rows are ready.
    base = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
    step = dt.timedelta(seconds=SPREAD_SECONDS) / POSTS
    posts = Post.objects.bulk_create(
        [
            Post(organization=org, status=PostStatus.SCHEDULED, scheduled_at=base + step * index)
            for index in range(POSTS)
        ],
        batch_size=1000,
    )
    tag = org.slug
    Variant.objects.bulk_create(
        [
            Variant(post=post, network="mastodon", text=f"Bench post {index} of {tag}")
            for index, post in enumerate(posts)
        ],
        batch_size=1000,
    )
    Post.accounts.through.objects.bulk_create(
        [
            Post.accounts.through(post_id=post.pk, account_id=accounts[index % len(accounts)].pk)
            for index, post in enumerate(posts)
        ],
        batch_size=1000,
    )
    first_due = dt.datetime.now(dt.UTC)
    Post.objects.filter(organization=org).update(scheduled_at=F("scheduled_at") - (base - first_due))
    return first_due


def worker_process(index: int, stop: Any) -> None:
    """One `flokk worker`'s publishing loop, in its own process with its own database connection."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from flokk.publishing.dispatcher import dispatch_once

    while not stop.is_set():
        if dispatch_once(f"bench-{index}") == 0:
            stop.wait(settings.FLOKK_PUBLISH_POLL_SECONDS)


def run_dispatchers(org: Any) -> float:
    """Worker processes until every delivery of the organization is settled; returns the wall time."""
    from django.db import connections

    from flokk.publishing.choices import DeliveryStatus
    from flokk.publishing.models import Delivery

    settled = [DeliveryStatus.PUBLISHED, DeliveryStatus.FAILED, DeliveryStatus.HELD]
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    connections.close_all()  # each worker process opens its own
    began = time.perf_counter()
    workers = [
        context.Process(target=worker_process, args=(index, stop), name=f"worker-{index}")
        for index in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    try:
        while time.perf_counter() - began < TIMEOUT_SECONDS:
            time.sleep(0.5)
            if Delivery.objects.filter(organization=org, status__in=settled).count() >= POSTS:
                break
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    return time.perf_counter() - began


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Fork before any database connection or thread exists in this process.
    parent_end, child_end = multiprocessing.get_context("fork").Pipe()
    fake = multiprocessing.get_context("fork").Process(
        target=serve_fake, args=(child_end, ACCOUNTS), daemon=True, name="fake-mastodon"
    )
    fake.start()
    hello = parent_end.recv()
    call_command("migrate", verbosity=0)
    from flokk.publishing.choices import DeliveryStatus
    from flokk.publishing.models import Delivery
    from flokk.teams.models import User
    from flokk.teams.services.organizations import create_organization

    tag = uuid.uuid4().hex[:8]
    owner = User.objects.create_user(f"owner-{tag}@bench.example", "bench-password-1")
    org = create_organization(name=f"Bench {tag}", slug=f"bench-{tag}", owner=owner)
    try:
        first_due = create_rows(org, hello["url"], hello["accounts"])
        wall = run_dispatchers(org)
        rows = list(Delivery.objects.filter(organization=org).values_list("status", "due_at", "published_at"))
        done = [(due, at) for status, due, at in rows if status == DeliveryStatus.PUBLISHED and at]
        lateness = sorted((at - due).total_seconds() for due, at in done)
        parent_end.send("report")
        report = parent_end.recv()
        common = {"spread_seconds": SPREAD_SECONDS, "latency_seconds": LATENCY}
        if done:
            last = max(at for _, at in done)
            emit(
                "dispatch_10k_seconds",
                (last - first_due).total_seconds(),
                "s",
                target=60,
                wall_seconds=round(wall, 3),
                **common,
            )
            emit(
                "lateness_p99_seconds",
                statistics.quantiles(lateness, n=100)[-1] if len(lateness) > 1 else lateness[0],
                "s",
                p50=round(statistics.median(lateness), 3),
                max=round(lateness[-1], 3),
                **common,
            )
        # RUSAGE_CHILDREN covers the children waited for so far: the worker processes (the fake runs on).
        emit(
            "peak_memory_mb",
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "MB",
            scope="largest worker process",
            coordinator_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            **common,
        )
        emit(
            "published",
            len(done),
            "deliveries",
            by_status=dict(Counter(status for status, _, _ in rows)),
            statuses_on_fake=report["statuses"],
            requests_to_fake=report["requests"],
            max_in_flight=report["max_in_flight"],
            fake_cpu_seconds=report["cpu_seconds"],
            **common,
        )
        emit(
            "duplicates",
            report["duplicate_keys"],
            "statuses",
            target=0,
            same_text=report["duplicate_texts"],
            spec_violations=report["violations"],
            **common,
        )
    finally:
        parent_end.send("stop")
        parent_end.recv()
        fake.join(timeout=10)
        org.delete()
        owner.delete()


if __name__ == "__main__":
    main()
