"""Reading an X account's metrics: the public counters of its posts and its followers.

`GET /2/tweets?ids=...&tweet.fields=public_metrics` (at most 100 ids a call) gives each post's like_count,
retweet_count, reply_count, quote_count, bookmark_count and impression_count; `GET /2/users/me` with
`user.fields=public_metrics` the account's followers_count (docs.x.com, fundamentals/fields and the data
dictionary). Reach, link clicks and video views are not public metrics: those are missing. A post X does not
return (deleted, withheld: it comes in `errors`) is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

IDS_BATCH = 100  # GET /2/tweets takes at most 100 ids
# Our kinds, from the fields of a post's public_metrics.
POST_COUNTERS = {
    "like": "like_count",
    "share": "retweet_count",
    "comment": "reply_count",
    "quote": "quote_count",
    "save": "bookmark_count",
    "impression": "impression_count",
}
MISSING = ("reach", "link_click", "video_view")


def batches(remote_ids: list[str]) -> Iterator[list[str]]:
    """The post ids (X's are digits) in batches of IDS_BATCH."""
    ids = list(dict.fromkeys(remote_id for remote_id in remote_ids if remote_id.isdigit()))
    for start in range(0, len(ids), IDS_BATCH):
        yield ids[start : start + IDS_BATCH]


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def post_counters(payload: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each post's counters in a `GET /2/tweets` answer, by post id."""
    posts: dict[str, dict[str, int]] = {}
    data = payload.get("data")
    for post in data if isinstance(data, list) else []:
        if not isinstance(post, dict) or post.get("id") is None:
            continue
        metrics = post.get("public_metrics")
        metrics = metrics if isinstance(metrics, dict) else {}
        counts = {kind: _count(metrics.get(name)) for kind, name in POST_COUNTERS.items()}
        posts[str(post["id"])] = {kind: count for kind, count in counts.items() if count is not None}
    return posts


def account_counters(payload: dict[str, Any]) -> dict[str, int]:
    data = payload.get("data")
    metrics = data.get("public_metrics") if isinstance(data, dict) else None
    count = _count(metrics.get("followers_count")) if isinstance(metrics, dict) else None
    return {"follower": count} if count is not None else {}
