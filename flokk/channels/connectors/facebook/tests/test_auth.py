"""Connecting Facebook Pages: the Login dialog URL and the code exchange that lists the Pages."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings

from flokk.channels.connectors.base import ConnectorError, OAuthApp
from flokk.channels.connectors.facebook import FacebookConnector, graph
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run

APP = OAuthApp(
    client_id="1234567890",
    client_secret="appsecretFAKE123",
    redirect_uri="https://flokk.test/oauth/callback/",
)


def test_the_login_dialog_asks_for_the_page_permissions_with_state_and_pkce():
    url = FacebookConnector.authorization_url(APP, state="state-123", code_challenge="challenge-abc")

    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.facebook.com/v21.0/dialog/oauth"
    assert query["client_id"] == "1234567890"
    assert query["redirect_uri"] == "https://flokk.test/oauth/callback/"
    assert query["state"] == "state-123"
    assert query["response_type"] == "code"
    assert query["scope"].split(",") == [
        "pages_manage_posts",
        "pages_read_engagement",
        "pages_show_list",
        "pages_manage_metadata",
        "pages_manage_engagement",  # to post the first comment as the Page
        "read_insights",  # the posts' impressions, reach and link clicks
    ]
    assert query["code_challenge"] == "challenge-abc"
    assert query["code_challenge_method"] == "S256"


@override_settings(FLOKK_GRAPH_API_VERSION="v22.0")
def test_the_graph_version_is_a_setting():
    url = FacebookConnector.authorization_url(APP, state="s", code_challenge="c")

    assert url.startswith("https://www.facebook.com/v22.0/dialog/oauth?")
    assert graph.graph_base(None) == "https://graph.facebook.com/v22.0"
    assert graph.graph_base(OAuthApp("id", "secret", "https://r", base_url="http://127.0.0.1:9/v1/")) == (
        "http://127.0.0.1:9/v1"
    )


def test_the_code_becomes_one_identity_per_page_the_person_may_publish_to(monkeypatch):
    fake = FakeGraph.of("facebook", "oauth_code_exchange.json")
    monkeypatch.setattr(graph, "TRANSPORT", fake.transport)

    identities = run(
        FacebookConnector.exchange_code(APP, code="code-from-callback", code_verifier="verifier-xyz")
    )

    assert fake.done()
    short, long_lived, accounts = fake.form(0), fake.form(1), fake.query(2)
    assert not fake.requests[0].url.query  # the secret and the code travel in the body, not in a URL
    assert short == {
        "client_id": "1234567890",
        "client_secret": "appsecretFAKE123",
        "redirect_uri": "https://flokk.test/oauth/callback/",
        "code": "code-from-callback",
        "code_verifier": "verifier-xyz",
    }
    assert long_lived["grant_type"] == "fb_exchange_token"
    assert long_lived["fb_exchange_token"] == "EAAGshortusertokenFAKE0001"
    assert fake.token(2) == "EAAGlonglivedusertokenFAKE0002"
    assert "access_token" not in accounts
    assert (
        accounts["appsecret_proof"]
        == hmac.new(b"appsecretFAKE123", b"EAAGlonglivedusertokenFAKE0002", hashlib.sha256).hexdigest()
    )
    assert "access_token" in accounts["fields"]
    # The read-only Page (no CREATE_CONTENT task) is left out: nothing could be published there.
    assert [(i.remote_id, i.handle, i.display_name) for i in identities] == [
        ("101234567890123", "sommarbakery", "Sommar Bakery"),
        ("102345678901234", "Sommar Cafe", "Sommar Cafe"),
    ]
    assert identities[0].credentials == {
        "access_token": "EAAGpagetokenBakeryFAKE0003",
        "page_id": "101234567890123",
    }
    assert (
        identities[0].credentials_expire_at is None
    )  # Page tokens from a long-lived user token do not expire


def test_a_refused_code_is_an_error_without_the_secret(monkeypatch):
    refusal = {
        "request": {"method": "POST", "path": "/v21.0/oauth/access_token"},
        "response": {
            "status": 400,
            "body": {
                "error": {
                    "message": "This authorization code has been used.",
                    "type": "OAuthException",
                    "code": 100,
                    "error_subcode": 36009,
                    "fbtrace_id": "A1b2C3",
                }
            },
        },
    }
    fake = FakeGraph(refusal)
    monkeypatch.setattr(graph, "TRANSPORT", fake.transport)

    with pytest.raises(ConnectorError) as caught:
        run(FacebookConnector.exchange_code(APP, code="used-code", code_verifier="v"))

    assert caught.value.permanent
    assert "This authorization code has been used." in caught.value.message
    assert "appsecretFAKE123" not in caught.value.raw
