"""The best time to post on each network, from the organization's own published posts.

Each published delivery gets a score: its engagement rate (engagements over impressions) relative to the
median rate of its account, or, where a network reports no impressions (Bluesky, Mastodon), its engagements
relative to the account's median engagements per post. 1.0 is the account's typical post, so large and small
accounts, and networks with and without impressions, compare on one scale.

Posts are grouped by their local weekday and 3-hour block (the organization's time zone). Each slot gets its
mean score with a 95 % bootstrap interval. A best slot is claimed only when the evidence is clear: a
permutation test of the largest standardized slot mean (max-t, which accounts for testing every slot at once)
gives p < 0.05, and the slot's interval lies above the network's typical post. With too few posts, each
network gets a documented default instead, labelled as one.

The statistics are pure functions over plain data (seeded, so a page shows the same figures on every load);
`best_times_for` loads one organization's history in two queries.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from django.core.cache import cache

from flokk.analytics.choices import ENGAGEMENT_KINDS
from flokk.analytics.services.rollups import summarised
from flokk.channels.networks import RULES
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

BLOCK_HOURS = 3
BLOCKS = tuple(range(0, 24, BLOCK_HOURS))  # each block's first local hour
WEEKDAYS = tuple(range(7))  # Monday = 0, as datetime.weekday()
MIN_POSTS = 30  # fewer posts on a network than this: the default, not the organization's own figures
MIN_SLOT_POSTS = 5  # a slot needs this many posts to be named the best
ALPHA = 0.05
BOOTSTRAP_SAMPLES = 400
PERMUTATIONS = 499
SEED = 6  # fixed: the same history always gives the same figures
MAX_POSTS_PER_NETWORK = 2_000  # the most recent; enough for the estimates, bounded work per page
CACHE_SECONDS = 3600

# The default when there is too little history: each network's usual good hours (`NetworkRules.good_hours`
# in flokk/channels/networks.py, taken from widely published industry guidance: the yearly "best times to
# post" studies of Sprout Social and Hootsuite), on working days, when those studies find the most
# engagement for organizations. A network without such hours gets the late morning.
DEFAULT_WEEKDAYS = (0, 1, 2, 3, 4)
FALLBACK_HOURS = ((9, 12),)

ENGAGEMENT_VALUES = frozenset(str(kind) for kind in ENGAGEMENT_KINDS)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One published delivery: where and when it went out, and what it got."""

    delivery_id: uuid.UUID
    account_id: uuid.UUID
    network: str
    published_at: dt.datetime
    impressions: int
    engagements: int


@dataclass(frozen=True, slots=True)
class Slot:
    """One weekday and block: how many posts, their mean score and its 95 % interval (None if too few)."""

    weekday: int
    block: int
    posts: int
    estimate: float | None = None
    low: float | None = None
    high: float | None = None

    @property
    def block_end(self) -> int:
        return self.block + BLOCK_HOURS


@dataclass(frozen=True)
class BestTime:
    """One network's answer. `is_default`: too little history, `default_hours` on `default_weekdays`."""

    network: str
    posts: int
    slots: tuple[Slot, ...]
    best: Slot | None
    p_value: float | None
    is_default: bool
    default_hours: tuple[tuple[int, int], ...]
    default_weekdays: tuple[int, ...] = DEFAULT_WEEKDAYS

    def slot(self, weekday: int, block: int) -> Slot | None:
        return next((s for s in self.slots if s.weekday == weekday and s.block == block), None)

    def is_default_slot(self, weekday: int, block: int) -> bool:
        """Whether the block overlaps the default hours on a default weekday."""
        return weekday in self.default_weekdays and any(
            block < end and start < block + BLOCK_HOURS for start, end in self.default_hours
        )


def default_hours(network: str) -> tuple[tuple[int, int], ...]:
    rules = RULES.get(network)
    return (rules.good_hours if rules and rules.good_hours else None) or FALLBACK_HOURS


