"""The Instagram connector's metrics, against Graph answers shaped as Meta documents them."""

from __future__ import annotations

import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run
from flokk.channels.connectors.instagram import InstagramConnector
from flokk.channels.connectors.instagram.metrics import (
    account_counters,
    batches,
    insight_counters,
    insight_metrics,
    media_counters,
)

IG_USER = "17841400008460056"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(
    id="acc-2", network="instagram", handle="sommarbakery", service_url="", remote_id=IG_USER
)
MEDIA, STORY, GONE = "17895695668004550", "17918195224117851", "17999999999999999"


def fetch(fake: FakeGraph, remote_ids: list[str]):
    async def go():
        account = InstagramConnector(
            ACCOUNT,
            {"access_token": TOKEN, "page_id": "101234567890123", "ig_user_id": IG_USER},
            transport=fake.transport,
        )
        try:
            return await account.fetch_metrics(remote_ids)
        finally:
            await account.aclose()

    return run(go())


def test_likes_comments_insights_and_the_accounts_followers():
    fake = FakeGraph.of("instagram", "metrics.json")

    page = fetch(fake, [MEDIA, STORY])

    assert fake.done()
    assert page.posts == {
        MEDIA: {"like": 120, "comment": 8, "reach": 900, "save": 14, "share": 6, "impression": 2100},
        STORY: {"comment": 0},  # "(#10) Not enough viewers": its insights are skipped, not the reading
    }
    assert page.account == {"follower": 5400}
    assert set(page.missing) == {"quote", "link_click", "video_view"}
    assert fake.query(0)["ids"] == f"{MEDIA},{STORY}"
    assert fake.query(0)["fields"] == "like_count,comments_count,media_product_type"
    assert fake.query(1)["metric"] == "reach,saved,shares,views"
    assert fake.query(2)["metric"] == "reach,shares,views"  # a story cannot be saved
    assert fake.query(3)["fields"] == "followers_count"


def test_a_media_instagram_no_longer_has_is_left_out():
    fake = FakeGraph.of("instagram", "metrics_gone.json")

    page = fetch(fake, [MEDIA, GONE])

    assert fake.done()
    assert list(page.posts) == [MEDIA]
    assert [fake.query(index)["ids"] for index in range(3)] == [f"{MEDIA},{GONE}", MEDIA, GONE]


def test_a_refused_token_on_insights_means_reconnect():
    fake = FakeGraph.of("instagram", "metrics.json")
    fake.pending[1] = {
        "request": {"method": "GET", "path": f"/v21.0/{MEDIA}/insights"},
        "response": {
            "status": 400,
            "body": {
                "error": {
                    "message": "Error validating access token: The user has not authorized application.",
                    "type": "OAuthException",
                    "code": 190,
                    "error_subcode": 458,
                    "fbtrace_id": "AbCdEfGhIjKlMnOp",
                }
            },
        },
    }

    with pytest.raises(ConnectorError) as caught:
        fetch(fake, [MEDIA, STORY])

    assert caught.value.needs_reconnect


def test_many_media_are_read_fifty_at_a_time():
    ids = [str(17_000_000_000_000_000 + n) for n in range(101)]
    empty = {"response": {"status": 200, "body": {}}}
    fake = FakeGraph(
        *({"request": {"method": "GET", "path": "/v21.0/"}, **empty} for _ in range(3)),
        {"request": {"method": "GET", "path": f"/v21.0/{IG_USER}"}, "response": {"body": {"id": IG_USER}}},
    )

    page = fetch(fake, ids)

    assert fake.done()
    assert [len(fake.query(index)["ids"].split(",")) for index in range(3)] == [50, 50, 1]
    assert page.posts == {} and page.account == {}


def test_junk_values_are_dropped():
    assert list(batches(["1", "1", "urn:li:share:1"])) == [["1"]]
    assert media_counters({"like_count": -3, "comments_count": True}) == {}
    assert media_counters({"like_count": 4.0, "comments_count": "2"}) == {}
    assert insight_metrics({}) == "reach,saved,shares,views"
    assert insight_counters(
        {
            "data": [
                {"name": "reach", "values": [{"value": None}]},
                {"name": "saved", "values": []},
                {"name": "shares", "values": [{"value": False}]},
                {"name": "views", "total_value": {"value": 12}},  # the newer shape is read too
            ]
        }
    ) == {"impression": 12}
    assert account_counters({"followers_count": "5400"}) == {}
