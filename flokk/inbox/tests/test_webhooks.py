"""Webhooks from Facebook: signed, idempotent, replays dropped, junk refused with nothing stored."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.urls import reverse

from flokk.channels.models import Account, NetworkApp
from flokk.channels.services.apps import save_network_app
from flokk.inbox.models import Conversation, Message

pytestmark = pytest.mark.django_db
PAGE = "101234567890123"
POST = f"{PAGE}_555000111222333"
SECRET = "app-secret-for-tests"


@pytest.fixture
def app(demo, member) -> NetworkApp:
    app = save_network_app(
        demo, network="facebook", client_id="1234", client_secret=SECRET, actor=member("head-of-social")
    )
    Account.objects.create(organization=demo, network="facebook", handle="Demo Page", remote_id=PAGE)
    return app


def body(comment_id: str = "555000111222333_777000000000030", message: str = "Can I order a cake?") -> bytes:
    change = {
        "field": "feed",
        "value": {
            "item": "comment", "verb": "add", "comment_id": comment_id, "post_id": POST, "parent_id": POST,
            "message": message, "from": {"id": "7001234567890123", "name": "Anna Berg"},
            "created_time": 1795600000,
        },
    }  # fmt: skip
    return json.dumps(
        {"object": "page", "entry": [{"id": PAGE, "time": 1795600001, "changes": [change]}]}
    ).encode()


def post(client, app: NetworkApp, payload: bytes, secret: str = SECRET):  # type: ignore[no-untyped-def]
    signature = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return client.post(
        reverse("inbox:webhook", args=["facebook", app.pk]),
        payload,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature},
    )


def test_a_signed_comment_is_stored_once_and_a_replay_is_dropped(client, app) -> None:
    payload = body()
    assert post(client, app, payload).content == b"ok"
    assert post(client, app, payload).content == b"replay"
    message = Message.objects.get()
    assert message.text == "Can I order a cake?" and message.author_name == "Anna Berg"
    assert Conversation.objects.count() == 1


def test_the_same_comment_by_polling_and_by_webhook_is_one_message(client, app) -> None:
    post(client, app, body(message="Hej"))
    post(client, app, body(message="Hej") + b" ")  # another body, same comment
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "payload, secret",
    [
        (body(), "wrong-secret"),
        (b"not json", SECRET),
        (
            json.dumps(
                {
                    "object": "page",
                    "entry": [
                        {
                            "id": PAGE,
                            "changes": [{"field": "feed", "value": {"item": "comment", "verb": "add"}}],
                        }
                    ],
                }
            ).encode(),
            SECRET,
        ),
        (json.dumps({"object": "page", "entry": "nope"}).encode(), SECRET),
    ],
    ids=["bad-signature", "not-json", "malformed-change", "malformed-entry"],
)
def test_junk_is_refused_with_400_and_nothing_is_stored(client, app, payload, secret) -> None:
    response = post(client, app, payload, secret)
    assert response.status_code == 400
    assert Message.objects.count() == 0
    assert Conversation.objects.count() == 0


def test_unsigned_requests_and_unknown_apps_are_refused(client, app) -> None:
    url = reverse("inbox:webhook", args=["facebook", app.pk])
    assert client.post(url, body(), content_type="application/json").status_code == 400
    other = reverse("inbox:webhook", args=["facebook", "00000000-0000-0000-0000-000000000000"])
    assert client.post(other, body(), content_type="application/json").status_code == 404


def test_meta_subscription_check(client, app) -> None:
    app.options = {**app.options, "webhook_verify_token": "verify-me"}
    app.save()
    url = reverse("inbox:webhook", args=["facebook", app.pk])
    ok = client.get(url, {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "12345"})
    assert (ok.status_code, ok.content) == (200, b"12345")
    assert (
        client.get(
            url, {"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"}
        ).status_code
        == 403
    )
