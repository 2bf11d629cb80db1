"""The periodic health check flags revoked credentials, and only those."""

from __future__ import annotations

from typing import ClassVar

import pytest

from flokk.channels import connectors
from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import Connector, ConnectorError, Identity
from flokk.channels.networks import Network
from flokk.channels.services.health import check_account_health
from flokk.content.tests.helpers import network_account
from flokk.core.models import Notification

pytestmark = pytest.mark.django_db


class VerdictConnector(Connector):
    network: ClassVar[str] = Network.MASTODON
    verdicts: ClassVar[dict[str, ConnectorError | None]] = {}

    async def verify(self) -> Identity:
        error = self.verdicts.get(self.account.handle)
        if error is not None:
            raise error
        return Identity(remote_id="1", handle=self.account.handle)


@pytest.fixture(autouse=True)
def verdict_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connectors.REGISTRY, Network.MASTODON, VerdictConnector)


def test_revoked_credentials_flag_the_account_but_a_network_outage_does_not(
    demo, member, django_capture_on_commit_callbacks
):
    revoked = network_account(demo, Network.MASTODON, "revoked")
    flaky = network_account(demo, Network.MASTODON, "flaky")
    fine = network_account(demo, Network.MASTODON, "fine")
    VerdictConnector.verdicts = {
        "revoked": ConnectorError("The access token was revoked.", needs_reconnect=True),
        "flaky": ConnectorError("503 Service Unavailable"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert check_account_health() == {"checked": 3, "needs_reconnect": 1}
    for account in (revoked, flaky, fine):
        account.refresh_from_db()
        assert account.checked_at is not None
    assert revoked.status == AccountStatus.NEEDS_RECONNECT
    assert (flaky.status, fine.status) == (AccountStatus.CONNECTED, AccountStatus.CONNECTED)
    assert (
        Notification.objects.filter(
            recipient=member("social-media-manager"), action="channels.account.needs_reconnect"
        ).count()
        == 1
    )
    # A second check does not notify again.
    with django_capture_on_commit_callbacks(execute=True):
        check_account_health()
    assert Notification.objects.filter(action="channels.account.needs_reconnect").count() == 1
