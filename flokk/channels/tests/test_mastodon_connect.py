"""Connecting a Mastodon account on any instance, end to end through the pages against the fake instance."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account, NetworkApp, OAuthState
from flokk.channels.services.apps import redirect_uri
from flokk.channels.services.credentials import read_credentials
from flokk.channels.services.mastodon import normalize_instance_url
from flokk.channels.services.oauth import code_challenge
from flokk.channels.tests.matrix import check_matrix
from flokk.channels.vault import unseal
from flokk.core.models import AuditEntry
from tests.fakes.mastodon import FakeAccount, FakeMastodon, running

CONNECT = "/o/demo/accounts/mastodon/"


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    yield from running()


@pytest.fixture
def alice(mastodon: FakeMastodon) -> FakeAccount:
    return mastodon.create_account("alice", "Alice Andersson")


@pytest.fixture
def admin(member):
    return member("social-media-manager")


def start(client, instance: str) -> str:
    """Fill in the instance address and press Connect; the instance's authorization URL Flokk sent us to."""
    response = client.post(CONNECT, {"instance_url": instance})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def finish(client, mastodon: FakeMastodon, authorize_url: str, account: FakeAccount):
    """The person grants access on the instance, which sends the browser back to Flokk's callback."""
    callback = urlsplit(mastodon.approve(authorize_url, account))
    return client.get(callback.path, parse_qs(callback.query))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connecting_registers_flokk_and_creates_the_account(mastodon, alice, admin, client_for):
    client = client_for(admin)

    url = start(client, mastodon.url + "/")

    # Then Flokk registered itself on the instance and sent the person to its authorization page
    app = NetworkApp.objects.get(network="mastodon")
    assert app.instance_url == mastodon.url
    [registration] = mastodon.requests_to("POST", "/api/v1/apps")
    secret = unseal(app.client_secret)["client_secret"]
    assert secret and secret not in app.client_secret  # sealed, as every app's secret
    assert url.startswith(f"{mastodon.url}/oauth/authorize?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert query["client_id"] == app.client_id and query["redirect_uri"] == redirect_uri()
    assert query["code_challenge_method"] == "S256" and query["state"]
    assert OAuthState.objects.get().app == app

    # When the person grants access and comes back
    response = finish(client, mastodon, url, alice)

    # Then the account is connected on that instance, its token sealed
    assert response.status_code == 302 and response["Location"] == "/o/demo/accounts/"
    account = Account.objects.get(network="mastodon")
    assert (account.handle, account.display_name, account.remote_id, account.status) == (
        f"alice@{mastodon.host}",
        "Alice Andersson",
        alice.id,
        AccountStatus.CONNECTED,
    )
    assert account.service_url == mastodon.url
    token = read_credentials(account)["access_token"]
    assert token and token not in str(Account.objects.filter(pk=account.pk).values_list("credentials").get())
    [exchange] = mastodon.requests_to("POST", "/oauth/token")
    assert code_challenge(exchange.body["code_verifier"]) == query["code_challenge"]
    assert AuditEntry.objects.filter(action="channels.network_app.registered").count() == 1
    assert "Connected" in client.get("/o/demo/accounts/").content.decode()
    assert registration.status == 200


def test_a_second_connection_to_the_same_instance_reuses_the_app(mastodon, alice, admin, client_for):
    client = client_for(admin)
    bob = mastodon.create_account("bob", "Bob Berg")
    finish(client, mastodon, start(client, mastodon.url), alice)

    url = start(client, mastodon.url.upper().replace("HTTP://", "http://"))
    finish(client, mastodon, url, bob)

    assert len(mastodon.requests_to("POST", "/api/v1/apps")) == 1
    assert NetworkApp.objects.filter(network="mastodon").count() == 1
    assert sorted(Account.objects.filter(network="mastodon").values_list("handle", flat=True)) == [
        f"alice@{mastodon.host}",
        f"bob@{mastodon.host}",
    ]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("", "Enter the address of a Mastodon instance"),
        ("not a url", "Enter the address of a Mastodon instance"),
        ("http://mastodon.example", "must start with https://"),
        ("ftp://mastodon.example", "Enter the address of a Mastodon instance"),
        ("https://user:pw@mastodon.example", "without a sign-in, path or query"),
        ("https://mastodon.example/?next=/evil", "without a sign-in, path or query"),
        ("https://mastodon.example/@alice", "without a sign-in, path or query"),
    ],
)
def test_a_bad_address_is_refused_and_nothing_is_stored(mastodon, admin, client_for, address, reason):
    response = client_for(admin).post(CONNECT, {"instance_url": address})

    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page
    assert not NetworkApp.objects.exists() and not OAuthState.objects.exists()
    assert mastodon.requests == []


def test_addresses_are_normalised():
    assert normalize_instance_url(" Mastodon.Social/ ") == "https://mastodon.social"
    assert normalize_instance_url("https://social.example:8443") == "https://social.example:8443"
    assert normalize_instance_url("http://localhost:3000") == "http://localhost:3000"
    with pytest.raises(ValidationError):
        normalize_instance_url("mastodon")


def test_an_unreachable_instance_is_explained_and_nothing_is_stored(admin, client_for, db):
    address = f"http://127.0.0.1:{free_port()}"

    response = client_for(admin).post(CONNECT, {"instance_url": address})

    assert response.status_code == 400
    page = response.content.decode()
    assert "could not register itself on 127.0.0.1" in page
    assert address in page  # the address stays in the field to correct it
    assert not NetworkApp.objects.exists() and not OAuthState.objects.exists()


def test_a_refused_registration_is_explained_and_nothing_is_stored(mastodon, admin, client_for):
    mastodon.inject("error", status=422, path="/api/v1/apps")

    response = client_for(admin).post(CONNECT, {"instance_url": mastodon.url})

    assert response.status_code == 400
    assert f"could not register itself on {mastodon.host}" in response.content.decode()
    assert not NetworkApp.objects.exists() and not OAuthState.objects.exists()


def test_the_accounts_page_offers_the_mastodon_form(admin, member, client_for):
    assert (
        "Connect a Mastodon account: instance address"
        in client_for(admin).get("/o/demo/accounts/").content.decode()
    )
    analyst_page = client_for(member("analyst")).get("/o/demo/accounts/").content.decode()
    assert "Connect a Mastodon account" not in analyst_page


def test_only_administration_managers_may_connect(demo, mastodon, outsider, client_for, api_for):
    wrong = check_matrix(
        "administration.manage",
        lambda client: client.post(CONNECT, {"instance_url": mastodon.url}),
        api=False,
        client_for=client_for,
        api_for=api_for,
    )

    assert wrong == []


def test_a_member_without_the_right_gets_403_and_an_outsider_404(mastodon, member, outsider, client_for):
    assert client_for(member("copywriter")).post(CONNECT, {"instance_url": mastodon.url}).status_code == 403
    assert client_for(outsider).post(CONNECT, {"instance_url": mastodon.url}).status_code == 404
    assert mastodon.requests == [] and not NetworkApp.objects.exists()
