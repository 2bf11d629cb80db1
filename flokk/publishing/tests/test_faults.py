"""Publishing through the real Mastodon connector against a fake instance that misbehaves.

The engine's waits (backoff, Retry-After) are not slept through: between rounds the test moves the
deliveries' next attempt and the accounts' rate limits to "now", as if the time had passed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.credentials import store_credentials
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.publishing.choices import AttemptOutcome, DeliveryStatus
from flokk.publishing.dispatcher import dispatch_once
from flokk.publishing.models import Delivery, DeliveryAttempt
from flokk.publishing.services import outcomes
from flokk.publishing.services.planning import plan_due_deliveries
from flokk.teams.models import Organization
from tests.fakes.mastodon import FakeAccount, FakeMastodon, RecordedRequest, running

pytestmark = pytest.mark.django_db(transaction=True)
SETTLED = {DeliveryStatus.PUBLISHED, DeliveryStatus.FAILED, DeliveryStatus.HELD}


@pytest.fixture
def flaky() -> Iterator[FakeMastodon]:
    """About 30 % of calls fail: 5xx, 429 with Retry-After, and answers that never come (half of the
    status posts among those still take effect). Answers are lost after 0.3 s, not the default 5 s."""
    yield from running(seed=7, fail_rate=0.1, rate_limit_rate=0.1, timeout_rate=0.1, hang_seconds=0.3)


@pytest.fixture
def strict() -> Iterator[FakeMastodon]:
    """A well-behaved instance with a short character limit (a status over it gets 422)."""
    yield from running(max_characters=60)


def connected(org: Organization, fake: FakeMastodon, name: str) -> tuple[Account, FakeAccount]:
    """A connected Mastodon account of the organization on the fake, with its token in the vault."""
    remote = fake.create_account(name)
    account = Account.objects.create(
        organization=org,
        network=Network.MASTODON,
        handle=f"{name}@{fake.host}",
        service_url=fake.url,
        remote_id=remote.id,
    )
    store_credentials(account, {"access_token": remote.token, "scope": "read write"})
    return account, remote


def let_time_pass() -> bool:
    """Every waiting delivery and rate-limited account is due now; returns whether a rate limit was set."""
    now = timezone.now()
    limited = Account.objects.filter(rate_limited_until__isnull=False).update(rate_limited_until=None)
    Delivery.objects.filter(status=DeliveryStatus.PENDING).update(next_attempt_at=now)
    return limited > 0


def requests_with(fake: FakeMastodon, token: str) -> list[RecordedRequest]:
    bearer = f"Bearer {token}"
    return [
        r
        for r in list(fake.requests)
        if {k.lower(): v for k, v in r.headers.items()}.get("authorization") == bearer
    ]


def test_every_post_goes_out_exactly_once_through_errors_lost_answers_and_rate_limits(
    flaky: FakeMastodon,
    demo: Organization,
    due_post: Callable[..., Post],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # At this fault rate reconciliations (two pages to read) fail half the time and count as failures:
    # 8 can leave a delivery of 180 given up. This test is about exactly once, so it allows more.
    monkeypatch.setattr(outcomes, "MAX_FAILURES", 30)
    # Given 60 posts, each for the same 3 accounts, due now, and an instance failing ~30 % of calls;
    # the first status post surely loses its answer after taking effect, the next one is rate limited.
    accounts = [connected(demo, flaky, f"brand{index}")[0] for index in range(3)]
    posts = [due_post(f"Fault test post {index}", accounts) for index in range(60)]
    assert plan_due_deliveries() == 180
    # Fixed idempotency keys: the fake's draws depend on them, so a run repeats.
    for index, delivery in enumerate(Delivery.objects.order_by("pk")):
        Delivery.objects.filter(pk=delivery.pk).update(idempotency_key=f"flokk-fault-{index:03d}")
    flaky.inject("timeout", method="POST", path="/api/v1/statuses")
    flaky.inject("rate_limit", method="POST", path="/api/v1/statuses", retry_after=120)

    # When the dispatcher runs round after round, with the waits skipped.
    rate_limited = False
    for _round in range(40):
        dispatch_once("w1")
        rate_limited |= let_time_pass()
        if set(Delivery.objects.values_list("status", flat=True)) <= SETTLED:
            break

    # Then every post is on the instance exactly once per account: nothing lost, nothing twice.
    assert Counter(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PUBLISHED: 180}
    per_key = Counter(status["idempotency_key"] for status in flaky.statuses)
    assert set(per_key) == set(Delivery.objects.values_list("idempotency_key", flat=True))
    assert set(per_key.values()) == {1}
    for post in posts:
        post.refresh_from_db()
        assert post.status == PostStatus.PUBLISHED
    # The faults really happened, and were handled as they should be.
    faults = Counter(request.fault for request in flaky.requests)
    assert faults["error"] and faults["rate_limit"] and faults["timeout"]
    assert rate_limited
    reconciliations = DeliveryAttempt.objects.filter(reconciliation=True)
    assert reconciliations.filter(outcome=AttemptOutcome.FOUND).exists()  # the lost answer, found
    assert reconciliations.filter(outcome=AttemptOutcome.PUBLISHED).count() == 0


def test_a_revoked_token_holds_the_account_and_a_refused_status_fails_at_once(
    strict: FakeMastodon, demo: Organization, due_post: Callable[..., Post]
) -> None:
    # Given an account whose token was revoked on the instance, with two due posts,
    revoked, revoked_remote = connected(demo, strict, "revoked")
    strict.revoke(revoked_remote.token)
    held = [due_post(f"Held post {index}", [revoked]) for index in range(2)]
    # and a healthy account with a post longer than the instance accepts.
    healthy, healthy_remote = connected(demo, strict, "healthy")
    refused = due_post(
        "A post far longer than this instance's character limit of sixty characters.", [healthy]
    )

    # When the dispatcher runs, then keeps running as time passes (and a new post comes due).
    dispatch_once("w1")
    calls_after_first_round = len(requests_with(strict, revoked_remote.token))
    late = due_post("Written after the token was revoked", [revoked])
    for _round in range(3):
        let_time_pass()
        dispatch_once("w1")

    # Then the account needs reconnecting and its deliveries wait, held; nothing more was sent for it.
    revoked.refresh_from_db()
    assert revoked.status == AccountStatus.NEEDS_RECONNECT
    assert "revoked" in revoked.status_reason
    assert set(Delivery.objects.filter(post__in=held).values_list("status", flat=True)) == {
        DeliveryStatus.HELD
    }
    assert calls_after_first_round == 2
    assert len(requests_with(strict, revoked_remote.token)) == calls_after_first_round
    for post in held:
        post.refresh_from_db()
        assert post.status == PostStatus.SCHEDULED  # held, not failed
    # A post that came due later waits too (planned, never claimed) and was never tried.
    late_delivery = Delivery.objects.get(post=late)
    assert late_delivery.status in {DeliveryStatus.PENDING, DeliveryStatus.HELD}
    assert not late_delivery.attempts.exists()
    # And the refused status failed at once, with the instance's reason, after exactly one call.
    delivery = Delivery.objects.get(post=refused)
    assert delivery.status == DeliveryStatus.FAILED
    assert "Text character limit of 60 exceeded" in delivery.last_error
    assert [a.outcome for a in delivery.attempts.all()] == [AttemptOutcome.PERMANENT_ERROR]
    assert len(requests_with(strict, healthy_remote.token)) == 1
    assert strict.statuses == []
    refused.refresh_from_db()
    assert refused.status == PostStatus.FAILED
