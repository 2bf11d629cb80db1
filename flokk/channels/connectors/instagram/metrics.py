"""Reading an Instagram professional account's metrics: the counters of its media and its followers.

A media's public counters are fields of the IG Media object, read for up to 50 media a call with Graph's
multiple-ID read, `GET /?ids={id},{id}&fields=like_count,comments_count,media_product_type`
(https://developers.facebook.com/docs/instagram-platform/reference/instagram-media). What only the account
sees comes from the media's insights, one call a media, `GET /{media-id}/insights?metric=...`, answered as
`{"data": [{"name", "period": "lifetime", "values": [{"value"}], "title", "description", "id"}]}`
(https://developers.facebook.com/docs/instagram-platform/reference/instagram-media/insights): `reach`,
`saved`, `shares` and `views`. `views` replaced `impressions`, which Meta retired for media made after
1 July 2024 (every API version from 21 April 2025), and `plays`/`video_views`; it counts every time the
media was seen, so it is our impressions, and Instagram gives no separate video views. Stories have no
`saved`. A media whose insights cannot be read (a metric its kind does not have, "(#10) Not enough viewers",
the insights of a story after 24 hours) keeps its public counters.

The account's followers: `GET /{ig-user-id}?fields=followers_count`
(https://developers.facebook.com/docs/instagram-platform/reference/instagram-user). Instagram has no quotes,
and the API reports no link clicks on a media (captions carry no links) nor video views apart from views.
"""

from __future__ import annotations

from typing import Any

from flokk.channels.connectors.facebook.metrics import batches, count, insight_values

__all__ = ["batches"]

MEDIA_FIELDS = "like_count,comments_count,media_product_type"
ACCOUNT_FIELDS = "followers_count"
# Our kinds, from the media's fields.
MEDIA_COUNTERS = {"like": "like_count", "comment": "comments_count"}
# Our kinds, from the media's insights metrics.
INSIGHT_COUNTERS = {"reach": "reach", "save": "saved", "share": "shares", "impression": "views"}
STORY_METRICS = ("reach", "shares", "views")  # a story cannot be saved
MISSING = ("quote", "link_click", "video_view")


def media_counters(media: dict[str, Any]) -> dict[str, int]:
    return {
        kind: found for kind, name in MEDIA_COUNTERS.items() if (found := count(media.get(name))) is not None
    }


def insight_metrics(media: dict[str, Any]) -> str:
    """The insights metrics to ask for a media of its kind (`media_product_type`)."""
    if media.get("media_product_type") == "STORY":
        return ",".join(STORY_METRICS)
    return ",".join(INSIGHT_COUNTERS.values())


def insight_counters(payload: dict[str, Any]) -> dict[str, int]:
    """A media's private counters from a `GET /{media-id}/insights` answer."""
    values = insight_values(payload)
    return {
        kind: found
        for kind, name in INSIGHT_COUNTERS.items()
        if (found := count(values.get(name))) is not None
    }


def account_counters(account: dict[str, Any]) -> dict[str, int]:
    followers = count(account.get("followers_count"))
    return {"follower": followers} if followers is not None else {}
