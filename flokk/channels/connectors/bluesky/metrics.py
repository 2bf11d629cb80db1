"""Reading a Bluesky account's metrics: the counters the AppView shows on posts and on the profile.

`app.bsky.feed.getPosts` (at most 25 URIs a call) gives each post's likeCount, repostCount, replyCount and
quoteCount (bookmarkCount on AppViews that count bookmarks); `app.bsky.actor.getProfile` the account's
followersCount. Bluesky shows nobody impressions, reach, link clicks or video views: those are missing.
A post the AppView does not return (deleted, taken down) is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

GET_POSTS_BATCH = 25  # getPosts' maximum
# Our kinds, from the fields of app.bsky.feed.defs#postView.
POST_COUNTERS = {
    "like": "likeCount",
    "share": "repostCount",
    "comment": "replyCount",
    "quote": "quoteCount",
    "save": "bookmarkCount",
}
NEVER_GIVEN = ("impression", "reach", "link_click", "video_view")


def batches(remote_ids: list[str]) -> Iterator[list[str]]:
    """The posts' AT-URIs in getPosts-sized batches (anything that is not an AT-URI is left out)."""
    uris = list(dict.fromkeys(uri for uri in remote_ids if uri.startswith("at://")))
    for start in range(0, len(uris), GET_POSTS_BATCH):
        yield uris[start : start + GET_POSTS_BATCH]


def post_counters(post: Any) -> tuple[str, dict[str, int]] | None:
    """A postView's URI and counters; None when it is not one."""
    if not isinstance(post, dict) or not isinstance(post.get("uri"), str):
        return None
    counters = {
        kind: value
        for kind, name in POST_COUNTERS.items()
        if isinstance(value := post.get(name), int) and not isinstance(value, bool) and value >= 0
    }
    return post["uri"], counters


def posts_of(content: Any) -> list[Any]:
    posts = content.get("posts") if isinstance(content, dict) else None
    return posts if isinstance(posts, list) else []


def account_counters(profile: Any) -> dict[str, int]:
    count = profile.get("followersCount") if isinstance(profile, dict) else None
    return {"follower": count} if isinstance(count, int) and not isinstance(count, bool) else {}


def missing(posts: dict[str, dict[str, int]]) -> tuple[str, ...]:
    """The kinds no post came with: those Bluesky never gives, and counters this AppView leaves out."""
    given = {kind for counters in posts.values() for kind in counters}
    absent = [kind for kind in POST_COUNTERS if kind not in given] if posts else ["save"]
    return (*NEVER_GIVEN, *absent)
