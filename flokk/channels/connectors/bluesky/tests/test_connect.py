"""Connecting a Bluesky account (`connect_bluesky_account`) against the local network."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.connect import connect_bluesky_account
from flokk.channels.services.credentials import read_credentials
from flokk.core.models import AuditEntry


@pytest.fixture
def manager(member):
    return member("head-of-social")


def test_the_right_app_password_connects_the_account_and_keeps_its_secrets_encrypted(
    demo, manager, bluesky_account
):
    account = connect_bluesky_account(
        demo,
        service_url=bluesky_account.service_url,
        handle="@" + bluesky_account.handle,
        app_password=bluesky_account.app_password,
        actor=manager,
    )

    assert (account.network, account.handle, account.remote_id) == (
        Network.BLUESKY,
        bluesky_account.handle,
        bluesky_account.did,
    )
    assert account.status == AccountStatus.CONNECTED
    assert account.service_url == bluesky_account.service_url
    assert read_credentials(account)["app_password"] == bluesky_account.app_password
    assert bluesky_account.app_password not in account.credentials
    entry = AuditEntry.objects.get(organization=demo, action="channels.account.connected")
    assert bluesky_account.app_password not in json.dumps(entry.data)
    assert "session" not in json.dumps(entry.data)


def test_a_wrong_app_password_is_refused_with_the_networks_reason_and_nothing_is_stored(
    demo, manager, bluesky_account
):
    with pytest.raises(ValidationError) as caught:
        connect_bluesky_account(
            demo,
            service_url=bluesky_account.service_url,
            handle=bluesky_account.handle,
            app_password="wrong-wrong-wrong-wrong",
            actor=manager,
        )

    assert "Invalid identifier or password" in str(caught.value)
    assert not Account.objects.filter(network=Network.BLUESKY).exists()
    assert not AuditEntry.objects.filter(action="channels.account.connected").exists()


def test_reconnecting_the_same_account_renews_its_credentials_and_clears_the_problem(
    bluesky_network, demo, manager, bluesky_account
):
    first = connect_bluesky_account(
        demo,
        service_url=bluesky_account.service_url,
        handle=bluesky_account.handle,
        app_password=bluesky_account.app_password,
        actor=manager,
    )
    Account.objects.filter(pk=first.pk).update(
        status=AccountStatus.NEEDS_RECONNECT, status_reason="Bluesky refused the app password"
    )
    new_password = bluesky_network.create_app_password(
        bluesky_account.handle, bluesky_account.password, "new"
    )

    again = connect_bluesky_account(
        demo,
        service_url=bluesky_account.service_url,
        handle=bluesky_account.handle,
        app_password=new_password,
        actor=manager,
    )

    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.status == AccountStatus.CONNECTED
    assert again.status_reason == ""
    assert read_credentials(again)["app_password"] == new_password


@pytest.mark.parametrize(
    "service_url",
    ["ftp://localhost:2583", "https://user:secret@bsky.social", "bsky.social", "https://bsky.social/?x=1"],
)
def test_a_service_address_that_is_not_plain_http_is_refused_before_asking_the_network(
    demo, manager, service_url
):
    with pytest.raises(ValidationError) as caught:
        connect_bluesky_account(
            demo, service_url=service_url, handle="someone.test", app_password="x", actor=manager
        )

    assert "service_url" in caught.value.message_dict
    assert not Account.objects.filter(network=Network.BLUESKY).exists()
