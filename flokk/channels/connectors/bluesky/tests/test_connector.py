"""The Bluesky connector against a real PDS on loopback (the `bluesky_network` fixture)."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import httpx
import pytest
from atproto_core.uri import AtUri

from flokk.channels.connectors.base import ConnectorError, MediaItem, Publication
from flokk.channels.connectors.bluesky.connector import IDEMPOTENCY_FIELD, record_key_for
from flokk.channels.tests.running import run

from .conftest import png


def read_record(service_url: str, uri: str) -> dict[str, Any]:
    """The record as anyone reads it from the PDS, without Flokk's code in between."""
    parsed = AtUri.from_str(uri)
    response = httpx.get(
        f"{service_url}/xrpc/com.atproto.repo.getRecord",
        params={"repo": parsed.host, "collection": parsed.collection, "rkey": parsed.rkey},
    )
    response.raise_for_status()
    value: dict[str, Any] = response.json()["value"]
    return value


def list_posts(service_url: str, did: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{service_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": "app.bsky.feed.post"},
    )
    response.raise_for_status()
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def expired_jwt(did: str) -> str:
    """A token whose payload says it expired an hour ago (the client reads `exp` without checking it)."""

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    past = int((dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).timestamp())
    header = part({"typ": "at+jwt", "alg": "ES256K"})
    payload = part({"scope": "com.atproto.appPass", "sub": did, "iat": past - 60, "exp": past})
    return f"{header}.{payload}.c2lnbmF0dXJl"


def test_verify_returns_the_accounts_did_and_a_session_to_store(bluesky_account, connector_for):
    connector = connector_for(bluesky_account)

    identity = run(connector, connector.verify())

    assert identity.remote_id == bluesky_account.did
    assert identity.handle == bluesky_account.handle
    assert identity.credentials["app_password"] == bluesky_account.app_password
    assert bluesky_account.did in identity.credentials["session"]


def test_text_with_swedish_letters_a_link_and_hashtags_gets_facets_at_the_right_bytes(
    bluesky_account, connector_for
):
    connector = connector_for(bluesky_account)
    publication = Publication(
        idempotency_key="post-1",
        text="Vårens nyheter för åäö-älskare: https://example.se/våren?x=1 #Flokk",
        link="https://example.se/våren?x=1",
        hashtags=("Sverige",),
    )

    published = run(connector, connector.publish(publication))

    record = read_record(bluesky_account.service_url, published.remote_id)
    text_bytes = record["text"].encode()
    marked = {
        text_bytes[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode(): facet["features"][0]
        for facet in record["facets"]
    }
    assert marked == {
        "https://example.se/våren?x=1": {
            "$type": "app.bsky.richtext.facet#link",
            "uri": "https://example.se/våren?x=1",
        },
        "#Flokk": {"$type": "app.bsky.richtext.facet#tag", "tag": "Flokk"},
        "#Sverige": {"$type": "app.bsky.richtext.facet#tag", "tag": "Sverige"},
    }
    assert record["embed"]["$type"] == "app.bsky.embed.external"
    assert record["embed"]["external"]["uri"] == "https://example.se/våren?x=1"
    assert record[IDEMPOTENCY_FIELD] == "post-1"
    rkey = AtUri.from_str(published.remote_id).rkey
    assert published.remote_url == f"https://bsky.app/profile/{bluesky_account.handle}/post/{rkey}"


def test_two_images_are_uploaded_with_their_alt_texts_and_aspect_ratios(bluesky_account, connector_for):
    connector = connector_for(bluesky_account)
    publication = Publication(
        idempotency_key="post-images",
        text="Två bilder",
        link="https://example.se/",
        media=(
            MediaItem(png(40, 20), "image/png", alt_text="En blå ruta", width=40, height=20),
            MediaItem(png(10, 30, "orange"), "image/png", alt_text="En orange ruta"),
        ),
    )

    published = run(connector, connector.publish(publication))

    record = read_record(bluesky_account.service_url, published.remote_id)
    images = record["embed"]["images"]
    assert record["embed"]["$type"] == "app.bsky.embed.images"
    assert [image["alt"] for image in images] == ["En blå ruta", "En orange ruta"]
    assert (images[0]["aspectRatio"]["width"], images[0]["aspectRatio"]["height"]) == (40, 20)
    assert "aspectRatio" not in images[1]
    for image, item in zip(images, publication.media, strict=True):
        blob = httpx.get(
            f"{bluesky_account.service_url}/xrpc/com.atproto.sync.getBlob",
            params={"did": bluesky_account.did, "cid": image["image"]["ref"]["$link"]},
        )
        assert blob.content == item.data


def test_publishing_twice_with_the_same_key_makes_one_post(bluesky_account, connector_for):
    publication = Publication(idempotency_key="only-once", text="Bara en gång")
    first_connector = connector_for(bluesky_account)
    first = run(first_connector, first_connector.publish(publication))
    second_connector = connector_for(bluesky_account)

    second = run(second_connector, second_connector.publish(publication))

    assert second.remote_id == first.remote_id
    assert len(list_posts(bluesky_account.service_url, bluesky_account.did)) == 1


def test_find_published_finds_the_post_of_a_key_and_nothing_for_an_unknown_key(
    bluesky_account, connector_for
):
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    publication = Publication(idempotency_key="find-me", text="Hitta mig")
    connector = connector_for(bluesky_account)
    published = run(connector, connector.publish(publication))

    connector = connector_for(bluesky_account)
    found = run(connector, connector.find_published(publication, since))
    connector = connector_for(bluesky_account)
    missing = run(connector, connector.find_published(Publication("never-sent", "Nej"), since))

    assert found is not None
    assert found.remote_id == published.remote_id
    assert missing is None


def test_delete_removes_the_post(bluesky_account, connector_for):
    connector = connector_for(bluesky_account)
    published = run(connector, connector.publish(Publication("to-delete", "Snart borta")))

    connector = connector_for(bluesky_account)
    run(connector, connector.delete(published.remote_id))

    assert list_posts(bluesky_account.service_url, bluesky_account.did) == []


def test_an_expired_session_is_refreshed_without_logging_in_again(bluesky_account, connector_for):
    connector = connector_for(bluesky_account)
    session = run(connector, connector.verify()).credentials["session"]
    handle, did, _access, refresh, endpoint = session.split(":::")
    stale = ":::".join([handle, did, expired_jwt(did), refresh, endpoint])
    connector = connector_for(bluesky_account, app_password="not-the-password", session=stale)

    published = run(connector, connector.publish(Publication("after-refresh", "Ny session")))

    assert published.remote_id.startswith(f"at://{bluesky_account.did}/")
    renewed = connector.credentials_now["session"]
    assert renewed != stale
    assert renewed.split(":::")[3] != refresh  # the refresh token was used, and rotated


def test_a_revoked_session_logs_in_again_with_the_app_password(bluesky_account, connector_for):
    stale = ":::".join(
        [
            bluesky_account.handle,
            bluesky_account.did,
            expired_jwt(bluesky_account.did),
            expired_jwt(bluesky_account.did),
            bluesky_account.service_url,
        ]
    )
    connector = connector_for(bluesky_account, app_password=bluesky_account.app_password, session=stale)

    published = run(connector, connector.publish(Publication("after-login", "Inloggad igen")))

    assert published.remote_id.startswith(f"at://{bluesky_account.did}/")
    assert connector.credentials_now["session"] != stale


def test_a_wrong_app_password_needs_reconnecting(bluesky_account, connector_for):
    connector = connector_for(bluesky_account, app_password="aaaa-bbbb-cccc-dddd")

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(Publication("wrong-password", "Nej")))

    assert caught.value.needs_reconnect
    assert "aaaa-bbbb-cccc-dddd" not in caught.value.message + caught.value.raw


def test_a_revoked_app_password_needs_reconnecting(bluesky_network, bluesky_account, connector_for):
    bluesky_network.revoke_app_password(bluesky_account.handle, bluesky_account.password)
    connector = connector_for(bluesky_account)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.verify())

    assert caught.value.needs_reconnect
    assert "reconnect" in caught.value.message


def test_a_deleted_account_needs_reconnecting(bluesky_network, bluesky_account, connector_for):
    connector = connector_for(bluesky_account)
    session = run(connector, connector.verify()).credentials["session"]
    bluesky_network.delete_account(bluesky_account.did)
    connector = connector_for(bluesky_account, app_password=bluesky_account.app_password, session=session)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.publish(Publication("gone", "Borta")))

    assert caught.value.needs_reconnect


def test_the_record_key_is_the_one_derived_from_the_idempotency_key(bluesky_account, connector_for):
    connector = connector_for(bluesky_account)

    published = run(connector, connector.publish(Publication("derived", "Nyckel")))

    assert AtUri.from_str(published.remote_id).rkey == record_key_for("derived")
