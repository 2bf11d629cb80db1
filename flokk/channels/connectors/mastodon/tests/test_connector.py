"""The Mastodon connector against the fake instance: connecting, publishing exactly once, and failures."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from flokk.channels.connectors import REGISTRY
from flokk.channels.connectors.base import ConnectorError, MediaItem, Publication
from flokk.channels.connectors.mastodon import MastodonConnector
from flokk.channels.connectors.mastodon.auth import register_app
from flokk.channels.connectors.mastodon.tests.conftest import oauth_app, png

REDIRECT = "https://flokk.example/oauth/callback/"


def run(coroutine):
    return asyncio.run(coroutine)


def pkce() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(b"v" * 40).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def test_the_registry_knows_mastodon():
    assert REGISTRY["mastodon"] is MastodonConnector


# --- connecting -------------------------------------------------------------------------------------------
def test_an_instance_is_connected_with_a_registered_app_and_pkce(mastodon, alice, connector_for):
    # Given Flokk registered as an app on the instance
    client_id, client_secret = register_app(mastodon.url, REDIRECT)
    app = oauth_app(mastodon, client_id, client_secret)
    verifier, challenge = pkce()

    # When the person approves on the instance and Flokk trades the code
    url = MastodonConnector.authorization_url(app, state="state-1", code_challenge=challenge)
    callback = parse_qs(urlsplit(mastodon.approve(url, alice)).query)
    identities = run(MastodonConnector.exchange_code(app, code=callback["code"][0], code_verifier=verifier))

    # Then the authorization URL is one the instance takes, the account is the one that approved,
    # and its token works
    assert httpx.get(url).status_code == 200
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and callback["state"] == ["state-1"]
    [identity] = identities
    assert identity.remote_id == alice.id
    assert identity.handle == f"alice@{mastodon.host}"
    assert identity.display_name == "Alice Andersson"
    token = identity.credentials["access_token"]
    assert run(connector_for(alice, token=token).verify()).remote_id == alice.id


def test_a_wrong_pkce_verifier_is_refused(mastodon, alice):
    app = oauth_app(mastodon, *register_app(mastodon.url, REDIRECT))
    _verifier, challenge = pkce()
    url = MastodonConnector.authorization_url(app, state="s", code_challenge=challenge)
    code = parse_qs(urlsplit(mastodon.approve(url, alice)).query)["code"][0]

    with pytest.raises(ConnectorError) as caught:
        run(MastodonConnector.exchange_code(app, code=code, code_verifier="not-the-verifier"))

    assert caught.value.permanent
    assert "PKCE" in caught.value.message
    assert app.client_secret not in caught.value.raw


# --- publishing -------------------------------------------------------------------------------------------
def test_text_gets_its_link_and_hashtags(mastodon, alice, connector_for):
    publication = Publication(
        idempotency_key="k-text",
        text="Our spring menu is out! #Food",
        link="https://example.com/menu",
        hashtags=("food", "#nordic"),
    )

    published = run(connector_for(alice).publish(publication))

    [status] = mastodon.statuses_of(alice)
    assert status["text"] == "Our spring menu is out! #Food\n\n#nordic\n\nhttps://example.com/menu"
    assert status["visibility"] == "public"
    assert published.remote_id == status["id"]
    assert published.remote_url == f"{mastodon.url}/@alice/{status['id']}"
    assert published.published_at is not None


def test_a_link_already_in_the_text_is_not_repeated(mastodon, alice, connector_for):
    text = "Read https://example.com/menu today"
    run(connector_for(alice).publish(Publication("k-link", text, link="https://example.com/menu")))

    assert [s["text"] for s in mastodon.statuses_of(alice)] == [text]


def test_images_arrive_with_their_alt_texts_after_processing(mastodon, alice, connector_for):
    mastodon.media_processing_polls = 2  # the instance answers 202, then 206 twice, then 200
    media = (
        MediaItem(png(64, 48), "image/png", alt_text="A bowl of soup"),
        MediaItem(png(48, 64, "orange"), "image/png", alt_text="The chef, smiling"),
    )

    run(connector_for(alice).publish(Publication("k-images", "Two pictures", media=media)))

    [status] = mastodon.statuses_of(alice)
    assert [mastodon.media[m]["description"] for m in status["media_ids"]] == [
        "A bowl of soup",
        "The chef, smiling",
    ]
    assert [r.status for r in mastodon.requests if r.path == "/api/v2/media"] == [202, 202]
    assert sorted(r.status for r in mastodon.requests if r.path.startswith("/api/v1/media/")) == [
        200,
        200,
        206,
        206,
        206,
        206,
    ]


def test_media_that_never_finishes_processing_is_a_transient_error(mastodon, alice, connector_for):
    mastodon.media_processing_polls = 1000
    connector = connector_for(alice)
    connector.media_wait_seconds = 0.5  # type: ignore[misc]

    with pytest.raises(ConnectorError) as caught:
        run(connector.publish(Publication("k-slow", "Video", media=(MediaItem(b"\0" * 10, "video/mp4"),))))

    assert not caught.value.permanent and not caught.value.outcome_unknown
    assert mastodon.statuses == []


def test_the_same_idempotency_key_makes_one_status(mastodon, alice, connector_for):
    connector = connector_for(alice)
    publication = Publication("k-once", "Only once, please")

    first = run(connector.publish(publication))
    second = run(connector.publish(publication))

    assert first.remote_id == second.remote_id
    assert len(mastodon.statuses_of(alice)) == 1
    sent = mastodon.requests_to("POST", "/api/v1/statuses")
    assert [r.headers.get("Idempotency-Key") for r in sent] == ["k-once", "k-once"]
    assert sent[0].headers.get("Authorization") == f"Bearer {alice.token}"


def test_the_first_comment_is_a_reply(mastodon, alice, connector_for):
    published = run(
        connector_for(alice).publish(Publication("k-fc", "Main post", first_comment="Sources: …"))
    )

    reply = next(s for s in mastodon.statuses_of(alice) if s["in_reply_to_id"])
    assert reply["in_reply_to_id"] == published.remote_id
    assert reply["text"] == "Sources: …"
    assert published.details["first_comment_id"] == reply["id"]


def test_a_failed_first_comment_does_not_fail_the_post(mastodon, alice, connector_for):
    published = run(connector_for(alice).publish(Publication("k-fc2", "Post", first_comment="x" * 501)))

    assert "character limit" in published.details["first_comment_error"]
    assert [s["text"] for s in mastodon.statuses_of(alice)] == ["Post"]


def test_delete_removes_the_status_and_tolerates_one_already_gone(mastodon, alice, connector_for):
    connector = connector_for(alice)
    published = run(connector.publish(Publication("k-del", "Short-lived")))

    run(connector.delete(published.remote_id))
    run(connector.delete(published.remote_id))

    assert mastodon.statuses_of(alice) == []


# --- unknown outcomes and reconciliation ------------------------------------------------------------------
def test_a_timeout_that_took_effect_is_unknown_then_found(mastodon, alice, connector_for):
    connector = connector_for(alice, timeout=0.5)
    publication = Publication("k-lost", "Did this go out?", hashtags=("flokk",))
    since = dt.datetime.now(dt.UTC)
    mastodon.inject("timeout", method="POST", path="/api/v1/statuses", takes_effect=True)

    with pytest.raises(ConnectorError) as caught:
        run(connector.publish(publication))
    found = run(connector.find_published(publication, since))

    assert caught.value.outcome_unknown and not caught.value.permanent
    [status] = mastodon.statuses_of(alice)
    assert found is not None and found.remote_id == status["id"]


def test_find_published_finds_nothing_when_the_status_never_arrived(mastodon, alice, connector_for):
    connector = connector_for(alice)
    run(connector.publish(Publication("k-other", "Something else")))

    found = run(connector.find_published(Publication("k-missing", "Never sent"), dt.datetime.now(dt.UTC)))

    assert found is None


def test_a_connection_dropped_after_sending_is_unknown(mastodon, alice, connector_for):
    mastodon.inject("drop", method="POST", path="/api/v1/statuses", takes_effect=True)

    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-drop", "Dropped")))

    assert caught.value.outcome_unknown


def test_a_retry_with_the_same_key_after_a_lost_answer_does_not_duplicate(mastodon, alice, connector_for):
    connector = connector_for(alice, timeout=0.5)
    publication = Publication("k-retry", "Exactly once")
    mastodon.inject("timeout", method="POST", path="/api/v1/statuses", takes_effect=True)
    with pytest.raises(ConnectorError):
        run(connector.publish(publication))

    run(connector.publish(publication))

    assert len(mastodon.statuses_of(alice)) == 1


# --- errors -----------------------------------------------------------------------------------------------
def test_a_rate_limit_says_when_to_come_back_without_sleeping(mastodon, alice, connector_for):
    mastodon.inject("rate_limit", retry_after=42)
    started = time.monotonic()

    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-429", "Slow down")))

    assert caught.value.retry_after == pytest.approx(42, abs=1)
    assert caught.value.status_code == 429 and not caught.value.permanent
    assert time.monotonic() - started < 5


def test_a_revoked_token_needs_reconnecting(mastodon, alice, connector_for):
    mastodon.revoke(alice.token)

    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-401", "Hello")))

    assert caught.value.needs_reconnect and caught.value.permanent
    assert "The access token was revoked" in caught.value.message
    assert alice.token not in caught.value.raw and "[redacted]" not in caught.value.message


def test_a_status_too_long_is_refused_for_good_with_the_servers_reason(mastodon, alice, connector_for):
    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-422", "x" * 501)))

    assert caught.value.permanent and caught.value.status_code == 422
    assert "Text character limit of 500 exceeded" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient_and_unknown_for_the_status_post(mastodon, alice, connector_for, status):
    mastodon.inject("error", status=status, method="POST", path="/api/v1/statuses")

    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-5xx", "Hello")))

    assert not caught.value.permanent and caught.value.status_code == status
    assert caught.value.outcome_unknown


def test_a_server_error_on_upload_is_transient_and_known(mastodon, alice, connector_for):
    mastodon.inject("error", status=500, path="/api/v2/media")

    with pytest.raises(ConnectorError) as caught:
        run(
            connector_for(alice).publish(
                Publication("k-up", "Pic", media=(MediaItem(png(8, 8), "image/png"),))
            )
        )

    assert not caught.value.permanent and not caught.value.outcome_unknown
    assert mastodon.statuses == []


def test_a_malformed_answer_is_an_error_not_a_crash(mastodon, alice, connector_for):
    mastodon.inject("malformed", method="POST", path="/api/v1/statuses")

    with pytest.raises(ConnectorError) as caught:
        run(connector_for(alice).publish(Publication("k-bad-json", "Hello")))

    assert caught.value.outcome_unknown and not caught.value.permanent
    assert caught.value.status_code == 200


def test_an_unreachable_instance_is_transient_and_known(alice, connector_for, mastodon):
    connector = connector_for(alice)
    mastodon.stop()

    with pytest.raises(ConnectorError) as caught:
        run(connector.publish(Publication("k-down", "Hello")))

    assert not caught.value.permanent and not caught.value.outcome_unknown


# --- load -------------------------------------------------------------------------------------------------
def test_two_hundred_posts_at_once_share_one_client(mastodon, alice, connector_for):
    mastodon.latency = 0.1
    connector = connector_for(alice, timeout=10)

    async def publish_all():
        return await asyncio.gather(
            *(connector.publish(Publication(f"k-load-{i}", f"Post {i}")) for i in range(200))
        )

    started = time.monotonic()
    published = run(publish_all())

    assert len({p.remote_id for p in published}) == 200 == len(mastodon.statuses_of(alice))
    # One async client keeps dozens of calls in flight on pooled connections, not one at a time.
    assert mastodon.max_in_flight >= 16
    assert time.monotonic() - started < 15


def test_aclose_closes_the_client(mastodon, alice, connector_for):
    connector = connector_for(alice)

    async def publish_then_close():
        await connector.publish(Publication("k-close", "Bye"))
        client = connector._client
        await connector.aclose()
        return client

    client = run(publish_then_close())

    assert client is not None and client.is_closed
