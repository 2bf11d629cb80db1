"""The OAuth connection flow end to end through the pages, with a fake connector in the registry."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from flokk.channels import connectors
from flokk.channels.choices import AccountStatus
from flokk.channels.connectors.base import Connector, ConnectorError, Identity, OAuthApp
from flokk.channels.models import Account, NetworkApp, OAuthState
from flokk.channels.services.credentials import read_credentials
from flokk.channels.services.oauth import code_challenge
from flokk.channels.tests.matrix import check_matrix
from flokk.channels.vault import seal
from flokk.core.models import AuditEntry

TOKEN = "clear-access-token-that-must-never-be-stored-as-is"


class FakeConnector(Connector):
    """Stands in for a network: records what the flow gave it and answers with `identities`."""

    network = "x"
    identities: ClassVar[list[Identity]] = []
    calls: ClassVar[list[dict[str, str]]] = []
    refuse: ClassVar[str] = ""

    @classmethod
    def authorization_url(cls, app: OAuthApp, *, state: str, code_challenge: str) -> str:
        return f"https://network.example/authorize?state={state}&code_challenge={code_challenge}"

    @classmethod
    async def exchange_code(cls, app: OAuthApp, *, code: str, code_verifier: str) -> list[Identity]:
        cls.calls.append({"code": code, "code_verifier": code_verifier, "client_secret": app.client_secret})
        if cls.refuse:
            raise ConnectorError(cls.refuse, permanent=True)
        return list(cls.identities)


def identity(
    remote_id: str = "2244994945", handle: str = "fjallbackakaffe", name: str = "Fjällbacka"
) -> Identity:
    return Identity(
        remote_id=remote_id,
        handle=handle,
        display_name=name,
        credentials={"access_token": TOKEN, "refresh_token": "refresh-" + remote_id},
        credentials_expire_at=timezone.now() + dt.timedelta(days=60),
    )


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setitem(connectors.REGISTRY, "x", FakeConnector)
    monkeypatch.setattr(FakeConnector, "identities", [identity()])
    monkeypatch.setattr(FakeConnector, "calls", [])
    monkeypatch.setattr(FakeConnector, "refuse", "")
    return FakeConnector


@pytest.fixture
def admin(member):
    return member("social-media-manager")


@pytest.fixture
def app(demo, admin):
    return NetworkApp.objects.create(
        organization=demo,
        network="x",
        client_id="x-client",
        client_secret=seal({"client_secret": "x-secret"}),
    )


def start(client) -> dict[str, str]:
    """Press "Connect X"; returns the query Flokk sent to the network's authorization page."""
    response = client.post("/o/demo/accounts/connect/x/")
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    assert parts.netloc == "network.example"
    return {key: values[0] for key, values in parse_qs(parts.query).items()}


def test_connecting_creates_the_account_with_sealed_credentials(fake, app, admin, client_for):
    client = client_for(admin)
    sent = start(client)
    state = OAuthState.objects.get()
    assert state.state_hash == hashlib.sha256(sent["state"].encode()).hexdigest()
    assert sent["state"] not in state.state_hash
    assert dt.timedelta(minutes=9) < state.expires_at - timezone.now() <= dt.timedelta(minutes=10)

    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "the-code"})

    assert response.status_code == 302 and response["Location"] == "/o/demo/accounts/"
    [call] = fake.calls
    assert call["code"] == "the-code" and call["client_secret"] == "x-secret"
    assert code_challenge(call["code_verifier"]) == sent["code_challenge"]  # PKCE verifier kept for us
    assert call["code_verifier"] not in OAuthState.objects.values_list("code_verifier", flat=True).get()
    account = Account.objects.get(network="x")
    assert (account.handle, account.display_name, account.remote_id, account.status) == (
        "fjallbackakaffe",
        "Fjällbacka",
        "2244994945",
        AccountStatus.CONNECTED,
    )
    assert account.credentials_expire_at is not None
    assert TOKEN not in Account.objects.filter(network="x").values_list("credentials", flat=True).get()
    assert read_credentials(account)["access_token"] == TOKEN
    entry = AuditEntry.objects.get(action="channels.account.connected")
    assert entry.data["reconnected"] is False and TOKEN not in str(entry.data)
    assert "Connected" in client.get("/o/demo/accounts/").content.decode()


def test_a_replayed_callback_is_refused_and_changes_nothing(fake, app, admin, client_for):
    client = client_for(admin)
    sent = start(client)
    client.get("/oauth/callback/", {"state": sent["state"], "code": "the-code"})
    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "the-code"})
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert len(fake.calls) == 1
    assert Account.objects.filter(network="x").count() == 1


def test_an_expired_state_is_refused(fake, app, admin, client_for):
    client = client_for(admin)
    sent = start(client)
    OAuthState.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "the-code"})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert fake.calls == [] and not Account.objects.filter(network="x").exists()


def test_someone_elses_state_and_an_unknown_state_are_refused(fake, app, admin, member, client_for):
    sent = start(client_for(admin))
    other_admin = client_for(member("head-of-social"))
    for state in (sent["state"], "made-up-state", ""):
        response = other_admin.get("/oauth/callback/", {"state": state, "code": "the-code"})
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert fake.calls == [] and not Account.objects.filter(network="x").exists()
    # the rightful person can still finish
    assert client_for(admin).get("/oauth/callback/", {"state": sent["state"], "code": "c"}).status_code == 302


