"""Polling every connected account's inbox: claim the due ones, fetch concurrently, store, move cursors.

A cursor moves only in the transaction that stores its items, so a crash or a network that is down never
skips anything: the next poll asks again from the old cursor (repeats are dropped by ingest). Two workers
never poll one account at once (a lease on its cursor row); a failing account backs off without holding up
the others.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors import REGISTRY
from flokk.channels.connectors.base import Connector, ConnectorError, InboxPage
from flokk.channels.models import Account
from flokk.channels.services.calls import guarded, settle_connector
from flokk.channels.services.connectors import connector_for_account
from flokk.inbox.models import InboxCursor
from flokk.inbox.services.ingest import IngestReport, ingest

logger = logging.getLogger(__name__)
MAX_ACCOUNTS_PER_ROUND = 50
MAX_BACKOFF = dt.timedelta(minutes=15)


def inbox_networks() -> list[str]:
    """The networks whose connectors can read comments, mentions or messages."""
    return [
        name
        for name, connector in REGISTRY.items()
        if connector.capabilities.read_comments
        or connector.capabilities.read_mentions
        or connector.capabilities.read_direct_messages
    ]


def _ensure_cursors(now: dt.datetime) -> None:
    missing = Account.objects.filter(
        status=AccountStatus.CONNECTED, network__in=inbox_networks(), inbox_cursor__isnull=True
    ).values_list("pk", flat=True)
    InboxCursor.objects.bulk_create(
        [InboxCursor(account_id=pk, next_poll_at=now) for pk in missing], ignore_conflicts=True
    )


def _claim(now: dt.datetime) -> list[InboxCursor]:
    lease = dt.timedelta(seconds=settings.FLOKK_INBOX_LEASE_SECONDS)
    candidates = (
        InboxCursor.objects.filter(next_poll_at__lte=now, account__status=AccountStatus.CONNECTED)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .select_related("account__organization")
        .order_by("next_poll_at")[:MAX_ACCOUNTS_PER_ROUND]
    )
    claimed = []
    for cursor in candidates:
        taken = InboxCursor.objects.filter(pk=cursor.pk, next_poll_at=cursor.next_poll_at).update(
            lease_until=now + lease, next_poll_at=now + lease
        )
        if taken:
            claimed.append(cursor)
    return claimed


@dataclass
class PollOutcome:
    cursor: InboxCursor
    page: InboxPage | None
    error: ConnectorError | None


async def _fetch_all(work: list[tuple[InboxCursor, Connector]]) -> list[tuple[PollOutcome, Connector]]:
    async def one(cursor: InboxCursor, connector: Connector) -> tuple[PollOutcome, Connector]:
        try:
            page = await guarded(connector, lambda c: c.fetch_inbox(cursor.cursor))
            return PollOutcome(cursor, page, None), connector
        except ConnectorError as error:
            return PollOutcome(cursor, None, error), connector
        finally:
            await connector.aclose()

    return await asyncio.gather(*(one(cursor, connector) for cursor, connector in work))


def backoff(failures: int) -> dt.timedelta:
    base = dt.timedelta(seconds=float(settings.FLOKK_INBOX_POLL_SECONDS) * (2 ** min(failures, 8)))
    jitter: float = random.uniform(0.8, 1.2)  # noqa: S311 (not security)
    return min(base, MAX_BACKOFF) * jitter


def _record(outcome: PollOutcome, now: dt.datetime) -> IngestReport | None:
    cursor, interval = outcome.cursor, dt.timedelta(seconds=settings.FLOKK_INBOX_POLL_SECONDS)
    if outcome.page is not None:
        with transaction.atomic():
            report = ingest(cursor.account, outcome.page.items, now=now)
            InboxCursor.objects.filter(pk=cursor.pk).update(
                cursor=(outcome.page.cursor or cursor.cursor)[:500],
                next_poll_at=now + interval,
                lease_until=None,
                last_polled_at=now,
                failures=0,
                last_error="",
            )
        return report
    error = outcome.error
    assert error is not None
    failures = cursor.failures + 1
    wait = dt.timedelta(seconds=error.retry_after) if error.retry_after else backoff(failures)
    InboxCursor.objects.filter(pk=cursor.pk).update(
        next_poll_at=now + wait, lease_until=None, failures=failures, last_error=error.message[:1000]
    )
    logger.warning("inbox poll of %s failed (%s): %s", cursor.account_id, failures, error.message)
    return None


def poll_once(now: dt.datetime | None = None) -> int:
    """One round: poll every due account; returns how many accounts were polled."""
    now = now or timezone.now()
    _ensure_cursors(now)
    cursors = _claim(now)
    if not cursors:
        return 0
    # Connectors are built here, not in the event loop: reading credentials touches the database.
    results = asyncio.run(_fetch_all([(cursor, connector_for_account(cursor.account)) for cursor in cursors]))
    finished = timezone.now()
    for outcome, connector in results:
        try:
            _record(outcome, finished)
        except Exception:  # one account's bad batch must not stop the others; its cursor stays
            logger.exception("storing the inbox of %s failed", outcome.cursor.account_id)
            InboxCursor.objects.filter(pk=outcome.cursor.pk).update(lease_until=None)
        settle_connector(outcome.cursor.account, connector, outcome.error)
    return len(cursors)
