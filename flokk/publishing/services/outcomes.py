"""Recording what the network answered: deliveries, attempts, posts, accounts, people to tell.

Rules, in one place:
- published (or found by reconciliation): done, with the remote id and link;
- reconciliation found nothing: the earlier attempt did not get through, so publish again right away;
- credentials expired or revoked: the account needs reconnecting and the delivery is held, not failed;
- permanent error (the network refuses this post): failed at once with the network's reason;
- rate limited: wait as long as the network asks, for the whole account;
- anything else: retry with exponential backoff and jitter, asking the network first whenever the last
  call may have reached it; after `MAX_FAILURES` temporary errors the delivery fails with the last reason
  (rate limits do not count: waiting as asked is not failing).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Field, Model, Q
from django.utils.translation import gettext as _

from flokk.channels.models import Account
from flokk.channels.services.health import mark_needs_reconnect
from flokk.channels.vault import seal
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.core.audit import audit_entry, record_many
from flokk.core.notifications import notify
from flokk.publishing.choices import AttemptOutcome, DeliveryStatus, HoldReason
from flokk.publishing.engine import Result
from flokk.publishing.models import Delivery, DeliveryAttempt

MAX_FAILURES = 8
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 30 * 60.0


def backoff(failures: int) -> dt.timedelta:
    """30 s, 60 s, 120 s ... capped at 30 min, each ±20 % so retries of many posts spread out."""
    seconds = min(BACKOFF_BASE_SECONDS * 2 ** max(failures - 1, 0), BACKOFF_CAP_SECONDS)
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 (jitter, not security)


def _apply(result: Result, delivery: Delivery, attempt: DeliveryAttempt, now: dt.datetime) -> None:
    job, error = result.job, result.error
    attempt.finished_at = result.finished_at
    delivery.lease_until = None
    delivery.claimed_by = ""
    if result.published is not None:
        attempt.outcome = AttemptOutcome.FOUND if job.reconcile else AttemptOutcome.PUBLISHED
        delivery.status = DeliveryStatus.PUBLISHED
        delivery.remote_id = result.published.remote_id[:500]
        delivery.remote_url = result.published.remote_url[:1000]
        delivery.published_at = result.published.published_at or result.finished_at
        delivery.reconcile_first = False
        delivery.last_error = ""
        return
    if error is None:  # a reconciliation that found nothing: the earlier call did not get through
        attempt.outcome = AttemptOutcome.NOT_FOUND
        delivery.status = DeliveryStatus.PENDING
        delivery.reconcile_first = False
        delivery.next_attempt_at = now
        return
    attempt.error = error.message[:1000]
    attempt.status_code = error.status_code
    attempt.raw_response = error.raw
    delivery.last_error = error.message[:1000]
    if error.needs_reconnect:
        attempt.outcome = AttemptOutcome.NEEDS_RECONNECT
        delivery.status = DeliveryStatus.HELD
        delivery.hold_reason = HoldReason.NEEDS_RECONNECT
    elif error.permanent:
        attempt.outcome = AttemptOutcome.PERMANENT_ERROR
        delivery.status = DeliveryStatus.FAILED
    elif error.retry_after is not None:
        attempt.outcome = AttemptOutcome.RATE_LIMITED
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = now + dt.timedelta(seconds=max(error.retry_after, 1.0))
        delivery.reconcile_first = job.reconcile
    else:
        attempt.outcome = AttemptOutcome.TRANSIENT_ERROR
        delivery.reconcile_first = job.reconcile or error.outcome_unknown
        delivery.failures += 1
        if delivery.failures >= MAX_FAILURES:
            delivery.status = DeliveryStatus.FAILED
            delivery.last_error = _("Gave up after %(count)d attempts: %(reason)s") % {
                "count": delivery.attempt_count,
                "reason": error.message,
            }
        else:
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + backoff(delivery.failures)


DELIVERY_FIELDS = [
    "status",
    "hold_reason",
    "lease_until",
    "claimed_by",
    "next_attempt_at",
    "reconcile_first",
    "failures",
    "remote_id",
    "remote_url",
    "published_at",
    "last_error",
    "updated_at",
]
ATTEMPT_FIELDS = ["outcome", "finished_at", "error", "status_code", "raw_response", "updated_at"]


def save_fields(rows: Sequence[Model], fields: list[str]) -> None:
    """Save `fields` of many rows of one model: one prepared UPDATE, run once per row (`executemany`).

    Not `bulk_update`: it builds a CASE WHEN per field and row, and resolving those expressions cost more
    than the network calls did (about 4 ms a delivery, 40 s for 10,000). Drivers run one statement with
    many parameter sets fast (sqlite3 loops in C, psycopg pipelines it). No signals, as with bulk_update.
    """
    if not rows:
        return
    meta = type(rows[0])._meta
    pk = meta.pk
    assert pk is not None
    columns: list[Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, Field)
        columns.append(field)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(str(pk.column))} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [pk.get_db_prep_value(row.pk, connection)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def record_results(results: list[Result], now: dt.datetime) -> None:
    """Write a batch of results, then settle the posts and accounts they touch."""
    if not results:
        return
    deliveries = Delivery.objects.in_bulk([r.job.delivery_id for r in results])
    attempts = DeliveryAttempt.objects.in_bulk([r.job.attempt_id for r in results])
    reconnect: dict[str, str] = {}
    slow_down: dict[str, dt.datetime] = {}
    refreshed: dict[str, dict[str, Any]] = {}
    for result in results:
        if result.updated_credentials is not None:
            refreshed[result.job.account.id] = result.updated_credentials
        delivery, attempt = deliveries[result.job.delivery_id], attempts[result.job.attempt_id]
        _apply(result, delivery, attempt, now)
        delivery.updated_at = attempt.updated_at = now
        if result.error is not None and result.error.needs_reconnect:
            reconnect[result.job.account.id] = result.error.message
        elif result.error is not None and result.error.retry_after is not None and not result.error.permanent:
            until = delivery.next_attempt_at
            slow_down[result.job.account.id] = max(until, slow_down.get(result.job.account.id, until))
    with transaction.atomic():
        save_fields(list(deliveries.values()), DELIVERY_FIELDS)
        save_fields(list(attempts.values()), ATTEMPT_FIELDS)
        for account_id, secrets in refreshed.items():
            Account.objects.filter(pk=account_id).update(credentials=seal(secrets))
        for account_id, until in slow_down.items():
            Account.objects.filter(pk=account_id).update(rate_limited_until=until)
        if reconnect:
            # Everything else waiting for these accounts is held too, not tried and failed one by one.
            Delivery.objects.filter(account_id__in=list(reconnect), status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.HELD, hold_reason=HoldReason.NEEDS_RECONNECT
            )
        settle_posts({d.post_id for d in deliveries.values()})
    for account in Account.objects.filter(pk__in=list(reconnect)).select_related(
        "organization", "created_by"
    ):
        mark_needs_reconnect(account, reason=reconnect[str(account.pk)])


def settle_posts(post_ids: set[uuid.UUID]) -> None:
    """A post is published when all its deliveries are, failed when the rest is settled and one failed."""
    counts = (
        Delivery.objects.filter(post_id__in=post_ids)
        .values("post_id")
        .annotate(
            total=Count("pk"),
            published=Count("pk", filter=Q(status=DeliveryStatus.PUBLISHED)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        )
    )
    published, failed = [], []
    for row in counts:
        if row["published"] == row["total"]:
            published.append(row["post_id"])
        elif row["failed"] and row["published"] + row["failed"] == row["total"]:
            failed.append(row["post_id"])
    scheduled = Post.objects.filter(status=PostStatus.SCHEDULED)
    newly_published = list(
        scheduled.filter(pk__in=published).select_related("organization").prefetch_related("variants")
    )
    newly_failed = list(
        scheduled.filter(pk__in=failed)
        .select_related("organization", "created_by")
        .prefetch_related("variants")
    )
    Post.objects.filter(pk__in=[p.pk for p in newly_published]).update(status=PostStatus.PUBLISHED)
    Post.objects.filter(pk__in=[p.pk for p in newly_failed]).update(status=PostStatus.FAILED)
    record_many(
        [
            audit_entry("content.post.published", organization=p.organization, actor=None, target=p)
            for p in newly_published
        ]
        + [
            audit_entry("content.post.failed", organization=p.organization, actor=None, target=p)
            for p in newly_failed
        ]
    )
    for post in newly_failed:
        notify(
            [post.created_by] if post.created_by else [],
            organization=post.organization,
            action="content.post.failed",
            url=post.get_absolute_url(),
            message=lambda: _("Your post could not be published. See its deliveries for the reason."),
        )


def release_held_deliveries(account: Account) -> int:
    """After a reconnect: held deliveries of the account wait again and go out at once if due."""
    return Delivery.objects.filter(account=account, status=DeliveryStatus.HELD).update(
        status=DeliveryStatus.PENDING, hold_reason="", next_attempt_at=dt.datetime.now(dt.UTC)
    )
