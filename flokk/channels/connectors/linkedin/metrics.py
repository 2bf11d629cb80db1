"""Reading a LinkedIn organization page's metrics: the lifetime statistics of its posts and its followers.

The Share Statistics API gives an organization's posts' organic lifetime totals when `timeIntervals` is left
out: `GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&organizationalEntity={org}
&shares=List({share urn},...)&ugcPosts=List({ugcPost urn},...)`, one element a post, naming it in `share`
or `ugcPost`, with `totalShareStatistics` {impressionCount, uniqueImpressionsCount, clickCount, likeCount,
commentCount, shareCount, engagement} (https://learn.microsoft.com/en-us/linkedin/marketing/
community-management/organizations/share-statistics, permission rw_organization_admin). It only covers the
past 12 months (a rolling window): an older post, or one that is gone, gets no element and is left out.
`clickCount` counts clicks on the post's content, the page's name or logo: the nearest LinkedIn has to link
clicks. LinkedIn's likes are all reactions.

Followers: `GET /rest/networkSizes/{org}?edgeType=COMPANY_FOLLOWED_BY_MEMBER` answers `{"firstDegreeSize": n}`
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/organizations/
organization-lookup-api, "Retrieve Organization Follower Count"). LinkedIn gives organizations no saves,
quotes or video views in these statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

POSTS_BATCH = 20  # posts per statistics call: the URNs travel in the URL, which must stay short
SHARE_URN = "urn:li:share:"
UGC_POST_URN = "urn:li:ugcPost:"
# Our kinds, from the fields of `totalShareStatistics`.
POST_COUNTERS = {
    "impression": "impressionCount",
    "reach": "uniqueImpressionsCount",
    "link_click": "clickCount",
    "like": "likeCount",
    "comment": "commentCount",
    "share": "shareCount",
}
MISSING = ("save", "quote", "video_view")


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def batches(remote_ids: list[str]) -> Iterator[list[str]]:
    """The post URNs the statistics take (shares and UGC posts), once each, POSTS_BATCH at a time."""
    urns = [urn for urn in remote_ids if urn.startswith((SHARE_URN, UGC_POST_URN)) and urn.split(":")[-1]]
    urns = list(dict.fromkeys(urns))
    for start in range(0, len(urns), POSTS_BATCH):
        yield urns[start : start + POSTS_BATCH]


def statistics_path(organization: str, urns: list[str]) -> str:
    """The statistics call for these posts; URNs are encoded inside `List(...)` as Rest.li 2.0 wants."""

    def listed(prefix: str) -> str:
        return ",".join(quote(urn, safe="") for urn in urns if urn.startswith(prefix))

    path = (
        "/rest/organizationalEntityShareStatistics?q=organizationalEntity"
        f"&organizationalEntity={quote(organization, safe='')}"
    )
    if shares := listed(SHARE_URN):
        path += f"&shares=List({shares})"
    if ugc_posts := listed(UGC_POST_URN):
        path += f"&ugcPosts=List({ugc_posts})"
    return path


def post_counters(payload: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each post's lifetime counters in a statistics answer, by post URN."""
    posts: dict[str, dict[str, int]] = {}
    elements = payload.get("elements")
    for element in elements if isinstance(elements, list) else []:
        if not isinstance(element, dict):
            continue
        urn = element.get("share") or element.get("ugcPost")
        statistics = element.get("totalShareStatistics")
        if not isinstance(urn, str) or not urn or not isinstance(statistics, dict):
            continue  # the organization's aggregate, or an element Flokk cannot place
        counts = {kind: _count(statistics.get(name)) for kind, name in POST_COUNTERS.items()}
        posts[urn] = {kind: found for kind, found in counts.items() if found is not None}
    return posts


def account_counters(payload: dict[str, Any]) -> dict[str, int]:
    followers = _count(payload.get("firstDegreeSize"))
    return {"follower": followers} if followers is not None else {}
