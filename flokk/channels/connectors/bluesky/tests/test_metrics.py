"""The Bluesky connector's metrics against a real PLC + PDS + AppView on loopback: the counters the AppView
shows on the account's posts and profile, and what Bluesky does not give."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flokk.channels.connectors.base import Publication
from flokk.channels.connectors.bluesky import BlueskyConnector
from flokk.channels.connectors.bluesky.devnet import Devnet
from flokk.channels.connectors.bluesky.metrics import GET_POSTS_BATCH, batches, missing, post_counters
from flokk.channels.tests.running import run

from .conftest import NetworkAccount


def publish(connector_for: Callable[..., BlueskyConnector], account: NetworkAccount, text: str) -> str:
    connector = connector_for(account)
    return str(run(connector, connector.publish(Publication(idempotency_key=text, text=text))).remote_id)


def metrics_once(
    connector_for: Callable[..., BlueskyConnector],
    account: NetworkAccount,
    uris: list[str],
    ready: Callable[[Any], bool],
    timeout: float = 20.0,
) -> Any:
    """The metrics once `ready(page)`: the AppView counts likes a moment after it indexed them."""
    deadline = time.monotonic() + timeout
    while True:
        connector = connector_for(account)
        page = run(connector, connector.fetch_metrics(uris))
        if ready(page):
            return page
        if time.monotonic() > deadline:
            raise AssertionError(f"metrics not ready within {timeout:.0f} s: {page}")
        time.sleep(0.2)


def test_likes_replies_and_quotes_are_counted_and_impressions_are_missing(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    # Given a post that one member of the public likes and answers, another quotes, and a quiet post
    post = publish(connector_for, bluesky_account, "Vilken färg ska vi göra härnäst?")
    quiet = publish(connector_for, bluesky_account, "Öppet som vanligt i helgen.")
    fan, quoter = bluesky_network.create_member("fan"), bluesky_network.create_member("quoter")
    bluesky_network.like(fan, post)
    for written in (bluesky_network.reply(fan, post, "Grön!"), bluesky_network.quote(quoter, post, "Röst!")):
        bluesky_network.wait_indexed(written.uri)

    # When the account's metrics are read (with a post of someone else's and a post that is gone)
    gone = post.rsplit("/", 1)[0] + "/3kxxxxxxxxxx2"
    page = metrics_once(
        connector_for,
        bluesky_account,
        [post, quiet, gone, "not-an-at-uri"],
        lambda page: page.posts.get(post, {}).get("like") == 1,
    )

    # Then each post has its counters, the account its followers, and what Bluesky never gives is missing
    assert page.posts[post] == {"like": 1, "share": 0, "comment": 1, "quote": 1} | (
        {"save": 0} if "save" in page.posts[post] else {}
    )
    assert page.posts[quiet]["like"] == 0
    assert set(page.posts) == {post, quiet}
    assert page.account == {"follower": 0}
    assert {"impression", "reach", "link_click", "video_view"} <= set(page.missing)
    assert not page.demo


def test_many_posts_are_asked_for_in_batches_of_twenty_five():
    uris = [f"at://did:plc:x/app.bsky.feed.post/{n}" for n in range(60)]

    found = list(batches([*uris, uris[0], "sandbox:x/1"]))

    assert [len(batch) for batch in found] == [GET_POSTS_BATCH, GET_POSTS_BATCH, 10]
    assert [uri for batch in found for uri in batch] == uris


def test_odd_answers_are_left_out():
    assert post_counters({"uri": "at://a", "likeCount": 2, "repostCount": -1, "replyCount": True}) == (
        "at://a",
        {"like": 2},
    )
    assert post_counters({"likeCount": 2}) is None
    assert post_counters("nonsense") is None
    assert "save" in missing({"at://a": {"like": 2}})
    assert "save" not in missing({"at://a": {"like": 2, "save": 1}})