def relative_scores(outcomes: Sequence[Outcome]) -> list[float | None]:
    """Each outcome's engagement relative to its account's typical post (1.0); None where it has no score.

    An account with impressions on any post is scored by engagement rate (posts without impressions yet are
    left out); an account without any (Bluesky, Mastodon) by engagements per post. An account whose posts all
    got nothing has no typical post to compare with, so its posts get no score.
    """
    by_account: dict[uuid.UUID, list[int]] = defaultdict(list)
    for index, outcome in enumerate(outcomes):
        by_account[outcome.account_id].append(index)
    scores: list[float | None] = [None] * len(outcomes)
    for indexes in by_account.values():
        with_impressions = any(outcomes[i].impressions > 0 for i in indexes)
        values: dict[int, float] = {}
        for i in indexes:
            outcome = outcomes[i]
            if with_impressions:
                if outcome.impressions > 0:
                    values[i] = max(outcome.engagements, 0) / outcome.impressions
            else:
                values[i] = float(max(outcome.engagements, 0))
        if not values:
            continue
        typical = statistics.median(values.values()) or statistics.fmean(values.values())
        if typical <= 0:
            continue
        for i, value in values.items():
            scores[i] = value / typical
    return scores


def local_slot(published_at: dt.datetime, zone: dt.tzinfo) -> tuple[int, int]:
    local = published_at.astimezone(zone)
    return local.weekday(), local.hour // BLOCK_HOURS * BLOCK_HOURS


def bootstrap_interval(
    values: Sequence[float], rng: np.random.Generator, samples: int = BOOTSTRAP_SAMPLES
) -> tuple[float, float]:
    """The 95 % percentile bootstrap interval of the mean (all resamples drawn at once)."""
    data = np.asarray(values, dtype=float)
    means = np.sort(data[rng.integers(0, len(data), size=(samples, len(data)))].mean(axis=1))
    return float(means[int(0.025 * (samples - 1))]), float(means[math.ceil(0.975 * (samples - 1))])


def analyse_network(
    network: str,
    posts: Iterable[tuple[int, int, float]],
    *,
    seed: int = SEED,
    min_posts: int = MIN_POSTS,
    permutations: int = PERMUTATIONS,
) -> BestTime:
    """The best time on one network from (local weekday, block start hour, score) per post.

    The best slot is the one with the largest standardized mean, t = (slot mean - mean) / (sd / sqrt(n)),
    among slots with at least MIN_SLOT_POSTS posts. Its p-value compares it with the largest t of each
    random relabelling of the posts (the labels are exchangeable when time makes no difference), so the
    chance of naming a best slot in data without one stays under ALPHA however many slots there are.
    """
    rows = list(posts)
    hours = default_hours(network)
    if len(rows) < min_posts:
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for weekday, block, _score in rows:
            counts[(weekday, block)] += 1
        slots = tuple(Slot(w, b, n) for (w, b), n in sorted(counts.items()))
        return BestTime(network, len(rows), slots, None, None, is_default=True, default_hours=hours)

    rng = np.random.default_rng(seed)  # statistics, not secrets: reproducible on purpose
    groups: dict[tuple[int, int], list[float]] = defaultdict(list)
    for weekday, block, score in rows:
        groups[(weekday, block)].append(score)
    slots_list = []
    for (weekday, block), values in sorted(groups.items()):
        if len(values) >= 2:
            low, high = bootstrap_interval(values, rng)
            slots_list.append(Slot(weekday, block, len(values), statistics.fmean(values), low, high))
        else:
            slots_list.append(Slot(weekday, block, len(values), values[0]))
    slots = tuple(slots_list)

    scores = [score for _w, _b, score in rows]
    mean = statistics.fmean(scores)
    spread = statistics.pstdev(scores)
    eligible = [slot for slot in slots if slot.posts >= MIN_SLOT_POSTS]
    if not eligible or spread == 0:
        return BestTime(network, len(rows), slots, None, None, is_default=False, default_hours=hours)

    # t = (slot sum / n - mean) / (sd / sqrt(n)) = slot sum * scale - shift, per slot.
    scale = {slot: 1 / (spread * math.sqrt(slot.posts)) for slot in eligible}
    shift = {slot: mean * math.sqrt(slot.posts) / spread for slot in eligible}
    observed = {
        slot: math.fsum(groups[(slot.weekday, slot.block)]) * scale[slot] - shift[slot] for slot in eligible
    }
    candidate = max(eligible, key=lambda slot: observed[slot])
    # A relabelling keeps each slot's size, so shuffling the scores and cutting them into runs of those
    # sizes is the same as shuffling the labels: every relabelling at once, a row each.
    sizes = np.array([slot.posts for slot in eligible])
    ends = np.cumsum(sizes)
    pools = rng.permuted(np.tile(np.asarray(scores, dtype=float), (permutations, 1)), axis=1)
    sums = np.concatenate([np.zeros((permutations, 1)), np.cumsum(pools, axis=1)], axis=1)
    slot_scale = np.array([scale[slot] for slot in eligible])
    slot_shift = np.array([shift[slot] for slot in eligible])
    largest = ((sums[:, ends] - sums[:, ends - sizes]) * slot_scale - slot_shift).max(axis=1)
    as_extreme = int(np.count_nonzero(largest >= observed[candidate] - 1e-12))
    p_value = (as_extreme + 1) / (permutations + 1)
    clear = p_value < ALPHA and candidate.low is not None and candidate.low > statistics.median(scores)
    return BestTime(
        network,
        len(rows),
        slots,
        candidate if clear else None,
        p_value,
        is_default=False,
        default_hours=hours,
    )


