"""Learnings: which features of a post go with more (or less) engagement in the organization's own history.

For each feature value (a content type, an angle tag, a campaign, a weekday, a link, an image or a video,
a text length, a number of hashtags) the posts with it are compared with all the others. The effect is the
ratio of the two groups' median scores (a score is the engagement rate relative to the account's typical
post, see `best_time.relative_scores`), with a 95 % bootstrap interval and the share of bootstrap samples on
the effect's side of 1 (the confidence).

A learning is kept only when both groups are large enough, its interval excludes 1, and it survives the
Holm correction for testing many features at once (on the bootstrap's two-sided p-value), so data without
effects yields no learnings. `refresh_learnings` replaces the organization's learnings in one transaction.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import statistics
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from flokk.analytics.models import Learning
from flokk.analytics.services.best_time import Outcome, relative_scores
from flokk.analytics.services.rollups import summarised
from flokk.channels.networks import HASHTAG_IN_TEXT, hashtag_key
from flokk.content.models import Campaign, Variant
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

MIN_GROUP = 10  # posts with the feature, and posts without it, needed to compare them
BOOTSTRAP_SAMPLES = 1000
ALPHA = 0.05
SEED = 6
MAX_POSTS = 3_000  # the most recent deliveries
SHORT_TEXT, LONG_TEXT = 100, 280  # characters: under SHORT_TEXT is short, from LONG_TEXT on long


@dataclass(frozen=True)
class PostFeatures:
    """One published delivery's score and the features it is compared by: feature -> values."""

    score: float
    features: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    feature: str
    value: str
    effect: float
    low: float
    high: float
    posts: int
    others: int
    confidence: float
    p_value: float


def length_bucket(text: str) -> str:
    length = len(text)
    return "short" if length < SHORT_TEXT else "long" if length >= LONG_TEXT else "medium"


def hashtag_bucket(count: int) -> str:
    return "0" if count == 0 else "1-2" if count <= 2 else "3+"


def features_of(
    *,
    text: str,
    link: str,
    hashtags: Sequence[str],
    content_type: str,
    tags: Sequence[str],
    campaign: str,
    asset_kinds: set[str],
    published_at: dt.datetime,
    zone: dt.tzinfo,
) -> dict[str, frozenset[str]]:
    """The comparable features of one delivery. Binary features only carry their "yes" side."""
    found_tags = {hashtag_key(tag) for tag in hashtags} | {
        hashtag_key(tag) for tag in HASHTAG_IN_TEXT.findall(text)
    }
    features: dict[str, frozenset[str]] = {
        "weekday": frozenset({str(published_at.astimezone(zone).weekday())}),
        "length": frozenset({length_bucket(text)}),
        "hashtags": frozenset({hashtag_bucket(len(found_tags))}),
        "media": frozenset({"video" if "video" in asset_kinds else "image" if asset_kinds else "none"}),
    }
    if link or "http://" in text or "https://" in text:
        features["has_link"] = frozenset({"yes"})
    if content_type:
        features["content_type"] = frozenset({content_type})
    if tags:
        features["tag"] = frozenset(str(tag) for tag in tags if str(tag).strip())
    if campaign:
        features["campaign"] = frozenset({campaign})
    return features


def _median_ratio(group: Sequence[float], others: Sequence[float]) -> float | None:
    below = statistics.median(others)
    return statistics.median(group) / below if below > 0 else None


def compare(
    posts: Sequence[PostFeatures],
    *,
    seed: int = SEED,
    samples: int = BOOTSTRAP_SAMPLES,
    min_group: int = MIN_GROUP,
) -> list[Finding]:
    """Every feature value with enough posts on both sides, compared; meaningful ones only, best first."""
    values: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, post in enumerate(posts):
        for feature, feature_values in post.features.items():
            for value in feature_values:
                values[(feature, value)].append(index)
    rng = random.Random(seed)  # noqa: S311 - statistics, not secrets: reproducible on purpose
    scores = [post.score for post in posts]
    groups: dict[tuple[str, frozenset[int]], Finding] = {}
    everyone = frozenset(range(len(posts)))
    for (feature, value), members in sorted(values.items()):
        if len(members) < min_group or len(posts) - len(members) < min_group:
            continue
        inside = frozenset(members)
        group = [scores[i] for i in members]
        others = [scores[i] for i in range(len(posts)) if i not in inside]
        effect = _median_ratio(group, others)
        if effect is None or effect <= 0 or effect == 1:
            continue
        ratios = []
        for _sample in range(samples):
            ratio = _median_ratio(rng.choices(group, k=len(group)), rng.choices(others, k=len(others)))
            ratios.append(math.inf if ratio is None else ratio)
        ratios.sort()
        same_side = sum(1 for ratio in ratios if (ratio > 1 if effect > 1 else ratio < 1))
        # A two-sided p-value from the bootstrap's spread of the log effect (normal approximation): unlike
        # counting samples across 1, it can go below 1 / samples, which the Holm correction below needs.
        logs = [math.log(ratio) for ratio in ratios if 0 < ratio < math.inf]
        spread = statistics.stdev(logs) if len(logs) > 1 else 0.0
        p_value = math.erfc(abs(math.log(effect)) / spread / math.sqrt(2)) if spread > 0 else 1.0
        groups[(feature, inside)] = Finding(
            feature=feature,
            value=value,
            effect=effect,
            low=ratios[int(0.025 * (samples - 1))],
            high=ratios[math.ceil(0.975 * (samples - 1))],
            posts=len(group),
            others=len(others),
            confidence=same_side / samples,
            p_value=p_value,
        )
    # Where a feature has only two values in the data (video or none), each comparison is the other one seen
    # from the other side: the same evidence, stated twice. Only the side that did better stays.
    candidates = [
        finding
        for (feature, members), finding in groups.items()
        if finding.effect > 1 or (feature, everyone - members) not in groups
    ]
    # Holm: the k-th smallest p-value (from 0) must be under ALPHA / (m - k); stop at the first that is not.
    kept = []
    ordered = sorted(candidates, key=lambda finding: finding.p_value)
    for rank, finding in enumerate(ordered):
        if finding.p_value >= ALPHA / (len(ordered) - rank):
            break
        if finding.low > 1 or finding.high < 1:
            kept.append(finding)
    return sorted(kept, key=lambda finding: (-finding.confidence, -abs(math.log(finding.effect))))


