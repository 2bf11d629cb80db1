"""Webhooks from the networks (Facebook, Instagram): verify, drop replays, ingest per account.

The connector checks the signature with the organization's app secret and reads the items; a body it
rejects answers 400 and stores nothing. A body seen before (same digest) is a replay: acknowledged, ignored.
Items are stored through the same ingest path as polling, so a comment that arrives both ways is one row.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors import REGISTRY
from flokk.channels.connectors.base import WebhookRejected
from flokk.channels.models import Account, NetworkApp
from flokk.channels.services.apps import oauth_app
from flokk.inbox.models import WebhookReceipt
from flokk.inbox.services.ingest import ingest

logger = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class WebhookResult:
    stored: int
    replay: bool = False


def verify_subscription(app: NetworkApp, mode: str, token: str) -> bool:
    """Meta's subscription check (`hub.mode=subscribe`, `hub.verify_token`): the token set on the app."""
    expected = str(app.options.get("webhook_verify_token", ""))
    return mode == "subscribe" and bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def receive(app: NetworkApp, headers: dict[str, str], body: bytes) -> WebhookResult:
    """Ingest one webhook body for `app`; raises WebhookRejected (answer 400) when it is not valid."""
    connector = REGISTRY.get(app.network)
    if connector is None or not connector.capabilities.webhooks:
        raise WebhookRejected(f"{app.network} sends no webhooks to Flokk")
    if len(body) > MAX_BODY:
        raise WebhookRejected("body too large")
    events = connector.parse_webhook(oauth_app(app), headers, body)
    digest = hashlib.sha256(app.network.encode() + b"\0" + body).hexdigest()
    accounts = {
        account.remote_id: account
        for account in Account.objects.filter(
            organization=app.organization_id,
            network=app.network,
            status=AccountStatus.CONNECTED,
            remote_id__in={event.account_remote_id for event in events},
        ).select_related("organization")
    }
    stored = 0
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(digest=digest, network=app.network, received_at=timezone.now())
            by_account: dict[str, list[object]] = {}
            for event in events:
                if event.account_remote_id in accounts:
                    by_account.setdefault(event.account_remote_id, []).append(event.item)
            for remote_id, items in by_account.items():
                stored += ingest(accounts[remote_id], items).stored
    except IntegrityError:
        logger.info("webhook replay from %s dropped", app.network)
        return WebhookResult(0, replay=True)
    return WebhookResult(stored)
