"""The Facebook connector's metrics, against Graph answers shaped as Meta documents them."""

from __future__ import annotations

import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError
from flokk.channels.connectors.facebook import FacebookConnector
from flokk.channels.connectors.facebook.metrics import (
    IDS_BATCH,
    account_counters,
    batches,
    insight_counters,
    post_counters,
)
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run

PAGE = "101234567890123"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(id="acc-1", network="facebook", handle="sommarbakery", service_url="", remote_id=PAGE)
POST, QUIET, GONE = (f"{PAGE}_555000111222333", f"{PAGE}_555000111222444", f"{PAGE}_555000111222999")


def fetch(fake: FakeGraph, remote_ids: list[str]):
    async def go():
        page = FacebookConnector(ACCOUNT, {"access_token": TOKEN, "page_id": PAGE}, transport=fake.transport)
        try:
            return await page.fetch_metrics(remote_ids)
        finally:
            await page.aclose()

    return run(go())


def test_public_counters_insights_and_the_pages_followers():
    fake = FakeGraph.of("facebook", "metrics.json")

    page = fetch(fake, [POST, QUIET, "not-a-graph-id"])

    assert fake.done()
    assert page.posts == {
        POST: {"like": 42, "comment": 7, "share": 3, "impression": 1500, "reach": 900, "link_click": 31},
        # its insights were refused: the public counters stay; nobody shared it, so Graph sent no `shares`
        QUIET: {"like": 5, "comment": 0, "share": 0},
    }
    assert page.account == {"follower": 1250}
    assert set(page.missing) == {"save", "quote", "video_view"}
    assert fake.query(0)["ids"] == f"{POST},{QUIET}"
    assert "reactions.summary(total_count)" in fake.query(0)["fields"]
    assert fake.query(1) == {
        "metric": "post_media_view,post_total_media_view_unique,post_clicks_by_type",
        "period": "lifetime",
    }
    assert fake.query(3)["fields"] == "followers_count,fan_count"
    assert all(fake.token(index) == TOKEN for index in range(4))


def test_a_post_facebook_no_longer_has_is_left_out():
    fake = FakeGraph.of("facebook", "metrics_gone.json")

    page = fetch(fake, [POST, GONE])

    assert fake.done()
    assert list(page.posts) == [POST]  # the batch was refused (#803), then each post was read alone
    assert [fake.query(index)["ids"] for index in range(3)] == [f"{POST},{GONE}", POST, GONE]
    assert page.account == {"follower": 1250}


def test_a_refused_token_means_reconnect():
    fake = FakeGraph(
        {
            "request": {"method": "GET", "path": "/v21.0/"},
            "response": {
                "status": 400,
                "body": {
                    "error": {
                        "message": "Error validating access token: Session has expired.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "AbCdEfGhIjKlMnOp",
                    }
                },
            },
        }
    )

    with pytest.raises(ConnectorError) as caught:
        fetch(fake, [POST])

    assert caught.value.needs_reconnect


def test_a_rate_limit_on_insights_is_raised_not_swallowed():
    fake = FakeGraph.of("facebook", "metrics.json")
    fake.pending[1] = {
        "request": {"method": "GET", "path": f"/v21.0/{POST}/insights"},
        "response": {
            "status": 400,
            "body": {"error": {"message": "(#4) Application request limit reached", "code": 4}},
        },
    }

    with pytest.raises(ConnectorError) as caught:
        fetch(fake, [POST, QUIET])

    assert caught.value.retry_after is not None


def test_many_posts_are_read_fifty_at_a_time():
    ids = [f"{PAGE}_{10**14 + n}" for n in range(120)]
    empty = {"response": {"status": 200, "body": {}}}
    fake = FakeGraph(
        {"request": {"method": "GET", "path": "/v21.0/"}, **empty},
        {"request": {"method": "GET", "path": "/v21.0/"}, **empty},
        {"request": {"method": "GET", "path": "/v21.0/"}, **empty},
        {"request": {"method": "GET", "path": f"/v21.0/{PAGE}"}, "response": {"body": {"fan_count": 9}}},
    )

    page = fetch(fake, [*ids, ids[0], "x"])

    assert fake.done()
    assert [len(fake.query(index)["ids"].split(",")) for index in range(3)] == [IDS_BATCH, IDS_BATCH, 20]
    assert page.posts == {}
    assert page.account == {"follower": 9}  # fan_count, when Facebook gives no followers_count


def test_junk_values_are_dropped():
    assert [len(batch) for batch in batches([str(n) for n in range(51)])] == [50, 1]
    assert (
        post_counters(
            {
                "shares": {"count": -1},
                "reactions": {"summary": {"total_count": True}},
                "comments": {"summary": {"total_count": "7"}},
            }
        )
        == {}
    )
    assert post_counters({"shares": "3", "reactions": [], "comments": {"summary": None}}) == {}
    assert (
        insight_counters(
            {
                "data": [
                    {"name": "post_media_view", "values": [{"value": 1.5}]},
                    {"name": "post_total_media_view_unique", "values": [{"value": -4}]},
                    {"name": "post_clicks_by_type", "values": [{"value": {"link clicks": "31"}}]},
                    {"name": 7, "values": [{"value": 3}]},
                    "odd",
                ]
            }
        )
        == {}
    )
    assert insight_counters({"data": "odd"}) == {}
    assert account_counters({"followers_count": False, "fan_count": -2}) == {}
