"""Publishing: exactly once per (variant, account), reconciling unknown outcomes, never a blind retry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import ConnectorError
from flokk.content.choices import PostStatus
from flokk.content.services.public_media import asset_for_token, public_asset_url
from flokk.content.tests.helpers import asset, network_account
from flokk.core.models import AuditEntry, Notification
from flokk.publishing.choices import AttemptOutcome, DeliveryStatus
from flokk.publishing.dispatcher import dispatch_once, dispatch_until_idle
from flokk.publishing.engine import run_jobs_sync
from flokk.publishing.models import Delivery
from flokk.publishing.services.claiming import claim_jobs
from flokk.publishing.services.outcomes import record_results, release_held_deliveries
from flokk.publishing.services.pause import pause_account, pause_publishing, resume_publishing
from flokk.publishing.services.planning import plan_due_deliveries

pytestmark = pytest.mark.django_db(transaction=True)
LEASE = dt.timedelta(seconds=60)


def test_a_due_post_is_published_once_and_marked_published(
    network, due_post, django_capture_on_commit_callbacks
):
    post = due_post()
    assert dispatch_until_idle("w1") == 1
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert delivery.remote_id == "id-0"
    assert [a.outcome for a in delivery.attempts.all()] == [AttemptOutcome.PUBLISHED]
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    assert AuditEntry.objects.filter(action="content.post.published", target_id=str(post.pk)).exists()
    # Nothing more to do on the next rounds.
    assert dispatch_until_idle("w1") == 0
    assert network.publish_calls == [delivery.idempotency_key]


def test_a_post_whose_time_has_not_come_waits(network, due_post):
    post = due_post()
    type(post).objects.filter(pk=post.pk).update(scheduled_at=timezone.now() + dt.timedelta(hours=1))
    assert dispatch_until_idle("w1") == 0
    assert network.publish_calls == []


def test_a_worker_that_died_mid_call_is_reconciled_not_repeated(network, due_post):
    post = due_post()
    # The first worker claims and calls the network, which publishes; then the worker dies.
    plan_due_deliveries()
    jobs = claim_jobs(timezone.now(), worker="doomed", limit=10, lease=LEASE)
    run_jobs_sync(jobs)  # the post is on the network, but the results are never recorded
    assert len(network.posts) == 1
    # Another worker after the lease ran out: it asks the network first and finds the post.
    later = timezone.now() + LEASE + dt.timedelta(seconds=1)
    jobs = claim_jobs(later, worker="w2", limit=10, lease=LEASE)
    assert [job.reconcile for job in jobs] == [True]
    record_results(run_jobs_sync(jobs), later)
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert len(network.publish_calls) == 1
    outcomes = [a.outcome for a in delivery.attempts.order_by("number")]
    assert outcomes == [AttemptOutcome.STARTED, AttemptOutcome.FOUND]


def test_a_lost_answer_is_reconciled_before_any_retry(network, due_post):
    post = due_post()
    network.lose_answer = ConnectorError("timed out", outcome_unknown=True)
    dispatch_once("w1")
    network.lose_answer = None
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == DeliveryStatus.PENDING and delivery.reconcile_first
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    dispatch_until_idle("w1")
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PUBLISHED
    assert len(network.publish_calls) == 1  # found on the network, not published again


def test_a_call_that_never_arrived_is_published_after_reconciliation_finds_nothing(network, due_post):
    post = due_post()
    network.script = [ConnectorError("connection reset", outcome_unknown=True)]
    dispatch_once("w1")
    Delivery.objects.filter(post=post).update(next_attempt_at=timezone.now())
    dispatch_until_idle("w1")
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == DeliveryStatus.PUBLISHED
    outcomes = [a.outcome for a in delivery.attempts.order_by("number")]
    assert outcomes == [AttemptOutcome.TRANSIENT_ERROR, AttemptOutcome.NOT_FOUND, AttemptOutcome.PUBLISHED]


def test_transient_errors_back_off_and_rate_limits_hold_the_account(network, due_post, account):
    post = due_post()
    network.script = [ConnectorError("Too many requests", retry_after=120, status_code=429)]
    before = timezone.now()
    dispatch_once("w1")
    delivery = Delivery.objects.get(post=post)
    account.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=119)
    assert account.rate_limited_until is not None and account.rate_limited_until >= before + dt.timedelta(
        seconds=119
    )
    # Nothing goes to the account before then, even a new due post.
    due_post("another")
    assert dispatch_until_idle("w1") == 0


def test_a_permanent_error_fails_at_once_with_the_reason_and_tells_the_author(
    network, due_post, member, django_capture_on_commit_callbacks
):
    post = due_post()
    network.script = [ConnectorError("Media is too large for this server.", permanent=True, status_code=422)]
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_until_idle("w1")
    delivery = Delivery.objects.get(post=post)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error == "Media is too large for this server."
    assert len(network.publish_calls) == 1
    post.refresh_from_db()
    assert post.status == PostStatus.FAILED
    assert Notification.objects.filter(recipient=member("copywriter"), action="content.post.failed").exists()


def test_expired_credentials_hold_the_posts_and_flag_the_account(
    network, due_post, account, member, django_capture_on_commit_callbacks
):
    first, second = due_post("one"), due_post("two")
    network.script = [
        ConnectorError("The access token was revoked.", needs_reconnect=True, status_code=401)
    ] * 2
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_until_idle("w1")
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    assert account.status_reason == "The access token was revoked."
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.HELD}
    for post in (first, second):
        post.refresh_from_db()
        assert post.status == PostStatus.SCHEDULED  # held, not failed
    assert Notification.objects.filter(
        recipient=member("social-media-manager"), action="channels.account.needs_reconnect"
    ).exists()


def test_a_paused_organization_publishes_nothing_until_resumed(network, due_post, demo, member):
    smm = member("social-media-manager")
    post = due_post()
    pause_publishing(demo, reason="Kris: vänta med allt", actor=smm)
    assert dispatch_until_idle("w1") == 0
    resume_publishing(demo, actor=smm)
    assert dispatch_until_idle("w1") == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
    actions = list(
        AuditEntry.objects.filter(action__startswith="publishing.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["publishing.organization.paused", "publishing.organization.resumed"]


def test_a_paused_account_holds_only_its_own_posts(network, due_post, demo, member, account):
    other = network_account(demo, "mastodon", handle="other-brand")
    held, sent = due_post("held", [account]), due_post("sent", [other])
    pause_account(account, reason="Kontot granskas", actor=member("social-media-manager"))
    dispatch_until_idle("w1")
    held.refresh_from_db()
    sent.refresh_from_db()
    assert (held.status, sent.status) == (PostStatus.SCHEDULED, PostStatus.PUBLISHED)


def test_networks_that_download_media_get_a_signed_public_address(demo, member, client):
    image = asset(demo, member("copywriter"), alt_text="Solnedgång")
    url = public_asset_url(image)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert asset_for_token(token) == image
    response = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(url.removeprefix("http://127.0.0.1:8000")[:-3] + "xx/").status_code == 404


def test_posts_due_for_an_account_that_needs_reconnecting_are_held_until_it_is_reconnected(
    network, due_post, account
):
    type(account).objects.filter(pk=account.pk).update(status=AccountStatus.NEEDS_RECONNECT)
    post = due_post()
    assert dispatch_until_idle("w1") == 0
    delivery = Delivery.objects.get(post=post)
    assert (delivery.status, delivery.hold_reason) == (DeliveryStatus.HELD, "needs_reconnect")
    type(account).objects.filter(pk=account.pk).update(status=AccountStatus.CONNECTED)
    assert release_held_deliveries(account) == 1
    assert dispatch_until_idle("w1") == 1
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED
