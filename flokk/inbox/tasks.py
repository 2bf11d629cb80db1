"""Periodic jobs of the inbox: SLA timers, crisis detection, forgetting old webhook digests."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from flokk.core.periodic import periodic
from flokk.inbox.models import WebhookReceipt
from flokk.inbox.services import crisis, sla_timers

logger = logging.getLogger(__name__)


@periodic("inbox.sla_timers", every=dt.timedelta(minutes=1))
def sla() -> None:
    result = sla_timers.tick()
    if any(result.values()):
        logger.info("inbox SLA: %s", result)


@periodic("inbox.crisis_detection", every=dt.timedelta(minutes=2))
def spikes() -> None:
    for alert in crisis.detect_spikes():
        logger.warning("negative spike on %s: %s", alert.account_id, alert.negative_count)


@periodic("inbox.webhook_receipts", every=dt.timedelta(hours=6))
def forget_receipts() -> None:
    """A replay older than a week is ingested again, and ingest drops every item of it as a repeat."""
    WebhookReceipt.objects.filter(received_at__lt=timezone.now() - dt.timedelta(days=7)).delete()
