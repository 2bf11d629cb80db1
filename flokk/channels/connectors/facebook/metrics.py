"""Reading a Facebook Page's metrics: the counters of its posts and the Page's followers.

A post's public counters come from its fields, read for up to 50 posts a call with a multiple-ID read,
`GET /?ids={id},{id}&fields=shares,reactions.summary(total_count).limit(0),comments...summary(...)`
(https://developers.facebook.com/docs/graph-api/reference/post/ and
https://developers.facebook.com/docs/graph-api/reference/v2.7/object/reactions:
`reactions.summary(total_count)` answers `{"reactions": {"data": [], "summary": {"total_count": n}}}`;
`shares` is `{"count": n}` and Graph leaves it out when nobody shared the post).
Reactions of every type count as likes.

What only the Page sees comes from the post's insights, one call a post,
`GET /{post-id}/insights?metric=...&period=lifetime`, which answers
`{"data": [{"name", "period", "values": [{"value", "end_time"}], "title", "description", "id"}]}`
(https://developers.facebook.com/docs/graph-api/reference/insights). Meta retired `post_impressions_unique`
on 15 June 2025 (its alternative is `post_total_media_view_unique`, our reach) and the `impressions` metrics
on 15 November 2025 in favour of "views" (`post_media_view`, our impressions); see
https://developers.facebook.com/docs/platforminsights/page/deprecated-metrics and Meta's blog "Page Insights
API Updates" (15 August 2025). Link clicks are the "link clicks" part of `post_clicks_by_type`. A post whose
insights cannot be read keeps its public counters.

The Page's followers: `GET /{page-id}?fields=followers_count,fan_count` (`fan_count`, the Page's likes, only
when Facebook gives no `followers_count`). Facebook reports no saves, quotes or video views for a post.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

IDS_BATCH = 50  # a multiple-ID read takes at most 50 ids
POST_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),comments.filter(stream).summary(total_count).limit(0)"
)
ACCOUNT_FIELDS = "followers_count,fan_count"
# Our kinds, from the post's insights metrics (lifetime totals).
INSIGHT_COUNTERS = {
    "impression": "post_media_view",
    "reach": "post_total_media_view_unique",
}
LINK_CLICKS = ("post_clicks_by_type", "link clicks")
INSIGHT_METRICS = ",".join([*INSIGHT_COUNTERS.values(), LINK_CLICKS[0]])
MISSING = ("save", "quote", "video_view")


def count(value: Any) -> int | None:
    """A counter as the network gave it, or None for anything that is not a count (bools, floats, < 0)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def batches(remote_ids: list[str], size: int = IDS_BATCH) -> Iterator[list[str]]:
    """The ids (Graph ids: digits, a Page post's `{page-id}_{post-id}`) once each, `size` at a time."""
    ids = [remote_id for remote_id in remote_ids if remote_id.replace("_", "").isdigit()]
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _summary_total(edge: Any) -> int | None:
    summary = edge.get("summary") if isinstance(edge, dict) else None
    return count(summary.get("total_count")) if isinstance(summary, dict) else None


def post_counters(post: dict[str, Any]) -> dict[str, int]:
    """A post's public counters from its fields (see POST_FIELDS)."""
    counters: dict[str, int] = {}
    like = _summary_total(post.get("reactions"))
    if like is not None:
        counters["like"] = like
    comment = _summary_total(post.get("comments"))
    if comment is not None:
        counters["comment"] = comment
    shares = post.get("shares")
    if shares is None:
        counters["share"] = 0  # Graph leaves `shares` out of a post nobody shared
    elif isinstance(shares, dict) and (share := count(shares.get("count"))) is not None:
        counters["share"] = share
    return counters


def insight_values(payload: dict[str, Any]) -> dict[str, Any]:
    """Each metric's latest value in an insights answer, by metric name (values as given: a number or, for
    the `_by_type` metrics, an object)."""
    values: dict[str, Any] = {}
    data = payload.get("data")
    for metric in data if isinstance(data, list) else []:
        if not isinstance(metric, dict) or not isinstance(metric.get("name"), str):
            continue
        points = metric.get("values")
        total = metric.get("total_value")
        if isinstance(points, list) and points and isinstance(points[-1], dict) and "value" in points[-1]:
            values[metric["name"]] = points[-1]["value"]
        elif isinstance(total, dict) and "value" in total:
            values[metric["name"]] = total["value"]
    return values


def insight_counters(payload: dict[str, Any]) -> dict[str, int]:
    """A post's private counters from a `GET /{post-id}/insights` answer."""
    values = insight_values(payload)
    counters = {
        kind: found
        for kind, name in INSIGHT_COUNTERS.items()
        if (found := count(values.get(name))) is not None
    }
    by_type = values.get(LINK_CLICKS[0])
    if isinstance(by_type, dict):
        link_clicks = count(by_type.get(LINK_CLICKS[1], 0))
        if link_clicks is not None:
            counters["link_click"] = link_clicks
    return counters


def account_counters(page: dict[str, Any]) -> dict[str, int]:
    followers = count(page.get("followers_count"))
    if followers is None:
        followers = count(page.get("fan_count"))
    return {"follower": followers} if followers is not None else {}