def test_a_denial_on_the_network_is_explained_and_uses_up_the_state(fake, app, admin, client_for):
    client = client_for(admin)
    sent = start(client)
    response = client.get(
        "/oauth/callback/",
        {
            "state": sent["state"],
            "error": "access_denied",
            "error_description": "The user denied the request",
        },
    )
    assert response.status_code == 400
    assert "cancelled on the network" in response.content.decode()
    assert OAuthState.objects.get().used_at is not None
    assert fake.calls == [] and not Account.objects.filter(network="x").exists()


def test_a_code_the_network_refuses_stores_nothing(fake, app, admin, client_for):
    fake.refuse = "<b>invalid_grant</b>"
    client = client_for(admin)
    sent = start(client)
    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "stale"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "&lt;b&gt;invalid_grant&lt;/b&gt;" in html and "<b>invalid_grant</b>" not in html
    assert not Account.objects.filter(network="x").exists()


def test_several_accounts_are_picked_from_a_sealed_list(fake, app, admin, client_for):
    fake.identities = [
        identity("111", "page_one", "<script>alert(1)</script>"),
        identity("222", "page_two", "Two"),
    ]
    client = client_for(admin)
    sent = start(client)
    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "the-code"})
    assert response.status_code == 302 and response["Location"].startswith("/oauth/choose/")
    assert not Account.objects.filter(network="x").exists()
    assert TOKEN not in OAuthState.objects.values_list("code_verifier", flat=True).get()

    html = client.get(response["Location"]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert client_for(admin).get(response["Location"]).status_code == 200  # same person, new session

    assert client.post(response["Location"], {"remote_id": ["222"]}).status_code == 302
    account = Account.objects.get(network="x")
    assert (account.remote_id, account.handle) == ("222", "page_two")
    assert read_credentials(account)["refresh_token"] == "refresh-222"
    # the list is gone: picking again connects nothing more
    assert client.post(response["Location"], {"remote_id": ["111"]}).status_code == 400
    assert Account.objects.filter(network="x").count() == 1


def test_the_pick_page_belongs_to_who_started(fake, app, admin, member, client_for):
    fake.identities = [identity("111", "one"), identity("222", "two")]
    client = client_for(admin)
    sent = start(client)
    location = client.get("/oauth/callback/", {"state": sent["state"], "code": "c"})["Location"]
    other = client_for(member("head-of-social"))
    assert other.get(location).status_code == 400
    assert other.post(location, {"remote_id": ["111"]}).status_code == 400
    assert not Account.objects.filter(network="x").exists()


def test_reconnecting_updates_the_account_and_releases_held_posts(
    fake, app, admin, demo, client_for, monkeypatch
):
    released = []
    monkeypatch.setattr(
        "flokk.publishing.services.outcomes.release_held_deliveries",
        lambda account: released.append(account.pk) or 3,
    )
    existing = Account.objects.create(
        organization=demo,
        network="x",
        handle="old_handle",
        remote_id="2244994945",
        status=AccountStatus.NEEDS_RECONNECT,
        status_reason="token revoked",
    )
    client = client_for(admin)
    sent = start(client)
    client.get("/oauth/callback/", {"state": sent["state"], "code": "c"})
    existing.refresh_from_db()
    assert Account.objects.filter(network="x").count() == 1
    assert (existing.status, existing.status_reason, existing.handle) == (
        AccountStatus.CONNECTED,
        "",
        "fjallbackakaffe",
    )
    assert read_credentials(existing)["access_token"] == TOKEN
    assert released == [existing.pk]
    entry = AuditEntry.objects.get(action="channels.account.connected")
    assert entry.data["reconnected"] is True and entry.data["released_deliveries"] == 3


def test_connecting_without_an_app_points_to_the_app_settings(fake, admin, client_for):
    response = client_for(admin).post("/o/demo/accounts/connect/x/")
    assert response.status_code == 302 and response["Location"] == "/o/demo/network-apps/"
    assert not OAuthState.objects.exists()


def test_the_accounts_page_offers_connect_buttons(fake, app, admin, client_for):
    html = client_for(admin).get("/o/demo/accounts/").content.decode()
    assert "Connect X" in html
    assert "LinkedIn: set up the app first" in html


def test_the_callback_needs_a_signed_in_person(fake, app):
    from django.test import Client

    response = Client().get("/oauth/callback/", {"state": "s", "code": "c"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_only_administration_managers_may_start(fake, app, outsider, client_for, api_for):
    wrong = check_matrix(
        "administration.manage",
        lambda client: client.post("/o/demo/accounts/connect/x/"),
        api=False,
        client_for=client_for,
        api_for=api_for,
    )
    assert wrong == []


def test_a_member_who_lost_the_right_cannot_finish(fake, app, admin, client_for):
    client = client_for(admin)
    sent = start(client)
    membership = admin.memberships.get(organization=app.organization)
    membership.roles.clear()
    response = client.get("/oauth/callback/", {"state": sent["state"], "code": "c"})
    assert response.status_code == 400
    assert not Account.objects.filter(network="x").exists()
