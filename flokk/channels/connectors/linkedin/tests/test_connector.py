"""The LinkedIn connector against recorded exchanges built from LinkedIn's documentation."""

from __future__ import annotations

import asyncio
import datetime as dt
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flokk.channels.connectors.base import ConnectorError, MediaItem, Publication
from flokk.channels.connectors.linkedin import LinkedInConnector, auth
from flokk.channels.connectors.linkedin.connector import commentary, plain_text
from flokk.channels.connectors.linkedin.tests.conftest import ACCOUNT, APP, CREDENTIALS
from flokk.channels.tests.running import run

TEXT = Publication(idempotency_key="k1", text="Ny säsong, nya bönor (äntligen)!", hashtags=("kaffe",))


def test_authorization_url_asks_for_the_organization_scopes_with_our_state():
    url = LinkedInConnector.authorization_url(APP, state="st4te", code_challenge="ignored-challenge")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "www.linkedin.com",
        "/oauth/v2/authorization",
    )
    assert query["state"] == ["st4te"]
    assert query["client_id"] == ["86abcdef123456"]
    assert query["redirect_uri"] == ["https://flokk.example/oauth/callback/"]
    assert query["scope"] == ["w_organization_social r_organization_social rw_organization_admin"]
    assert "code_challenge" not in query  # LinkedIn's web flow has no PKCE


