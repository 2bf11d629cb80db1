"""End to end on the real Bluesky reference server: through the API and the worker, onto the network.

Twenty posts with an image and alt text, scheduled to two accounts, each appear on the network exactly once,
with the right text, image and alt text, at their time (within the worker's poll interval). Then the crash
test: the worker is killed with SIGKILL at random moments during a run of 200 posts and restarted each
time; afterwards every post is on the network exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from flokk.channels.connectors.bluesky.devnet import Devnet
from tests.e2e import Flokk, database_url, png, schedule_post

pytestmark = pytest.mark.e2e
ADMIN = "social-media-manager@demo.example"
WRITER = "copywriter@demo.example"
STOCKHOLM_WINTER = dt.timezone(dt.timedelta(hours=1))


def network_account(network: Devnet, prefix: str) -> tuple[str, str, str]:
    """A new account on the network and an app password for Flokk: (did, handle, app password)."""
    password = uuid.uuid4().hex
    did, handle = network.create_account(f"{prefix}{uuid.uuid4().hex[:8]}.test", password)
    return did, handle, network.create_app_password(handle, password)


def records(network: Devnet, did: str) -> list[dict[str, object]]:
    """Every post record in the account's repository, read from the PDS."""
    found: list[dict[str, object]] = []
    cursor = None
    while True:
        params = {"repo": did, "collection": "app.bsky.feed.post", "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = httpx.get(f"{network.service_url}/xrpc/com.atproto.repo.listRecords", params=params).json()
        found += [item["value"] for item in page["records"]]
        cursor = page.get("cursor")
        if not cursor or not page["records"]:
            return found


def connect(api: httpx.Client, network: Devnet, handle: str, app_password: str) -> str:
    response = api.post(
        "accounts",
        json={
            "network": "bluesky",
            "handle": handle,
            "app_password": app_password,
            "service_url": network.service_url,
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_twenty_posts_with_images_go_out_once_each_at_their_time(bluesky_network, tmp_path: Path):
    accounts = [network_account(bluesky_network, prefix) for prefix in ("brand", "shop")]
    with database_url(tmp_path) as database:
        flokk = Flokk(tmp_path, database)
        flokk.prepare()
        flokk.up()
        try:
            admin, writer = flokk.api(ADMIN), flokk.api(WRITER)
            wrong = admin.post(
                "accounts",
                json={
                    "network": "bluesky",
                    "handle": accounts[0][1],
                    "app_password": "wrong-password",
                    "service_url": bluesky_network.service_url,
                },
            )
            assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "refused"
            assert admin.get("accounts").json() != [] and all(
                a["network"] != "bluesky" for a in admin.get("accounts").json()
            ), "a refused connection stored nothing"
            account_ids = [connect(admin, bluesky_network, handle, pw) for _did, handle, pw in accounts]
            image = writer.post(
                "assets",
                files={"file": ("sommar.png", png((240, 180, 30)), "image/png")},
                data={"alt_text": "Gul solnedgång över Vänern"},
            )
            assert image.status_code == 201, image.text
            asset_id = image.json()["id"]

            start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=25)
            due: dict[str, dt.datetime] = {}
            for number in range(20):
                at = start + dt.timedelta(seconds=number)
                post_id = schedule_post(
                    writer,
                    admin,
                    text=f"Sommar i Värmland nr {number}: välkommen! #flokk",
                    account_ids=account_ids,
                    # An offset other than UTC: the API takes any.
                    at=at.astimezone(STOCKHOLM_WINTER).isoformat(),
                    variants={"bluesky": {"asset_ids": [asset_id]}},
                )
                due[post_id] = at

            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                statuses = {pid: writer.get(f"posts/{pid}").json()["status"] for pid in due}
                if set(statuses.values()) == {"published"}:
                    break
                time.sleep(1)
            assert set(statuses.values()) == {"published"}, (statuses, flokk.output())

            for post_id, at in due.items():
                deliveries = writer.get(f"posts/{post_id}/deliveries").json()
                assert len(deliveries) == 2
                for delivery in deliveries:
                    assert delivery["status"] == "published" and delivery["remote_id"].startswith("at://")
                    published_at = dt.datetime.fromisoformat(delivery["published_at"])
                    # At its time: never early, and late by at most the poll interval plus processing.
                    assert at <= published_at <= at + dt.timedelta(seconds=15), (at, published_at)
        finally:
            flokk.stop()

    for did, _handle, _pw in accounts:
        posted = records(bluesky_network, did)
        texts = Counter(str(record["text"]) for record in posted)
        assert len(posted) == 20 and set(texts.values()) == {1}, texts
        for record in posted:
            embed = record["embed"]
            assert isinstance(embed, dict) and embed["$type"] == "app.bsky.embed.images"
            assert [image["alt"] for image in embed["images"]] == ["Gul solnedgång över Vänern"]
            tag = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#tag"))
            assert tag["features"][0]["tag"] == "flokk"


CREATE_DUE_POSTS = """
import datetime as dt, sys
from django.utils import timezone
from flokk.channels.services.connect import connect_bluesky_account
from flokk.content.models import Post
from flokk.content.services.posts import PostInput, create_post
from flokk.teams.models import Organization, User
org = Organization.objects.get(slug="demo")
writer = User.objects.get(email="copywriter@demo.example")
url, handle, password = sys.argv[1:4]
account = connect_bluesky_account(org, service_url=url, handle=handle, app_password=password, actor=None)
for number in range(int(sys.argv[4])):
    post = create_post(org, PostInput(account_ids=[account.pk], text=f"Krasch-test {number}"), actor=writer)
    Post.objects.filter(pk=post.pk).update(status="scheduled", scheduled_at=timezone.now())
"""

COUNT_DELIVERIES = """
import json
from django.db.models import Count
from flokk.publishing.models import Delivery
# The demo's own published posts (on its sandbox account, for analytics) are not the test's.
bluesky = Delivery.objects.filter(account__network="bluesky")
print(json.dumps(dict(bluesky.values_list("status").annotate(n=Count("pk")))))
"""


def test_a_worker_killed_at_random_moments_publishes_every_post_exactly_once(bluesky_network, tmp_path: Path):
    posts = 200
    did, handle, app_password = network_account(bluesky_network, "crash")
    # A short lease so a killed worker's deliveries are taken over quickly; small batches so kills land
    # between and in the middle of network calls.
    settings = {"FLOKK_PUBLISH_LEASE_SECONDS": "3", "FLOKK_PUBLISH_BATCH_SIZE": "15"}
    rng = random.Random(20261125)
    with database_url(tmp_path) as database:
        flokk = Flokk(tmp_path, database, **settings)
        flokk.prepare()
        script = tmp_path / "create.py"
        script.write_text(CREATE_DUE_POSTS)
        flokk.run(
            "shell",
            "-c",
            f"import sys; sys.argv = ['x', {bluesky_network.service_url!r}, {handle!r}, "
            f"{app_password!r}, '{posts}']; exec(open({str(script)!r}).read())",
        )
        counts: dict[str, int] = {}
        kills = 0
        try:
            for _ in range(8):
                worker = flokk.start("worker", name="worker")
                time.sleep(rng.uniform(1.0, 4.0))
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
                kills += 1
            flokk.start("worker", name="worker")
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                counts = json.loads(flokk.run("shell", "-c", COUNT_DELIVERIES).strip().splitlines()[-1])
                if counts.get("published") == posts:
                    break
                time.sleep(2)
        finally:
            flokk.stop()
        assert counts.get("published") == posts, (counts, flokk.output())
    assert kills == 8
    posted = records(bluesky_network, did)
    keys = Counter(str(record["flokk_idempotency_key"]) for record in posted)
    texts = Counter(str(record["text"]) for record in posted)
    assert len(posted) == posts, f"{len(posted)} records for {posts} posts"
    assert set(keys.values()) == {1} and set(texts.values()) == {1}, "duplicates on the network"
    assert set(texts) == {f"Krasch-test {number}" for number in range(posts)}, "a post was lost"
