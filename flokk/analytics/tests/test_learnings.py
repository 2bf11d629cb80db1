"""Learnings: a planted effect becomes a learning with an interval excluding 1; without one, none."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import Learning
from flokk.analytics.services.learnings import PostFeatures, compare, describe, refresh_learnings
from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all
from flokk.channels.models import Account
from flokk.content.models import Asset, Post, Variant
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization, User
from flokk.teams.services.organizations import create_organization

HOSTILE = "<script>alert(1)</script>"


def synthetic(seed: int, *, posts: int = 300, video_effect: float = 1.0) -> list[PostFeatures]:
    """Posts with a random mix of features; video posts score `video_effect` times the others."""
    rng = random.Random(seed)
    result = []
    for _ in range(posts):
        media = rng.choice(["video", "image", "none"])
        features = {
            "media": frozenset({media}),
            "weekday": frozenset({str(rng.randrange(7))}),
            "length": frozenset({rng.choice(["short", "medium", "long"])}),
            "tag": frozenset(
                rng.sample(["launch", "behind the scenes", "offer", "tips"], k=rng.randint(0, 2))
            ),
            "content_type": frozenset({rng.choice(["news", "guide"])}),
        }
        if rng.random() < 0.5:
            features["has_link"] = frozenset({"yes"})
        score = rng.lognormvariate(0, 0.5) * (video_effect if media == "video" else 1.0)
        result.append(PostFeatures(score, features))
    return result


def test_a_planted_effect_is_learned_with_an_interval_excluding_one() -> None:
    findings = compare(synthetic(1, video_effect=2.0), samples=400)
    video = next(f for f in findings if (f.feature, f.value) == ("media", "video"))
    assert 1.6 < video.effect < 2.6
    assert 1 < video.low < video.effect < video.high
    assert video.confidence > 0.99
    assert video.posts + video.others == 300
    assert findings[0] == video  # the strongest learning comes first


def test_data_without_effects_gives_no_learnings() -> None:
    learned = [seed for seed in range(8) if compare(synthetic(seed), samples=400)]
    assert len(learned) <= 1


def test_small_groups_are_not_compared() -> None:
    posts = synthetic(2, posts=15, video_effect=5.0)
    assert compare(posts, samples=200) == []


def published(
    org: Organization, account: Account, at: dt.datetime, *, video: Asset | None, tag: str
) -> Delivery:
    post = Post.objects.create(organization=org, status="published", tags=[tag], content_type="guide")
    variant = Variant.objects.create(post=post, network=account.network, text="A post about fjords #fjord")
    if video is not None:
        variant.assets.add(video)
    return Delivery.objects.create(
        organization=org, post=post, variant=variant, account=account, idempotency_key=uuid.uuid4().hex,
        status="published", due_at=at, next_attempt_at=at, published_at=at,
    )  # fmt: skip


def seed_history(slug: str = "fjord", *, video_effect: float = 2.0, posts: int = 40) -> Organization:
    """An organization whose video posts got `video_effect` times the engagement rate of the others."""
    owner = User.objects.create_user(f"owner@{slug}.example", "a-long-password-1", name="Olga Owner")
    org = create_organization(name=slug.title(), slug=slug, owner=owner)
    account = Account.objects.create(organization=org, network="linkedin", handle=slug)
    video = Asset.objects.create(
        organization=org, file=f"assets/{slug}.mp4", original_name="clip.mp4", kind="video",
        mime_type="video/mp4", size_bytes=1000,
    )  # fmt: skip
    rng = random.Random(3)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    events = []
    for index in range(posts):
        with_video = index % 2 == 0
        delivery = published(
            org, account, start + dt.timedelta(days=index), video=video if with_video else None, tag=HOSTILE
        )
        rate = 0.03 * rng.uniform(0.8, 1.25) * (video_effect if with_video else 1.0)
        for kind, count in (
            (EventKind.IMPRESSION, 2000),
            (EventKind.LIKE, round(2000 * rate * 0.8)),
            (EventKind.COMMENT, round(2000 * rate * 0.2)),
        ):
            events.append(
                NewEvent(
                    org.id, delivery.published_at, kind, count, "linkedin", EventSource.NETWORK,
                    account_id=account.id, delivery_id=delivery.pk,
                )
            )  # fmt: skip
    record_events(events)
    refresh_all()
    return org


@pytest.mark.django_db
def test_refresh_learnings_stores_the_planted_effect_and_replaces_old_rows() -> None:
    org = seed_history()
    Learning.objects.create(
        organization=org,
        feature="tag",
        value="stale",
        effect=3,
        low=2,
        high=4,
        posts=10,
        others=10,
        confidence=1,
    )
    refresh_learnings(org)
    learnings = list(Learning.objects.filter(organization=org))
    assert [(item.feature, item.value) for item in learnings] == [("media", "video")]
    video = learnings[0]
    assert video.low > 1 and video.posts == 20 and video.others == 20
    assert 1.5 < video.effect < 2.6
    assert describe(video).startswith("Posts with a video got ")


@pytest.mark.django_db
def test_refresh_learnings_without_an_effect_stores_none() -> None:
    org = seed_history(video_effect=1.0)
    refresh_learnings(org)
    assert not Learning.objects.filter(organization=org).exists()


@pytest.mark.django_db
def test_the_daily_job_refreshes_the_learnings_of_organizations_that_publish() -> None:
    from flokk.analytics.tasks import refresh_learnings as job
    from flokk.core.periodic import JOBS

    org = seed_history()
    assert JOBS["analytics.refresh_learnings"].every == dt.timedelta(days=1)
    job()
    assert Learning.objects.filter(organization=org, feature="media", value="video").exists()