def analyse(
    outcomes: Sequence[Outcome],
    zone: dt.tzinfo,
    *,
    seed: int = SEED,
    min_posts: int = MIN_POSTS,
    permutations: int = PERMUTATIONS,
) -> dict[str, BestTime]:
    """The best time per network from published outcomes, in the time zone `zone`."""
    scores = relative_scores(outcomes)
    by_network: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    networks: set[str] = set()
    for outcome, score in zip(outcomes, scores, strict=True):
        networks.add(outcome.network)
        if score is None:
            continue
        by_network[outcome.network].append((*local_slot(outcome.published_at, zone), score))
    return {
        network: analyse_network(
            network, by_network.get(network, []), seed=seed, min_posts=min_posts, permutations=permutations
        )
        for network in sorted(networks)
    }


def load_outcomes(organization: Organization) -> list[Outcome]:
    """The organization's published deliveries with their impressions and engagements (one query)."""
    deliveries = Delivery.objects.filter(organization=organization, published_at__isnull=False)
    rows = summarised(deliveries.order_by("-published_at"), organization.id).values_list(
        "pk", "account_id", "account__network", "published_at", "impressions", "engagements"
    )[: MAX_POSTS_PER_NETWORK * 7]
    outcomes = []
    seen: dict[str, int] = defaultdict(int)
    for delivery_id, account_id, network, published_at, impressions, engagements in rows:
        seen[network] += 1
        if published_at is None or seen[network] > MAX_POSTS_PER_NETWORK:
            continue
        outcomes.append(Outcome(delivery_id, account_id, network, published_at, impressions, engagements))
    return outcomes


def best_times_for(organization: Organization, *, use_cache: bool = True) -> dict[str, BestTime]:
    """The organization's best time per network. Cached for an hour: the history changes slowly."""
    key = f"analytics:best_time:{organization.pk}:{organization.time_zone}"
    if use_cache and (cached := cache.get(key)) is not None:
        return cached  # type: ignore[no-any-return]
    result = analyse(load_outcomes(organization), zoneinfo.ZoneInfo(organization.time_zone))
    cache.set(key, result, CACHE_SECONDS)
    return result


def for_network(results: dict[str, BestTime], network: str) -> BestTime:
    """The network's answer, or the default for a network without any published posts yet."""
    return results.get(network) or BestTime(
        network, 0, (), None, None, is_default=True, default_hours=default_hours(network)
    )
