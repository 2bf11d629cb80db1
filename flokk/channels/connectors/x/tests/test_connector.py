"""The X connector against recorded exchanges built from the X API v2 documentation."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flokk.channels.connectors.base import ConnectorError, MediaItem, Publication
from flokk.channels.connectors.x import XConnector, auth
from flokk.channels.connectors.x.tests.conftest import ACCOUNT, APP, CREDENTIALS
from flokk.channels.tests.running import run

TEXT = Publication(
    idempotency_key="k1",
    text="Ny säsong, nya bönor!",
    hashtags=("kaffe",),
    link="https://www.fjallbacka.example/skord",
)
VERIFIER = "verifier-0123456789-0123456789-0123456789-abc"


def test_authorization_url_carries_state_scopes_and_the_pkce_challenge():
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    url = XConnector.authorization_url(APP, state="st4te", code_challenge=challenge)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path) == ("x.com", "/i/oauth2/authorize")
    assert query["response_type"] == ["code"]
    assert query["state"] == ["st4te"]
    assert query["code_challenge"] == [challenge]
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == [
        "tweet.read tweet.write users.read offline.access media.write like.write tweet.moderate.write"
    ]
    assert query["redirect_uri"] == ["https://flokk.example/oauth/callback/"]


def test_exchange_sends_the_verifier_and_returns_who_the_tokens_belong_to(replay):
    recorded = replay("exchange")
    code = "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPOWhDYlc0OjE2MjIxNjA4MjU4MjU6MTowOmFjOjE"
    [identity] = asyncio.run(XConnector.exchange_code(APP, code=code, code_verifier=VERIFIER))
    assert recorded.done
    assert (identity.remote_id, identity.handle, identity.display_name) == (
        "2244994945",
        "fjallbackakaffe",
        "Fjällbacka Kaffe",
    )
    assert identity.credentials["refresh_token"] == (
        "bWRWa3gzdnk3WFRPR2hZVkk0UjNDVzU0UHp4a3p6a1ZKSUhnNVBWbVQzQUJOOjE2MjIxNjA4MjU4NjU6MTowOnJ0OjE"
    )
    lifetime = dt.datetime.fromisoformat(identity.credentials["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(minutes=119) < lifetime <= dt.timedelta(hours=2)


def test_publish_text_with_hashtag_and_link(replay, connector):
    recorded = replay("publish_text")
    published = run(connector, connector.publish(TEXT))
    assert recorded.done
    assert published.remote_id == "1445880548472328192"
    assert published.remote_url == "https://x.com/fjallbackakaffe/status/1445880548472328192"


def test_publish_image_uploads_in_three_steps_with_alt_text(replay, connector):
    recorded = replay("publish_image")
    publication = Publication(
        idempotency_key="k2",
        text="Vår nya rostning",
        media=(MediaItem(b"JPEG-fake-bytes-123", "image/jpeg", alt_text="En kopp kaffe på en brygga"),),
    )
    assert run(connector, connector.publish(publication)).remote_id == "1445880548472328193"
    assert recorded.done


def test_an_expired_token_is_refreshed_and_the_post_retried_in_the_same_call(replay):
    recorded = replay("refresh")
    connector = XConnector(ACCOUNT, {**CREDENTIALS, "access_token": "expired-token"}, APP)
    published = run(
        connector, connector.publish(Publication(idempotency_key="k", text="Ny säsong, nya bönor!"))
    )
    assert recorded.done
    assert published.remote_id == "1445880548472328194"
    assert connector.updated_credentials["access_token"] == "fresh-access-token"
    assert connector.updated_credentials["refresh_token"] == "rotated-refresh-token"  # X rotates them


def test_a_stale_token_is_refreshed_before_the_call(replay):
    recorded = replay("refresh")
    recorded.exchanges.pop(0)
    stale = {**CREDENTIALS, "access_token": "expired-token", "expires_at": "2020-01-01T00:00:00+00:00"}
    connector = XConnector(ACCOUNT, stale, APP)
    run(connector, connector.publish(Publication(idempotency_key="k", text="Ny säsong, nya bönor!")))
    assert recorded.done


def answer(replay, status, *, json=None, text=None, headers=None):
    recorded = replay()
    response = {"status": status, "headers": headers or {}}
    response.update({"json": json} if json is not None else {"text": text or ""})
    return recorded.add({"method": "POST", "path": "/2/tweets"}, response)


def test_a_rate_limit_waits_until_the_reset_time(replay, connector):
    reset = int(time.time()) + 300
    answer(
        replay,
        429,
        json={"title": "Too Many Requests", "status": 429},
        headers={"x-rate-limit-reset": str(reset)},
    )
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert 290 <= caught.value.retry_after <= 300
    assert not caught.value.permanent


def test_a_server_error_on_the_post_is_an_unknown_outcome(replay, connector):
    answer(replay, 503, text="Service Unavailable")
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.outcome_unknown and not caught.value.permanent


def test_a_dropped_connection_after_sending_is_an_unknown_outcome(monkeypatch, connector):
    def drop(request):
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    monkeypatch.setattr(auth, "TRANSPORT", httpx.MockTransport(drop))
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.outcome_unknown


def test_a_created_post_with_an_unreadable_answer_is_an_unknown_outcome(replay, connector):
    answer(replay, 201, text="{not json")
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.outcome_unknown and "cannot read" in caught.value.message


def test_duplicate_content_counts_as_published_when_the_earlier_post_is_found(replay, connector):
    recorded = replay("duplicate")
    published = run(connector, connector.publish(TEXT))
    assert recorded.done
    assert published.remote_id == "1445880548472328192"
    assert published.details == {"found_by": "text"}


def test_duplicate_content_not_found_is_permanent(replay, connector):
    recorded = replay("duplicate")
    recorded.exchanges[1]["response"]["json"] = {"meta": {"result_count": 0}}
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.permanent
    assert "duplicate content" in caught.value.message


def test_a_refused_refresh_needs_reconnecting(replay, connector):
    recorded = answer(replay, 401, json={"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
    recorded.add(
        {"method": "POST", "path": "/2/oauth2/token"},
        {
            "status": 400,
            "json": {
                "error": "invalid_request",
                "error_description": "Value passed for the token was invalid.",
            },
        },
    )
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(TEXT))
    assert caught.value.needs_reconnect


def test_find_published_asks_since_the_given_time(replay, connector):
    recorded = replay("duplicate")
    recorded.exchanges.pop(0)
    found = run(
        connector, connector.find_published(TEXT, dt.datetime(2026, 11, 25, 5, 0, 30, 123, tzinfo=dt.UTC))
    )
    assert found is not None and found.remote_id == "1445880548472328192"
    assert parse_qs(recorded.requests[0].url.query.decode())["start_time"] == ["2026-11-25T05:00:30Z"]
