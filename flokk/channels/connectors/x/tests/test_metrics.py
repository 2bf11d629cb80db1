"""The X connector's metrics, against X's documented answers: public metrics of posts, followers, gaps."""

from __future__ import annotations

import pytest

from flokk.channels.connectors.base import ConnectorError
from flokk.channels.connectors.x.metrics import IDS_BATCH, batches, post_counters
from flokk.channels.tests.running import run

POST, GONE = "1445880548472328192", "1445880548472328100"


def test_public_metrics_of_posts_and_the_accounts_followers(replay, connector):
    recorded = replay("metrics")

    page = run(connector, connector.fetch_metrics([POST, GONE, "not-an-x-id"]))

    assert recorded.done
    assert page.posts == {
        POST: {"like": 100, "share": 10, "comment": 5, "quote": 2, "save": 3, "impression": 1500}
    }  # the post that is gone is left out
    assert page.account == {"follower": 507}
    assert set(page.missing) == {"reach", "link_click", "video_view"}


def test_a_refused_token_means_reconnect(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "host": "api.x.com", "path": "/2/users/me"},
        {
            "status": 401,
            "json": {"title": "Unauthorized", "detail": "Unauthorized", "type": "about:blank", "status": 401},
        },
    )
    connector.credentials.pop("refresh_token")

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_metrics([]))

    assert caught.value.needs_reconnect


def test_many_posts_are_asked_for_a_hundred_at_a_time():
    ids = [str(10**18 + n) for n in range(250)]

    assert [len(batch) for batch in batches([*ids, ids[0], "x"])] == [IDS_BATCH, IDS_BATCH, 50]
    assert post_counters({"data": [{"id": "1", "public_metrics": {"like_count": -1}}, "odd"]}) == {"1": {}}
