"""Metrics from the real local Bluesky network (PLC, PDS, AppView): a post the organization published is
liked by a member of the public, and the next reading turns that like into an event the rollups count."""

from __future__ import annotations

import datetime as dt
import time
import uuid

import pytest
from django.utils import timezone

from flokk.analytics.models import MetricSnapshot, PostRollup
from flokk.analytics.services.metrics import collect_metrics
from flokk.analytics.services.rollups import refresh_all
from flokk.channels.connectors.base import Publication
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.calls import call_network
from flokk.channels.services.credentials import store_credentials
from flokk.content.services.posts import PostInput, create_post
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery

pytestmark = pytest.mark.django_db


def test_a_like_on_the_network_becomes_a_like_in_the_rollups(bluesky_network, demo, member):
    # Given a Bluesky account of the organization, and a post it published
    password = uuid.uuid4().hex
    did, handle = bluesky_network.create_account(f"brand{uuid.uuid4().hex[:8]}.test", password)
    account = Account.objects.create(
        organization=demo,
        network=Network.BLUESKY,
        handle=handle,
        service_url=bluesky_network.service_url,
        remote_id=did,
    )
    store_credentials(account, {"app_password": bluesky_network.create_app_password(handle, password)})
    published = call_network(
        account, lambda connector: connector.publish(Publication(idempotency_key="metrics-1", text="Hej!"))
    )
    post = create_post(demo, PostInput(account_ids=[account.pk], text="Hej!"), actor=member("copywriter"))
    delivery = Delivery.objects.create(
        organization=demo,
        post=post,
        variant=post.variants.get(),
        account=account,
        idempotency_key="metrics-1",
        status=DeliveryStatus.PUBLISHED,
        due_at=timezone.now(),
        next_attempt_at=timezone.now(),
        remote_id=published.remote_id,
        published_at=timezone.now() - dt.timedelta(minutes=1),
    )
    bluesky_network.wait_indexed(published.remote_id)
    collect_metrics(account)
    first = MetricSnapshot.objects.get(delivery=delivery).values
    assert (first["like"], first["comment"], first["share"], first["quote"]) == (0, 0, 0, 0)

    # When a member of the public likes it, and the AppView has counted the like
    fan = bluesky_network.create_member("fan")
    bluesky_network.like(fan, published.remote_id)
    deadline = time.monotonic() + 20
    while bluesky_network.wait_indexed(published.remote_id).get("likeCount") != 1:
        assert time.monotonic() < deadline, "the AppView did not count the like"
        time.sleep(0.2)
    collect_metrics(account)

    # Then the post has one like, counted once, and the network's missing kinds are named
    refresh_all()
    assert PostRollup.objects.get(delivery_id=delivery.pk, kind="like").total == 1
    latest = MetricSnapshot.objects.filter(delivery=delivery).order_by("-taken_at").first()
    assert latest is not None and latest.values["like"] == 1 and not latest.demo
    assert "impression" in latest.missing
