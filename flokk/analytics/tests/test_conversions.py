"""The landing-page endpoint `/c/<key>`: visits and conversions are counted per campaign and link; junk is
refused with 400 and nothing of it is stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import NONE, PendingEvent
from flokk.analytics.services.conversions import save_analytics_settings
from flokk.analytics.services.links import create_link
from flokk.content.models import Campaign, Post
from flokk.core import ratelimit

pytestmark = pytest.mark.django_db

SETTINGS = {
    "metrics_every_minutes": 60,
    "utm_source": "{network}",
    "utm_medium": "social",
    "utm_campaign": "{campaign}",
    "utm_content": "{post}",
    "shorten_links": True,
}


@pytest.fixture
def key(demo) -> str:
    return save_analytics_settings(demo, actor=None, **SETTINGS).conversion_key


@pytest.fixture
def campaign(demo):
    return Campaign.objects.create(
        organization=demo, name="Spring Sale", starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 4, 30)
    )


def send(client, key, body, content_type="application/json"):
    data = json.dumps(body) if isinstance(body, dict) and content_type == "application/json" else body
    return client.post(f"/c/{key}", data=data, content_type=content_type)


def test_a_visit_is_counted_for_the_campaign_named_in_utm_campaign(client, key, campaign):
    response = send(
        client,
        key,
        {
            "event": "visit",
            "page": "https://shop.example/spring",
            "utm_source": "bluesky",
            "utm_campaign": "spring-sale",
        },
    )

    assert response.status_code == 202
    assert response["Access-Control-Allow-Origin"] == "*"
    event = PendingEvent.objects.get()
    assert (event.kind, event.source, event.campaign_id, event.link_id) == (
        EventKind.VISIT,
        EventSource.LANDING,
        campaign.pk,
        NONE,
    )


def test_a_conversion_through_a_short_link_carries_its_post_and_network(client, demo, key, campaign):
    post = Post.objects.create(organization=demo, campaign=campaign)
    link = create_link(demo, "https://shop.example/spring", post=post, network="linkedin", actor=None)

    response = client.post(
        f"/c/{key}",
        data=f"event=conversion&page=https%3A%2F%2Fshop.example%2Fthanks&link={link.code}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 202
    event = PendingEvent.objects.get()
    assert (event.kind, event.link_id, event.post_id, event.campaign_id, event.network) == (
        EventKind.CONVERSION,
        link.pk,
        post.pk,
        campaign.pk,
        "linkedin",
    )


def test_a_beacon_sent_as_text_plain_is_read_as_json(client, key):
    response = send(client, key, json.dumps({"event": "visit"}), content_type="text/plain;charset=UTF-8")

    assert response.status_code == 202
    assert PendingEvent.objects.get().campaign_id == NONE


def test_the_preflight_allows_any_origin(client, key):
    response = client.options(f"/c/{key}", HTTP_ORIGIN="https://shop.example")

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Content-Type" in response["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        (json.dumps({"event": "purchase"}), "application/json"),
        (json.dumps({"event": "visit", "page": "javascript:alert(1)"}), "application/json"),
        (
            json.dumps({"event": "visit", "page": "https://shop.example/<script>alert(1)</script>"}),
            "application/json",
        ),
        (json.dumps({"event": "visit", "utm_campaign": "<script>alert(1)</script>"}), "application/json"),
        (json.dumps({"event": "visit", "utm_source": "bluesky\u0000"}), "application/json"),
        (json.dumps({"event": "visit", "utm_medium": "a\nb"}), "application/json"),
        (json.dumps({"event": "visit", "utm_campaign": "x" * 201}), "application/json"),
        (json.dumps({"event": "visit", "link": "../../etc"}), "application/json"),
        (json.dumps({"event": "visit", "utm_source": 5}), "application/json"),
        (json.dumps({"event": "visit", "email": "a@b.example"}), "application/json"),
        (json.dumps({"event": "visit", "page": "https://shop.example/" + "a" * 5000}), "application/json"),
        ("event=visit&event=conversion", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
    ],
)
def test_junk_is_refused_and_nothing_is_stored(client, key, body, content_type):
    response = send(client, key, body, content_type)

    assert response.status_code == 400
    assert "error" in response.json()
    assert not PendingEvent.objects.exists()


def test_an_unknown_key_is_refused(client, key):
    response = send(client, "x" * 32, {"event": "visit"})

    assert response.status_code == 400
    assert not PendingEvent.objects.exists()


def test_other_methods_are_refused(client, key):
    assert client.get(f"/c/{key}").status_code == 405
    assert not PendingEvent.objects.exists()


def test_a_new_key_stops_the_old_snippet(client, demo, key):
    new = save_analytics_settings(demo, actor=None, new_key=True, **SETTINGS).conversion_key

    assert send(client, key, {"event": "visit"}).status_code == 400
    assert send(client, new, {"event": "visit"}).status_code == 202
    assert PendingEvent.objects.count() == 1


def test_a_flood_from_one_client_is_answered_429_and_not_stored(client, key, settings, monkeypatch) -> None:
    settings.FLOKK_CONVERSIONS_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)  # one window, whenever it runs
    body = {"event": "visit", "page": "https://shop.example/"}

    answers = [send(client, key, body).status_code for _ in range(4)]
    elsewhere = client.post(
        f"/c/{key}", data=json.dumps(body), content_type="application/json", REMOTE_ADDR="192.0.2.7"
    )

    assert answers[:2] == [202, 202] and answers[2:] == [429, 429]
    assert elsewhere.status_code == 202
    assert PendingEvent.objects.count() == 3
