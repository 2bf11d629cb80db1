"""The LinkedIn connector's metrics, against answers built from LinkedIn's documentation."""

from __future__ import annotations

import pytest

from flokk.channels.connectors.base import ConnectorError
from flokk.channels.connectors.linkedin.metrics import (
    POSTS_BATCH,
    account_counters,
    batches,
    post_counters,
    statistics_path,
)
from flokk.channels.tests.running import run

ORGANIZATION = "urn:li:organization:2414183"
SHARE, UGC_POST = "urn:li:share:6844785523593134090", "urn:li:ugcPost:6844785523593134091"
GONE = "urn:li:share:6844785523593134099"


def test_lifetime_statistics_of_posts_and_the_pages_followers(replay, connector):
    recorded = replay("metrics")

    page = run(connector, connector.fetch_metrics([SHARE, UGC_POST, GONE, "not-a-post-urn"]))

    assert recorded.done
    assert page.posts == {
        SHARE: {"impression": 2100, "reach": 1180, "link_click": 57, "like": 38, "comment": 9, "share": 4},
        UGC_POST: {"impression": 410, "reach": 300, "link_click": 5, "like": 7, "comment": 1, "share": 0},
    }  # the post LinkedIn gave no statistics for is left out
    assert page.account == {"follower": 3120}
    assert set(page.missing) == {"save", "quote", "video_view"}
    # Rest.li 2.0: the URNs inside List(...) are encoded
    assert b"shares=List(urn%3Ali%3Ashare%3A6844785523593134090,urn%3Ali%3Ashare%3A" in (
        recorded.requests[0].url.query
    )


def test_a_refused_token_means_reconnect(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "host": "api.linkedin.com", "path": "/rest/organizationalEntityShareStatistics"},
        {
            "status": 401,
            "json": {
                "status": 401,
                "serviceErrorCode": 65601,
                "code": "REVOKED_ACCESS_TOKEN",
                "message": "The token used in the request has been revoked by the user",
            },
        },
    )
    connector.credentials.pop("refresh_token")

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_metrics([SHARE]))

    assert caught.value.needs_reconnect


def test_a_statistic_for_a_post_not_asked_for_is_ignored(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "path": "/rest/organizationalEntityShareStatistics"},
        {"status": 200, "json": {"elements": [{"share": GONE, "totalShareStatistics": {"likeCount": 1}}]}},
    ).add(
        {"method": "GET", "path": f"/rest/networkSizes/{ORGANIZATION}"},
        {"status": 200, "json": {"firstDegreeSize": -1}},
    )

    page = run(connector, connector.fetch_metrics([SHARE]))

    assert recorded.done
    assert page.posts == {} and page.account == {}


def test_many_posts_are_asked_for_twenty_at_a_time():
    urns = [f"urn:li:share:{7000000000000000000 + n}" for n in range(45)]

    assert [len(batch) for batch in batches([*urns, urns[0], "urn:li:share:", "urn:li:comment:(x,1)"])] == [
        POSTS_BATCH,
        POSTS_BATCH,
        5,
    ]
    path = statistics_path(ORGANIZATION, [UGC_POST])
    assert "shares=" not in path and "ugcPosts=List(urn%3Ali%3AugcPost%3A6844785523593134091)" in path


def test_junk_values_are_dropped():
    payload = {
        "elements": [
            {
                "share": SHARE,
                "totalShareStatistics": {
                    "impressionCount": -5,
                    "uniqueImpressionsCount": True,
                    "clickCount": 1.5,
                    "likeCount": "38",
                    "commentCount": None,
                    "shareCount": 2,
                },
            },
            {"totalShareStatistics": {"likeCount": 99}},  # the organization's aggregate
            {"ugcPost": UGC_POST, "totalShareStatistics": "odd"},
            "odd",
        ]
    }

    assert post_counters(payload) == {SHARE: {"share": 2}}
    assert post_counters({"elements": {}}) == {}
    assert account_counters({"firstDegreeSize": False}) == {}