def test_exchange_gives_one_identity_per_administered_page(replay):
    recorded = replay("exchange")
    identities = asyncio.run(
        LinkedInConnector.exchange_code(APP, code="AQTQmah11lalyH65DAIivsjsAQV5P", code_verifier="v")
    )
    assert recorded.done
    assert [(i.remote_id, i.handle, i.display_name) for i in identities] == [
        ("urn:li:organization:2414183", "fjallbacka-kaffe", "Fjällbacka Kaffe"),
        ("urn:li:organization:10002687", "fjallbacka-norge", "Fjällbacka Kaffe Norge"),
    ]
    credentials = identities[0].credentials
    assert credentials["access_token"] == "AQUvlL_DYEzvT2wz1QJiEPeLioeA"
    assert credentials["refresh_token"] == "AQWAft_WjYZKwuWXLC5hQlghgTam"
    expires = dt.datetime.fromisoformat(credentials["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=59) < expires <= dt.timedelta(days=60)
    assert identities[0].credentials_expire_at is not None
    assert identities[0].credentials_expire_at - dt.datetime.now(dt.UTC) > dt.timedelta(days=364)


def test_publish_text_sends_the_versioned_post_and_reads_the_urn_header(replay, connector):
    recorded = replay("publish_text")
    published = run(connector, connector.publish(TEXT))
    assert recorded.done
    assert published.remote_id == "urn:li:share:6844785523593134080"
    assert published.remote_url == "https://www.linkedin.com/feed/update/urn:li:share:6844785523593134080/"
    assert connector.updated_credentials is None


def test_publish_link_becomes_an_article(replay, connector):
    recorded = replay("publish_link")
    publication = Publication(
        idempotency_key="k2", text="Läs mer om skörden", link="https://www.fjallbacka.example/skord"
    )
    assert run(connector, connector.publish(publication)).remote_id.endswith("134081")
    assert recorded.done


def test_publish_image_uploads_first_with_alt_text(replay, connector):
    recorded = replay("publish_image")
    publication = Publication(
        idempotency_key="k3",
        text="Vår nya rostning",
        link="https://www.fjallbacka.example/rost",
        media=(MediaItem(b"PNG-fake-image-bytes", "image/png", alt_text="En kopp kaffe på en brygga"),),
    )
    assert run(connector, connector.publish(publication)).remote_id.endswith("134082")
    assert recorded.done


def test_an_expired_token_is_refreshed_and_the_post_retried_in_the_same_call(replay):
    recorded = replay("refresh")
    connector = LinkedInConnector(ACCOUNT, {**CREDENTIALS, "access_token": "old-token"}, APP)
    published = run(connector, connector.publish(TEXT))
    assert recorded.done
    assert published.remote_id.endswith("134083")
    assert connector.updated_credentials is not None
    assert connector.updated_credentials["access_token"] == "AQV-new-token"
    assert connector.updated_credentials["refresh_token"] == "AQWAft_WjYZKwuWXLC5hQlghgTam"


def test_a_token_past_its_expiry_is_refreshed_before_calling(replay):
    recorded = replay("refresh")
    recorded.exchanges.pop(0)  # no 401 first: the stored expiry already says it is stale
    connector = LinkedInConnector(
        ACCOUNT, {**CREDENTIALS, "access_token": "old-token", "expires_at": "2020-01-01T00:00:00+00:00"}, APP
    )
    run(connector, connector.publish(TEXT))
    assert recorded.done
    assert connector.updated_credentials["access_token"] == "AQV-new-token"


def answer(replay, status, *, json=None, text=None, headers=None):
    recorded = replay()
    response = {"status": status, "headers": headers or {}}
    response.update({"json": json} if json is not None else {"text": text or ""})
    recorded.add({"method": "POST", "path": "/rest/posts"}, response)
    return recorded


def test_a_retired_version_is_permanent_and_names_the_version(replay):
    answer(
        replay,
        426,
        json={
            "status": 426,
            "code": "NONEXISTENT_VERSION",
            "message": "Requested version 20230101 is not active",
        },
    )
    app = APP.__class__(**{**APP.__dict__, "options": {"linkedin_version": "202301"}})
    connector = LinkedInConnector(ACCOUNT, dict(CREDENTIALS), app)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    error = caught.value
    assert error.permanent and not error.needs_reconnect and not error.outcome_unknown
    assert "202301" in error.message
    assert "LinkedIn version" in error.message and "network app settings" in error.message


def test_the_version_falls_back_to_the_setting(settings):
    settings.FLOKK_LINKEDIN_VERSION = "202511"
    assert LinkedInConnector(ACCOUNT, {}, None).version == "202511"
    assert LinkedInConnector(ACCOUNT, {}, APP).version == "202510"


def test_a_revoked_token_without_a_working_refresh_needs_reconnecting(replay):
    recorded = answer(replay, 401, json={"status": 401, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"})
    recorded.add(
        {"method": "POST", "path": "/oauth/v2/accessToken", "form": {"grant_type": "refresh_token"}},
        {
            "status": 400,
            "json": {"error": "invalid_grant", "error_description": "The provided refresh token is invalid"},
        },
    )
    connector = LinkedInConnector(ACCOUNT, dict(CREDENTIALS), APP)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.needs_reconnect
    assert "refresh token is invalid" in caught.value.message
    assert "AQWAft" not in caught.value.raw


def test_a_rate_limit_says_when_to_come_back(replay, connector):
    answer(replay, 429, json={"status": 429, "message": "Too many requests"}, headers={"Retry-After": "120"})
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.retry_after == 120
    assert not caught.value.permanent


def test_a_server_error_on_the_post_is_an_unknown_outcome(replay, connector):
    answer(replay, 503, text="Service Unavailable")
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.outcome_unknown and not caught.value.permanent


def test_a_timeout_after_sending_is_an_unknown_outcome(monkeypatch, connector):
    def timeout(request):
        raise httpx.ReadTimeout("read timed out", request=request)

    monkeypatch.setattr(auth, "TRANSPORT", httpx.MockTransport(timeout))
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.outcome_unknown


def test_malformed_json_is_a_connector_error_not_a_crash(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "path": "/rest/posts"}, {"status": 200, "text": "<html>maintenance</html>"}
    )
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.find_published(TEXT, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    assert "cannot read" in caught.value.message


def test_find_published_matches_by_text(replay, connector):
    recorded = replay("find_published")
    found = run(connector, connector.find_published(TEXT, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)))
    assert recorded.done
    assert found is not None and found.remote_id == "urn:li:share:6844785523593134091"


def test_find_published_ignores_other_text(replay, connector):
    replay("find_published")
    other = Publication(idempotency_key="k9", text="Helt annan text")
    assert run(connector, connector.find_published(other, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))) is None


def test_little_text_escaping_round_trips():
    text = "Mejla @oss [nu] <3 #kaffe_2026 a*b~c_d {x} | \\ "
    assert plain_text(commentary(text)) == " ".join(text.split())
    assert "{hashtag|\\#|kaffe_2026}" in commentary(text)
