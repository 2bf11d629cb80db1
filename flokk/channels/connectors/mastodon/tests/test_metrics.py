"""The Mastodon connector's metrics against the fake instance: counters, followers, what is missing."""

from __future__ import annotations

import pytest

from flokk.channels.connectors.base import ConnectorError
from flokk.channels.connectors.mastodon.metrics import missing, status_counters
from flokk.channels.tests.running import run


@pytest.fixture
def bob(mastodon):
    return mastodon.create_account("bob", "Bob Berg")


def test_each_status_gets_its_public_counters_and_the_account_its_followers(
    mastodon, alice, bob, connector_for
):
    # Given two statuses of alice's: bob likes the first and answers it twice
    first = mastodon.deliver(alice, "Our new roast is out")
    second = mastodon.deliver(alice, "Opening hours this weekend")
    mastodon.deliver(bob, "@alice lovely!", in_reply_to_id=first["id"])
    mastodon.deliver(bob, "@alice when?", in_reply_to_id=first["id"])
    liker = connector_for(bob)
    run(liker, liker.like(first["id"], {}))

    # When alice's metrics are read
    connector = connector_for(alice)
    page = run(connector, connector.fetch_metrics([first["id"], second["id"]]))

    # Then each status has its favourites, boosts and replies; impressions and the like are missing
    assert page.posts[first["id"]] == {"like": 1, "share": 0, "comment": 2}
    assert page.posts[second["id"]] == {"like": 0, "share": 0, "comment": 0}
    assert page.account == {"follower": 0}
    assert {"impression", "reach", "save", "link_click", "video_view", "quote"} == set(page.missing)
    assert not page.demo


def test_a_deleted_status_is_left_out(mastodon, alice, connector_for):
    kept = mastodon.deliver(alice, "Still here")
    gone = mastodon.deliver(alice, "Soon gone")
    remover = connector_for(alice)
    run(remover, remover.delete(gone["id"]))

    connector = connector_for(alice)
    page = run(connector, connector.fetch_metrics([kept["id"], gone["id"]]))

    assert set(page.posts) == {kept["id"]}


def test_a_refused_token_means_reconnect(mastodon, alice, connector_for):
    post = mastodon.deliver(alice, "Hello")
    connector = connector_for(alice, token="not-a-token")

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_metrics([post["id"]]))

    assert caught.value.needs_reconnect


def test_a_server_error_is_temporary(mastodon, alice, connector_for):
    post = mastodon.deliver(alice, "Hello")
    mastodon.inject("error", status=503, path=f"/api/v1/statuses/{post['id']}")
    connector = connector_for(alice)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_metrics([post["id"]]))

    assert not caught.value.permanent and caught.value.status_code == 503


def test_quotes_count_where_the_instance_has_them():
    counters = status_counters(
        {"favourites_count": 3, "reblogs_count": 1, "replies_count": 0, "quotes_count": 2}
    )

    assert counters == {"like": 3, "share": 1, "comment": 0, "quote": 2}
    assert "quote" not in missing({"1": counters})
    assert status_counters({"favourites_count": -1, "reblogs_count": True}) == {}
