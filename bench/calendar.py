"""Benchmark: the calendar's month page for an organization with 5,000 posts spread over a year.

Prints JSON lines: {"bench", "metric", "value", "unit", ...}. Runs on SQLite in a temporary directory, or on
the database in DATABASE_URL (then it creates and drops its own rows under a unique slug).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

# This file is named like the standard library's `calendar`: drop its folder from the path, use the root.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
if not os.environ.get("DATABASE_URL"):
    os.environ["FLOKK_VAR_DIR"] = tempfile.mkdtemp(prefix="flokk-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flokk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

POSTS = int(os.environ.get("BENCH_POSTS", "5000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "100"))


def emit(metric: str, value: float, unit: str, **extra: object) -> None:
    print(
        json.dumps(
            {
                "bench": "calendar",
                "metric": metric,
                "value": round(value, 3),
                "unit": unit,
                "database": connection.vendor,
                "posts": POSTS,
                **extra,
            }
        )
    )


def main() -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0)
    from flokk.content.models import Post, Variant
    from flokk.teams.models import User
    from flokk.teams.services.organizations import create_organization

    tag = uuid.uuid4().hex[:8]
    owner = User.objects.create_user(f"owner-{tag}@bench.example", "bench-password-1")
    org = create_organization(name=f"Bench {tag}", slug=f"bench-{tag}", owner=owner)
    try:
        start = dt.datetime(2026, 1, 1, 6, 0, tzinfo=dt.UTC)
        step = dt.timedelta(days=365) / POSTS
        posts = Post.objects.bulk_create(
            [Post(organization=org, scheduled_at=start + step * index) for index in range(POSTS)]
        )
        Variant.objects.bulk_create(
            [Variant(post=post, network="mastodon", text=f"Post {index}") for index, post in enumerate(posts)]
        )
        web = Client()
        web.force_login(owner)
        url = f"/o/{org.slug}/calendar/?month=2026-06"
        assert web.get(url).status_code == 200
        samples = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            web.get(url)
            samples.append((time.perf_counter() - began) * 1000)
        emit("month_view_p95_ms", statistics.quantiles(samples, n=20)[-1], "ms", target=150, rounds=ROUNDS)
    finally:
        org.delete()
        owner.delete()


if __name__ == "__main__":
    main()
