"""Demo metrics of the sandbox network: made-up counters, labelled demo, the same for the same post and time.

A post's counters are its ceiling (drawn from a hash of its remote id, so each post has its own size and mix)
times how far along its life it is: most engagement in the first two days, a slow tail up to thirty days,
never going down. Its age comes from the time in its remote id (the demo's posts carry one, see
`demo_remote_id`), else from when this process published it, else it counts as an old post (at its ceiling).
The account's followers grow a few a day from a base of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import re

from flokk.channels.connectors.base import MetricsPage

# What each kind is at most, per thousand impressions (low, high): the post's hash picks where in between.
RATES_PER_MILLE = {
    "like": (20, 70),
    "comment": (2, 12),
    "share": (2, 10),
    "save": (1, 8),
    "quote": (0, 2),
    "link_click": (4, 25),
}
IMPRESSIONS = (300, 4000)
REACH_SHARE = (0.55, 0.85)  # of impressions: people reached once or more
VIDEO_VIEW_SHARE = (0.2, 0.5)  # for the posts whose hash makes them videos (one in three)
FOLLOWERS = (600, 2400)
FOLLOWERS_A_DAY = (1.0, 6.0)
FOLLOWERS_SINCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FAST_HOURS = 18.0  # most of a post's engagement comes in its first day or two
TAIL = 0.12  # the share that trickles in over the rest of its first thirty days
TAIL_HOURS = 30 * 24.0
# By hour of the day and day of the week (Monday first) a post goes out: evenings and weekdays do better.
HOUR_FACTORS = (
    0.5, 0.4, 0.4, 0.4, 0.5, 0.6, 0.8, 1.0, 1.1, 1.0, 0.9, 1.0,
    1.2, 1.0, 0.9, 0.9, 1.0, 1.1, 1.3, 1.4, 1.5, 1.3, 1.0, 0.7,
)  # fmt: skip
WEEKDAY_FACTORS = (1.1, 1.15, 1.1, 1.05, 0.95, 0.75, 0.8)
# How much of a week's new followers come on each day of it (Monday first).
FOLLOWER_DAYS = (1.2, 1.15, 1.1, 1.05, 0.9, 0.7, 0.9)
_TIMED = re.compile(r"/(\d{8}T\d{4})-")


def demo_remote_id(handle: str, published_at: dt.datetime, number: int) -> str:
    """The remote id of a demo post published at `published_at` (its age can be read from it)."""
    return f"sandbox:{handle}/{published_at.astimezone(dt.UTC):%Y%m%dT%H%M}-{number:04d}"


def published_at_in(remote_id: str) -> dt.datetime | None:
    match = _TIMED.search(remote_id)
    if match is None:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M").replace(tzinfo=dt.UTC)


def _fraction(seed: str, name: str, low: float, high: float) -> float:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return low + (high - low) * int.from_bytes(digest[:4], "big") / 0xFFFFFFFF


def progress(age: dt.timedelta | None) -> float:
    """How much of its engagement a post has had at `age` (0 to 1; None: an old post, 1)."""
    if age is None:
        return 1.0
    hours = max(age.total_seconds() / 3600, 0.0)
    return (1 - TAIL) * (1 - math.exp(-hours / FAST_HOURS)) + TAIL * min(hours / TAIL_HOURS, 1.0)


def timing_factor(published_at: dt.datetime | None) -> float:
    """How much the time of publishing helps (Nordic time): evenings and weekdays do better."""
    if published_at is None:
        return 1.0
    local = published_at.astimezone(dt.UTC) + dt.timedelta(hours=1)
    return HOUR_FACTORS[local.hour] * WEEKDAY_FACTORS[local.weekday()]


@functools.lru_cache(maxsize=4096)
def post_ceiling(remote_id: str) -> dict[str, float]:
    """What the post reaches in the end, per kind (and reach). Cached: the dict is not to be changed."""
    impressions = _fraction(remote_id, "impression", *IMPRESSIONS) * timing_factor(published_at_in(remote_id))
    ceiling = {"impression": impressions, "reach": impressions * _fraction(remote_id, "reach", *REACH_SHARE)}
    for kind, (low, high) in RATES_PER_MILLE.items():
        ceiling[kind] = impressions * _fraction(remote_id, kind, low, high) / 1000
    is_video = int(hashlib.sha256(remote_id.encode()).hexdigest(), 16) % 3 == 0
    ceiling["video_view"] = impressions * _fraction(remote_id, "video", *VIDEO_VIEW_SHARE) if is_video else 0
    return ceiling


def post_counters(remote_id: str, age: dt.timedelta | None) -> dict[str, int]:
    """The post's running totals at `age` (whole numbers, never lower for an older age)."""
    done = progress(age)
    return {kind: int(total * done) for kind, total in post_ceiling(remote_id).items()}


def followers(handle: str, at: dt.datetime) -> int:
    """The account's followers at `at`: a base of its own and a few more a day, more on weekdays."""
    days = max((at - FOLLOWERS_SINCE).total_seconds() / 86400, 0.0)
    weeks, rest = divmod(days, 7)
    mean = sum(FOLLOWER_DAYS) / 7
    first = FOLLOWERS_SINCE.weekday()
    weighted = weeks * 7 + sum(
        FOLLOWER_DAYS[(first + day) % 7] / mean * min(rest - day, 1.0) for day in range(int(rest) + 1)
    )
    base = _fraction(handle, "followers", *FOLLOWERS)
    return int(base + weighted * _fraction(handle, "growth", *FOLLOWERS_A_DAY))


def demo_metrics(
    handle: str, remote_ids: list[str], *, now: dt.datetime, published: dict[str, dt.datetime]
) -> MetricsPage:
    """The sandbox's answer to `fetch_metrics`; `published` holds the times of posts it published itself."""
    posts = {}
    for remote_id in remote_ids:
        at = published_at_in(remote_id) or published.get(remote_id)
        posts[remote_id] = post_counters(remote_id, now - at if at is not None else None)
    return MetricsPage(posts=posts, account={"follower": followers(handle, now)}, missing=(), demo=True)
