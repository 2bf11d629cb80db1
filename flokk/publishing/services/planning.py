"""Turning due posts into deliveries, and "publish now"."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from flokk.channels.choices import AccountStatus
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.core.audit import record
from flokk.core.errors import Conflict
from flokk.publishing.choices import DeliveryStatus, HoldReason
from flokk.publishing.models import Delivery
from flokk.teams.models import User

HOLD_FOR_ACCOUNT_STATUS: dict[str, str] = {
    AccountStatus.NEEDS_RECONNECT: HoldReason.NEEDS_RECONNECT,
    AccountStatus.DISCONNECTED: HoldReason.ACCOUNT_DISCONNECTED,
}


def deliveries_for(post: Post, now: dt.datetime) -> list[Delivery]:
    """Unsaved deliveries of the post: one per (variant, account on the variant's network)."""
    variants = {variant.network: variant for variant in post.variants.all()}
    rows = []
    for account in post.accounts.all():
        variant = variants.get(account.network)
        if variant is None:
            continue
        due = post.scheduled_at or now
        # An account that cannot publish right now holds its deliveries (reconnecting releases them).
        hold = HOLD_FOR_ACCOUNT_STATUS.get(account.status, "")
        rows.append(
            Delivery(
                organization_id=post.organization_id,
                post=post,
                variant=variant,
                account=account,
                idempotency_key=f"flokk-{uuid.uuid4().hex}",
                due_at=due,
                next_attempt_at=due,
                status=DeliveryStatus.HELD if hold else DeliveryStatus.PENDING,
                hold_reason=hold,
            )
        )
    return rows


def plan_due_deliveries(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Create the deliveries of scheduled posts whose time has come; returns how many were created.

    Idempotent: a (variant, account) pair that has a delivery keeps it (and its idempotency key). Workers
    planning at the same moment take disjoint posts (SKIP LOCKED on PostgreSQL; SQLite has one writer at a
    time), and a round plans at most `limit` posts so publishing starts while the rest is planned.
    """
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Post.objects.filter(status=PostStatus.SCHEDULED, scheduled_at__lte=now, deliveries__isnull=True)
            .order_by("scheduled_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if not due:
            return 0
        posts = Post.objects.filter(pk__in=due).prefetch_related("variants", "accounts")
        rows = [row for post in posts for row in deliveries_for(post, now)]
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def publish_now(post: Post, *, actor: User) -> Post:
    """Publish an approved or scheduled post at once: its time becomes now and the worker takes it next.

    Only posts that passed approval can be published; a post already publishing or published is refused.
    """
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        if post.status not in {PostStatus.APPROVED, PostStatus.SCHEDULED}:
            raise Conflict(
                _("Only an approved or scheduled post can be published now (this one is %(status)s).")
                % {"status": post.get_status_display()}
            )
        now = timezone.now()
        before = post.scheduled_at
        post.scheduled_at = now
        post.status = PostStatus.SCHEDULED
        post.save(update_fields=["scheduled_at", "status", "updated_at"])
        Delivery.objects.filter(post=post, status="pending").update(due_at=now, next_attempt_at=now)
        record(
            "publishing.post.publish_now",
            organization=post.organization,
            actor=actor,
            target=post,
            data={"was_scheduled_at": before.isoformat() if before else None},
        )
    return post
