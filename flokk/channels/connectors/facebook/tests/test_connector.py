"""Publishing to a Facebook Page, reconciling and deleting, against recorded Graph API exchanges."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError, MediaItem, OAuthApp, Publication
from flokk.channels.connectors.facebook import FacebookConnector
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run

PAGE = "101234567890123"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(id="acc-1", network="facebook", handle="sommarbakery", service_url="", remote_id=PAGE)


def connector(fake: FakeGraph) -> FacebookConnector:
    return FacebookConnector(ACCOUNT, {"access_token": TOKEN, "page_id": PAGE}, transport=fake.transport)


def publish(fake: FakeGraph, publication: Publication):
    async def go():
        page = connector(fake)
        try:
            return await page.publish(publication)
        finally:
            await page.aclose()

    return run(go())


def test_text_and_link_go_to_the_page_feed_with_the_page_token():
    fake = FakeGraph.of("facebook", "publish_text_link.json")

    published = publish(
        fake,
        Publication(
            idempotency_key="k1",
            text="Fresh cinnamon buns today",
            link="https://sommar.example/buns",
            hashtags=("fika",),
        ),
    )

    assert fake.done()
    feed = fake.form(0)
    assert feed == {"message": "Fresh cinnamon buns today\n\n#fika", "link": "https://sommar.example/buns"}
    assert fake.token(0) == TOKEN and fake.token(1) == TOKEN
    assert TOKEN not in str(fake.requests[1].url)
    assert fake.query(1)["fields"] == "permalink_url,created_time"
    assert published.remote_id == f"{PAGE}_555000111222333"
    assert published.remote_url == f"https://www.facebook.com/{PAGE}/posts/555000111222333"
    assert published.published_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_two_images_are_uploaded_unpublished_with_alt_text_then_attached_and_commented():
    fake = FakeGraph.of("facebook", "publish_two_images.json")
    images = (
        MediaItem(data=b"\xff\xd8jpeg-one", mime_type="image/jpeg", alt_text="Buns on a tray"),
        MediaItem(data=b"\x89PNGtwo", mime_type="image/png", alt_text="The bakery at dawn"),
    )

    published = publish(
        fake,
        Publication(
            idempotency_key="k2",
            text="Fresh cinnamon buns today",
            link="https://sommar.example/buns",
            media=images,
            first_comment="Open from 7 am!",
        ),
    )

    assert fake.done()
    first, second = fake.form(0), fake.form(1)
    assert first["published"] == "false" and first["alt_text_custom"] == "Buns on a tray"
    assert first["source"] == "<10 bytes image/jpeg>" and fake.token(0) == TOKEN
    assert second["alt_text_custom"] == "The bakery at dawn" and second["source"] == "<7 bytes image/png>"
    feed = fake.form(2)
    assert json.loads(feed["attached_media[0]"]) == {"media_fbid": "900000000000001"}
    assert json.loads(feed["attached_media[1]"]) == {"media_fbid": "900000000000002"}
    assert "link" not in feed  # ignored by Facebook on photo posts, so it goes in the text
    assert feed["message"] == "Fresh cinnamon buns today\n\nhttps://sommar.example/buns"
    assert fake.requests[4].url.path == f"/v21.0/{PAGE}_555000111222333/comments"
    assert fake.form(4) == {"message": "Open from 7 am!"}
    assert published.details["first_comment_id"] == "555000111222333_777000000000001"


def test_a_failed_first_comment_does_not_fail_the_post():
    exchanges = FakeGraph.of("facebook", "publish_text_link.json").pending
    exchanges.append(
        {
            "request": {"method": "POST", "path": f"/v21.0/{PAGE}_555000111222333/comments"},
            "response": {
                "status": 400,
                "body": {"error": {"message": "(#100) Bad", "type": "X", "code": 100}},
            },
        }
    )
    fake = FakeGraph(*exchanges)

    published = publish(fake, Publication(idempotency_key="k", text="Hi", first_comment="First!"))

    assert published.remote_id == f"{PAGE}_555000111222333"
    assert "(#100) Bad" in published.details["first_comment_error"]


def test_video_is_refused_before_any_call():
    fake = FakeGraph()

    with pytest.raises(ConnectorError) as caught:
        publish(fake, Publication(idempotency_key="k", text="Clip", media=(MediaItem(b"v", "video/mp4"),)))

    assert caught.value.permanent and not fake.requests


def find(fake: FakeGraph, text: str):
    since = dt.datetime(2026, 11, 25, 8, 55, tzinfo=dt.UTC)
    publication = Publication(idempotency_key="k", text=text, hashtags=("fika",))
    return run(connector(fake).find_published(publication, since))


def test_find_published_matches_the_page_post_by_its_text():
    fake = FakeGraph.of("facebook", "published_posts.json")

    found = find(fake, "Fresh cinnamon buns today")

    query = fake.query(0)
    assert query["fields"] == "id,message,created_time,permalink_url"
    assert int(query["since"]) == int(dt.datetime(2026, 11, 25, 8, 50, tzinfo=dt.UTC).timestamp())
    assert fake.token(0) == TOKEN
    assert found is not None
    assert found.remote_id == f"{PAGE}_555000111222333"
    assert found.remote_url == f"https://www.facebook.com/{PAGE}/posts/555000111222333"


def test_find_published_answers_none_when_no_post_matches():
    fake = FakeGraph.of("facebook", "published_posts.json")

    assert find(fake, "A post that never went out") is None


def test_delete_removes_the_post():
    fake = FakeGraph(
        {
            "request": {"method": "DELETE", "path": f"/v21.0/{PAGE}_555000111222333"},
            "response": {"status": 200, "body": {"success": True}},
        }
    )

    run(connector(fake).delete(f"{PAGE}_555000111222333"))

    assert fake.done() and fake.token(0) == TOKEN


def test_find_published_follows_the_next_page_without_putting_the_token_in_the_url():
    first = FakeGraph.of("facebook", "published_posts.json").pending[0]
    first = {
        **first,
        "response": {
            "status": 200,
            "body": {
                "data": [
                    {"id": f"{PAGE}_1", "message": "Older news", "created_time": "2026-11-25T09:01:00+0000"}
                ],
                "paging": {
                    "next": f"https://graph.facebook.com/v21.0/{PAGE}/published_posts?access_token={TOKEN}&after=QVFIUn2"
                },
            },
        },
    }
    second = FakeGraph.of("facebook", "published_posts.json").pending[0]
    fake = FakeGraph(first, second)

    found = find(fake, "Fresh cinnamon buns today")

    assert found is not None and found.remote_id == f"{PAGE}_555000111222333"
    assert fake.query(1) == {"after": "QVFIUn2"}
    assert fake.token(1) == TOKEN


def test_verify_reads_the_page_and_sends_the_app_secret_proof():
    fake = FakeGraph(
        {
            "request": {"method": "GET", "path": f"/v21.0/{PAGE}"},
            "response": {
                "status": 200,
                "body": {"id": PAGE, "name": "Sommar Bakery", "username": "sommarbakery"},
            },
        }
    )
    app = OAuthApp(
        client_id="1234567890", client_secret="appsecretFAKE123", redirect_uri="https://flokk.test/cb/"
    )
    page = FacebookConnector(ACCOUNT, {"access_token": TOKEN, "page_id": PAGE}, app, transport=fake.transport)

    identity = run(page.verify())

    assert (identity.remote_id, identity.handle, identity.display_name) == (
        PAGE,
        "sommarbakery",
        "Sommar Bakery",
    )
    assert (
        fake.query(0)["appsecret_proof"]
        == hmac.new(b"appsecretFAKE123", TOKEN.encode(), hashlib.sha256).hexdigest()
    )


def test_a_next_link_to_another_host_is_not_followed_with_the_token():
    answer = {
        "data": [],
        "paging": {"next": f"https://evil.example/{PAGE}/published_posts?after=x"},
    }
    first = FakeGraph.of("facebook", "published_posts.json").pending[0]
    fake = FakeGraph({**first, "response": {"status": 200, "body": answer}})

    with pytest.raises(ConnectorError):
        find(fake, "Fresh cinnamon buns today")

    assert len(fake.requests) == 1