def load_posts(organization: Organization) -> list[PostFeatures]:
    """The organization's published deliveries with their scores and features (four queries)."""
    deliveries = Delivery.objects.filter(organization=organization, published_at__isnull=False)
    rows = list(
        summarised(deliveries.order_by("-published_at"), organization.id).values_list(
            "pk", "account_id", "account__network", "published_at", "variant_id", "variant__text",
            "variant__link", "variant__hashtags", "post__content_type", "post__tags", "post__campaign_id",
            "impressions", "engagements",
        )[:MAX_POSTS]
    )  # fmt: skip
    kinds: dict[uuid.UUID, set[str]] = defaultdict(set)
    through = Variant.assets.through.objects.filter(variant__post__organization=organization)
    for variant_id, kind in through.values_list("variant_id", "asset__kind").order_by():
        kinds[variant_id].add(kind)
    campaigns = dict(Campaign.objects.filter(organization=organization).values_list("pk", "name"))
    outcomes = [Outcome(row[0], row[1], row[2], row[3], row[11], row[12]) for row in rows]
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    posts = []
    for row, score in zip(rows, relative_scores(outcomes), strict=True):
        if score is None:
            continue
        (
            _pk,
            _account,
            _network,
            published_at,
            variant_id,
            text,
            link,
            hashtags,
            content_type,
            tags,
            campaign,
            _impressions,
            _engagements,
        ) = row
        if published_at is None:  # filtered out above; for the type checker
            continue
        features = features_of(
            text=text or "",
            link=link or "",
            hashtags=hashtags if isinstance(hashtags, list) else [],
            content_type=content_type or "",
            tags=tags if isinstance(tags, list) else [],
            campaign=str(campaigns.get(campaign, ""))[:200] if campaign else "",
            asset_kinds=kinds.get(variant_id, set()),
            published_at=published_at,
            zone=zone,
        )
        posts.append(PostFeatures(score, features))
    return posts


def refresh_learnings(organization: Organization) -> list[Learning]:
    """Work out the organization's learnings again and replace its stored ones (in one transaction)."""
    findings = compare(load_posts(organization))
    learnings = [
        Learning(
            organization=organization,
            network="",
            feature=finding.feature,
            value=finding.value[:200],
            effect=finding.effect,
            low=finding.low,
            high=finding.high,
            posts=finding.posts,
            others=finding.others,
            confidence=finding.confidence,
        )
        for finding in findings
    ]
    with transaction.atomic():
        Learning.objects.filter(organization=organization).delete()
        Learning.objects.bulk_create(learnings)
    return learnings


def subject(learning: Learning) -> str:
    """Which posts a learning is about, in plain words."""
    value = learning.value
    if learning.feature == "content_type":
        return _("Posts of the type “%(value)s”") % {"value": value}
    if learning.feature == "tag":
        return _("Posts with the angle “%(value)s”") % {"value": value}
    if learning.feature == "campaign":
        return _("Posts in the campaign “%(value)s”") % {"value": value}
    if learning.feature == "weekday" and value.isdigit() and int(value) < 7:
        days = (
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        )
        return _("Posts published on a %(weekday)s") % {"weekday": days[int(value)]}
    if learning.feature == "has_link":
        return _("Posts with a link")
    if learning.feature == "media":
        return {"video": _("Posts with a video"), "image": _("Posts with an image")}.get(
            value, _("Posts without an image or a video")
        )
    if learning.feature == "length":
        return {
            "short": _("Short posts (under %(count)s characters)") % {"count": SHORT_TEXT},
            "long": _("Long posts (%(count)s characters or more)") % {"count": LONG_TEXT},
        }.get(value, _("Posts of medium length"))
    if learning.feature == "hashtags":
        return {"0": _("Posts without hashtags"), "1-2": _("Posts with one or two hashtags")}.get(
            value, _("Posts with three or more hashtags")
        )
    return f"{learning.feature}: {value}"


def describe(learning: Learning) -> str:
    """A learning in plain words, e.g. "Posts with a video got 2.1 times the engagement of the others"."""
    figures = {
        "subject": subject(learning),
        "effect": number_format(learning.effect, 1),
        "low": number_format(learning.low, 1),
        "high": number_format(learning.high, 1),
        "posts": learning.posts,
        "others": learning.others,
    }
    if learning.effect >= 1:
        return (
            _(
                "%(subject)s got %(effect)s times the engagement of the others (95 %% interval "
                "%(low)s to %(high)s; %(posts)s posts against %(others)s)."
            )
            % figures
        )
    figures["less"] = number_format(100 * (1 - learning.effect), 0)
    return (
        _(
            "%(subject)s got %(less)s %% less engagement than the others (%(effect)s times; 95 %% interval "
            "%(low)s to %(high)s; %(posts)s posts against %(others)s)."
        )
        % figures
    )
