"""Reading a Mastodon account's metrics: the public counters of its statuses and its followers.

A status (`GET /api/v1/statuses/:id`) shows favourites_count, reblogs_count and replies_count (and
quotes_count on instances with quote posts); the account (`verify_credentials`) followers_count. Mastodon
counts no impressions, reach, link clicks or video views, and bookmarks are private to whoever made them:
those are missing. A status that is gone (404) is left out.
"""

from __future__ import annotations

from typing import Any

# Our kinds, from the fields of a Status entity.
STATUS_COUNTERS = {
    "like": "favourites_count",
    "share": "reblogs_count",
    "comment": "replies_count",
    "quote": "quotes_count",
}
NEVER_GIVEN = ("impression", "reach", "save", "link_click", "video_view")
CONCURRENT_READS = 4  # statuses read at once: each is a call, and instances limit calls per token


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def status_counters(status: dict[str, Any]) -> dict[str, int]:
    return {
        kind: count
        for kind, name in STATUS_COUNTERS.items()
        if (count := _count(status.get(name))) is not None
    }


def account_counters(account: dict[str, Any]) -> dict[str, int]:
    count = _count(account.get("followers_count"))
    return {"follower": count} if count is not None else {}


def missing(posts: dict[str, dict[str, int]]) -> tuple[str, ...]:
    """The kinds Mastodon never gives, and quotes when no status came with a count of them."""
    quotes = any("quote" in counters for counters in posts.values())
    return NEVER_GIVEN if quotes else (*NEVER_GIVEN, "quote")
