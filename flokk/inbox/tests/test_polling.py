"""Polling: cursors move only with stored items; a network that is down delays but loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import ConnectorError, InboxPage
from flokk.inbox.models import InboxCursor, Message
from flokk.inbox.services.polling import poll_once

pytestmark = pytest.mark.django_db


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_a_poll_stores_items_and_keeps_the_cursor(network, account, item) -> None:
    network.pages.append(InboxPage(items=(item("Hej!"), item("Tack!", author="bo")), cursor="c1"))
    assert poll_once() >= 1
    assert Message.objects.count() == 2
    cursor = InboxCursor.objects.get(account=account)
    assert (cursor.cursor, cursor.failures, cursor.lease_until) == ("c1", 0, None)
    assert network.cursors_asked == [""]
    # Not due again until the poll interval has passed; then it asks from the stored cursor.
    assert poll_once() == 0
    poll_once(now=later(31))
    assert network.cursors_asked == ["", "c1"]


def test_a_network_that_is_down_keeps_the_cursor_and_backs_off(network, account, item) -> None:
    network.pages.append(InboxPage(items=(item("Första"),), cursor="c1"))
    poll_once()
    network.pages.append(ConnectorError("Service unavailable", status_code=503))
    poll_once(now=later(31))
    cursor = InboxCursor.objects.get(account=account)
    assert (cursor.cursor, cursor.failures) == ("c1", 1)
    assert "unavailable" in cursor.last_error
    assert cursor.next_poll_at > later(31)
    # When the network is back, the poll starts from the same cursor and nothing is skipped.
    network.pages.append(InboxPage(items=(item("Andra"),), cursor="c2"))
    poll_once(now=later(3600))
    assert network.cursors_asked[-1] == "c1"
    assert Message.objects.count() == 2
    assert InboxCursor.objects.get(account=account).failures == 0


def test_a_rate_limit_waits_as_long_as_the_network_asks(network, account) -> None:
    network.pages.append(ConnectorError("Slow down", retry_after=600))
    poll_once()
    assert InboxCursor.objects.get(account=account).next_poll_at > later(590)


def test_revoked_credentials_flag_the_account_and_stop_polling_it(network, account) -> None:
    network.pages.append(ConnectorError("Token revoked", needs_reconnect=True, status_code=401))
    poll_once()
    account.refresh_from_db()
    assert account.status == AccountStatus.NEEDS_RECONNECT
    network.pages.append(InboxPage(items=(), cursor="x"))
    poll_once(now=later(3600))
    assert network.cursors_asked == [""]


def test_a_batch_that_cannot_be_stored_leaves_the_cursor(network, account, item, monkeypatch) -> None:
    from flokk.inbox.services import polling

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(polling, "ingest", broken)
    network.pages.append(InboxPage(items=(item("Hej"),), cursor="c1"))
    poll_once()
    cursor = InboxCursor.objects.get(account=account)
    assert cursor.cursor == "" and cursor.lease_until is None
    assert Message.objects.count() == 0
