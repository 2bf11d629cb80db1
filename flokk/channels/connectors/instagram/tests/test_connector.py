"""Connecting and publishing to an Instagram business account, against recorded Graph API exchanges."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError, MediaItem, OAuthApp, Publication
from flokk.channels.connectors.facebook import graph
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run
from flokk.channels.connectors.instagram import InstagramConnector
from flokk.channels.connectors.instagram import connector as instagram

IG_USER = "17841400008460056"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(
    id="acc-2", network="instagram", handle="sommarbakery", service_url="", remote_id=IG_USER
)
APP = OAuthApp(
    client_id="1234567890",
    client_secret="appsecretFAKE123",
    redirect_uri="https://flokk.test/oauth/callback/",
)
IMAGE = MediaItem(data=b"\xff\xd8buns", mime_type="image/jpeg", alt_text="Buns on a tray")
SECOND = MediaItem(data=b"\xff\xd8shop", mime_type="image/jpeg", alt_text="The shop")


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(instagram, "POLL_INTERVAL", 0)


def public_url(item: MediaItem) -> str:
    return f"https://media.flokk.test/{len(item.data)}-{item.alt_text.split()[-1].lower()}.jpg"


def connector(fake: FakeGraph, *, provider=public_url) -> InstagramConnector:
    return InstagramConnector(
        ACCOUNT,
        {"access_token": TOKEN, "page_id": "101234567890123", "ig_user_id": IG_USER},
        transport=fake.transport,
        media_url_provider=provider,
    )


def publish(fake: FakeGraph, publication: Publication, **kwargs):
    return run(connector(fake, **kwargs).publish(publication))


def test_the_login_dialog_adds_the_instagram_permissions():
    url = InstagramConnector.authorization_url(APP, state="state-1", code_challenge="challenge")

    query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    assert url.startswith("https://www.facebook.com/v21.0/dialog/oauth?")
    assert query["state"] == "state-1"
    scopes = set(query["scope"].split(","))
    assert {
        "instagram_basic",
        "instagram_content_publish",
        "instagram_manage_comments",
        "instagram_manage_insights",
    } <= scopes
    assert "pages_manage_posts" not in scopes  # posting to the Page itself is not needed for Instagram


def test_the_code_becomes_one_identity_per_linked_instagram_business_account(monkeypatch):
    fake = FakeGraph.of("instagram", "oauth_code_exchange.json")
    monkeypatch.setattr(graph, "TRANSPORT", fake.transport)

    identities = run(InstagramConnector.exchange_code(APP, code="code-1", code_verifier="verifier-1"))

    assert fake.done()
    assert fake.form(1)["fb_exchange_token"] == "EAAGshortusertokenFAKE0001"
    assert "instagram_business_account{id,username" in fake.query(2)["fields"]
    assert fake.token(2) == "EAAGlonglivedusertokenFAKE0002"
    # The Cafe Page has no Instagram account linked, so it offers nothing to connect.
    assert [(i.remote_id, i.handle) for i in identities] == [(IG_USER, "sommarbakery")]
    assert identities[0].credentials == {
        "access_token": "EAAGpagetokenBakeryFAKE0003",
        "page_id": "101234567890123",
        "ig_user_id": IG_USER,
    }


def test_one_image_becomes_a_container_that_is_waited_for_then_published_and_commented():
    fake = FakeGraph.of("instagram", "publish_single_image.json")

    published = publish(
        fake,
        Publication(
            idempotency_key="k1",
            text="Fresh cinnamon buns today",
            hashtags=("fika",),
            media=(IMAGE,),
            first_comment="Open from 7 am!",
        ),
    )

    assert fake.done()
    assert fake.query(0)["fields"] == "quota_usage,config"
    assert fake.form(1) == {
        "image_url": "https://media.flokk.test/6-tray.jpg",
        "caption": "Fresh cinnamon buns today\n\n#fika",
        "alt_text": "Buns on a tray",
    }
    assert fake.query(2)["fields"] == "status_code,status" and fake.query(3)["fields"] == "status_code,status"
    assert fake.form(4) == {"creation_id": "17889455560051444"}
    assert fake.form(6) == {"message": "Open from 7 am!"}
    assert all(fake.token(index) == TOKEN for index in range(7))
    assert published.remote_id == "17920238422030506"
    assert published.remote_url == "https://www.instagram.com/p/C1a2b3c4d5e/"
    assert published.details["first_comment_id"] == "17871234567890123"


def test_two_images_become_a_carousel_of_child_containers():
    fake = FakeGraph.of("instagram", "publish_carousel.json")

    published = publish(
        fake, Publication(idempotency_key="k2", text="Morning at the bakery", media=(IMAGE, SECOND))
    )

    assert fake.done()
    first_child, second_child, carousel = fake.form(1), fake.form(2), fake.form(3)
    assert first_child == {
        "image_url": "https://media.flokk.test/6-tray.jpg",
        "is_carousel_item": "true",
        "alt_text": "Buns on a tray",
    }
    assert second_child["image_url"] == "https://media.flokk.test/6-shop.jpg"
    assert "caption" not in first_child
    assert carousel == {
        "media_type": "CAROUSEL",
        "children": "17899506308402767,18059910844237573",
        "caption": "Morning at the bakery",
    }
    assert fake.form(6) == {"creation_id": "18000748627392977"}
    assert published.remote_id == "17920238422030506"


def test_a_container_instagram_cannot_process_is_a_permanent_error_and_nothing_is_published():
    fake = FakeGraph.of("instagram", "container_error.json")

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k3", text="Buns", media=(IMAGE,)))

    assert fake.done()  # no media_publish call
    assert caught.value.permanent
    assert "Media download has failed" in caught.value.message


def test_a_container_still_processing_after_the_last_poll_is_retried_later(monkeypatch):
    monkeypatch.setattr(instagram, "STATUS_POLLS", 2)
    exchanges = FakeGraph.of("instagram", "publish_single_image.json").pending[:3]
    fake = FakeGraph(*exchanges, exchanges[2])

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Buns", media=(IMAGE,)))

    assert fake.done()
    assert not caught.value.permanent and not caught.value.outcome_unknown


def test_a_text_only_post_is_refused_with_a_clear_reason():
    fake = FakeGraph()

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Just words"))

    assert caught.value.permanent and "image" in caught.value.message
    assert not fake.requests


def test_without_a_public_url_for_the_image_the_error_says_what_is_needed():
    fake = FakeGraph()

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Buns", media=(IMAGE,)), provider=None)

    assert caught.value.permanent and not fake.requests
    assert "FLOKK_BASE_URL" in caught.value.message


def test_an_exhausted_publishing_quota_waits_until_the_oldest_post_leaves_the_window(monkeypatch):
    monkeypatch.setattr(instagram, "_now", lambda: dt.datetime(2026, 11, 25, 20, 0, tzinfo=dt.UTC))
    fake = FakeGraph.of("instagram", "publishing_limit_reached.json")

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Buns", media=(IMAGE,)))

    assert fake.done()  # no container was made
    assert not caught.value.permanent
    assert caught.value.retry_after == 12 * 3600.0  # 08:00 yesterday + 24 h - 20:00
    assert int(fake.query(1)["since"]) == int(dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC).timestamp())


def test_an_invalidated_token_asks_for_a_reconnect_without_leaking_it():
    fake = FakeGraph.of("facebook", "error_190_460.json")
    fake.pending[0]["request"]["path"] = f"/v21.0/{IG_USER}/content_publishing_limit"
    fake.pending[0]["request"]["method"] = "GET"

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Buns", media=(IMAGE,)))

    assert caught.value.needs_reconnect
    assert "Instagram" in caught.value.message and TOKEN not in caught.value.raw


def find(text: str):
    fake = FakeGraph.of("instagram", "media_list.json")
    since = dt.datetime(2026, 11, 25, 8, 55, tzinfo=dt.UTC)
    found = run(connector(fake).find_published(Publication("k", text, hashtags=("fika",)), since))
    assert fake.query(0)["fields"] == "id,caption,timestamp,permalink"
    assert int(fake.query(0)["since"]) == int(dt.datetime(2026, 11, 25, 8, 50, tzinfo=dt.UTC).timestamp())
    return found


def test_find_published_matches_the_media_by_caption():
    found = find("Fresh cinnamon buns today")

    assert found is not None
    assert found.remote_id == "17920238422030506"
    assert found.remote_url == "https://www.instagram.com/p/C1a2b3c4d5e/"


def test_find_published_answers_none_when_no_caption_matches():
    assert find("Never posted") is None
