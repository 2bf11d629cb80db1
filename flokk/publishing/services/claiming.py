"""Claiming due deliveries for one worker, and recording each attempt before the network is called."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet, Subquery

from flokk.analytics.services.utm import tagged_for_publishing
from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import AccountRef, MediaItem, OAuthApp, Publication
from flokk.channels.models import Account
from flokk.channels.services.connectors import account_ref, app_for
from flokk.channels.services.credentials import read_credentials
from flokk.content.choices import PostStatus
from flokk.content.models import Variant
from flokk.content.services.public_media import public_asset_url
from flokk.publishing.choices import DeliveryStatus
from flokk.publishing.models import Delivery, DeliveryAttempt, PublishingPause

# Networks that download media from a public address instead of taking uploads.
FETCHES_MEDIA = frozenset({"instagram"})


@dataclass(frozen=True)
class Job:
    """One network call to make: publish, or (`reconcile`) ask whether an earlier attempt got through."""

    delivery_id: uuid.UUID
    attempt_id: uuid.UUID
    account: AccountRef
    credentials: dict[str, Any]
    app: OAuthApp | None
    publication: Publication
    reconcile: bool
    since: dt.datetime


def claimable(now: dt.datetime) -> QuerySet[Delivery]:
    """Deliveries a worker may take now: waiting and due, or held by a worker whose lease ran out.

    Never for a paused organization or account, an account that needs reconnecting, one the network asked
    to slow down, or a post that is no longer scheduled for now (edited back to draft, moved later).
    """
    paused_orgs = PublishingPause.objects.filter(lifted_at__isnull=True).values("organization_id")
    usable_accounts = (
        Account.objects.filter(status=AccountStatus.CONNECTED, paused_at__isnull=True)
        .filter(Q(rate_limited_until__isnull=True) | Q(rate_limited_until__lte=now))
        .values("pk")
    )
    waiting = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    abandoned = Q(status=DeliveryStatus.PUBLISHING, lease_until__lt=now)
    return (
        Delivery.objects.filter(waiting | abandoned)
        .filter(account_id__in=Subquery(usable_accounts), post__status=PostStatus.SCHEDULED)
        .filter(post__scheduled_at__lte=now)
        .exclude(organization_id__in=Subquery(paused_orgs))
    )


def publication_of(delivery: Delivery) -> Publication:
    variant: Variant = delivery.variant
    media = []
    for asset in variant.assets.all():
        with asset.file.open("rb") as handle:
            data = handle.read()
        media.append(
            MediaItem(
                data=data,
                mime_type=asset.mime_type,
                alt_text=asset.alt_text,
                width=asset.width,
                height=asset.height,
                public_url=public_asset_url(asset) if delivery.account.network in FETCHES_MEDIA else "",
            )
        )
    text, link = tagged_for_publishing(
        organization=delivery.post.organization,
        post=delivery.post,
        network=delivery.account.network,
        text=variant.text,
        link=variant.link,
        hashtags=tuple(variant.hashtags or ()),
    )
    return Publication(
        idempotency_key=delivery.idempotency_key,
        text=text,
        link=link,
        media=tuple(media),
        first_comment=variant.first_comment,
        hashtags=tuple(variant.hashtags or ()),
    )


def claim_jobs(now: dt.datetime, *, worker: str, limit: int, lease: dt.timedelta) -> list[Job]:
    """Take up to `limit` deliveries for this worker and record an attempt for each, durably.

    Rows are locked with SKIP LOCKED on PostgreSQL; on SQLite (one writer at a time) the conditional
    update decides. The attempts are committed before this returns, so a crash during the network calls
    leaves them "started": an unknown outcome that the next claim reconciles before any retry.
    """
    token = uuid.uuid4().hex
    with transaction.atomic():
        ids = list(
            claimable(now)
            .order_by("next_attempt_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        claim = {"status": DeliveryStatus.PUBLISHING, "lease_until": now + lease, "claimed_by": token}
        # A worker died holding these: its last call may have reached the network.
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PUBLISHING, lease_until__lt=now).update(
            reconcile_first=True, **claim
        )
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(**claim)
        mine = Delivery.objects.filter(claimed_by=token, status=DeliveryStatus.PUBLISHING)
        mine.update(attempt_count=F("attempt_count") + 1)
        claimed = list(
            mine.select_related(
                "account", "variant", "post__organization", "post__campaign"
            ).prefetch_related("variant__assets")
        )
        attempts = []
        for delivery in claimed:
            attempts.append(
                DeliveryAttempt(
                    delivery=delivery,
                    number=delivery.attempt_count,
                    reconciliation=delivery.reconcile_first,
                    started_at=now,
                    worker=worker[:64],
                )
            )
        DeliveryAttempt.objects.bulk_create(attempts, batch_size=500)
    credentials: dict[uuid.UUID, dict[str, Any]] = {}
    apps: dict[uuid.UUID, OAuthApp | None] = {}
    jobs = []
    for delivery, attempt in zip(claimed, attempts, strict=True):
        account = delivery.account
        if account.pk not in credentials:
            credentials[account.pk] = read_credentials(account)
            apps[account.pk] = app_for(account)
        jobs.append(
            Job(
                delivery_id=delivery.pk,
                attempt_id=attempt.pk,
                account=account_ref(account),
                credentials=credentials[account.pk],
                app=apps[account.pk],
                publication=publication_of(delivery),
                reconcile=delivery.reconcile_first,
                since=delivery.due_at - dt.timedelta(minutes=5),
            )
        )
    return jobs
