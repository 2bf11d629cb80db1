"""Notifications into inbox items, without a network: what the AppView may send, well-formed or not.

The notifications are shaped after the lexicon (/work/shared/apis/atproto/lexicons/app/bsky/notification/
listNotifications.json, `#notification`); the dates are the AT Protocol's own syntax test vectors
(atproto-interop-tests, copied into datetime_vectors/).
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest

from flokk.channels.connectors.base import InboundAuthor, InboundItem
from flokk.channels.connectors.bluesky.inbox import inbound_item, merge, parse_datetime, web_url

VECTORS = Path(__file__).parent / "datetime_vectors"
ACCOUNT = "did:plc:brand"
POST = f"at://{ACCOUNT}/app.bsky.feed.post/3l3qo2vutsw2b"
REPLY = "at://did:plc:fan/app.bsky.feed.post/3l3qo2vuowo2b"
LOCAL = "http://localhost:2583"


def vectors(name: str) -> list[str]:
    lines = (VECTORS / name).read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def notification(**changes: Any) -> dict[str, Any]:
    """A reply to the account's post, as listNotifications lists it."""
    item: dict[str, Any] = {
        "uri": REPLY,
        "cid": "bafyreply",
        "author": {"did": "did:plc:fan", "handle": "fan.test", "displayName": "Fan Fansson"},
        "reason": "reply",
        "reasonSubject": POST,
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Gott kaffe!",
            "createdAt": "2026-11-25T09:00:00.123Z",
            "reply": {
                "root": {"uri": POST, "cid": "bafyroot"},
                "parent": {"uri": POST, "cid": "bafyroot"},
            },
        },
        "isRead": False,
        "indexedAt": "2026-11-25T09:00:01.456Z",
        "labels": [],
    }
    item.update(changes)
    return item


def read(value: Any, service_url: str = LOCAL) -> InboundItem | None:
    return inbound_item(value, account_did=ACCOUNT, service_url=service_url)


@pytest.mark.parametrize("value", vectors("datetime_syntax_valid.txt"))
def test_every_valid_protocol_datetime_is_read_with_its_timezone(value: str):
    parsed = parse_datetime(value)

    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.year == int(value[:4])


@pytest.mark.parametrize(
    "value", vectors("datetime_syntax_invalid.txt") + vectors("datetime_parse_invalid.txt") + ["", None, 17]
)
def test_invalid_protocol_datetimes_are_not_read(value: Any):
    assert parse_datetime(value) is None


def test_an_offset_and_nanoseconds_are_kept_as_the_same_moment():
    assert parse_datetime("1985-04-12T23:20:50.123456789-07:00") == dt.datetime(
        1985, 4, 13, 6, 20, 50, 123456, tzinfo=dt.UTC
    )


def test_a_reply_to_the_accounts_post_hangs_on_that_post():
    item = read(notification())

    assert item == InboundItem(
        remote_id=REPLY,
        kind="reply",
        text="Gott kaffe!",
        author=InboundAuthor("did:plc:fan", "fan.test", "Fan Fansson"),
        created_at=dt.datetime(2026, 11, 25, 9, 0, 0, 123000, tzinfo=dt.UTC),
        thread_id=POST,
        parent_id=POST,
        url="",
        reply_ref={"cid": "bafyreply", "root_uri": POST, "root_cid": "bafyroot"},
    )


def test_a_mention_that_is_no_reply_starts_its_own_thread():
    value = notification(reason="mention")
    del value["record"]["reply"]

    item = read(value)

    assert item is not None
    assert (item.kind, item.thread_id, item.parent_id) == ("mention", REPLY, "")
    assert item.reply_ref == {"cid": "bafyreply", "root_uri": REPLY, "root_cid": "bafyreply"}


def test_a_quote_is_a_mention_and_a_mention_answering_the_account_is_a_reply():
    quote = notification(reason="quote")
    del quote["record"]["reply"]

    assert read(quote).kind == "mention"  # type: ignore[union-attr]
    assert read(notification(reason="mention")).kind == "reply"  # type: ignore[union-attr]


@pytest.mark.parametrize("reason", ["like", "repost", "follow", "starterpack-joined", "", None])
def test_metrics_and_unknown_reasons_are_left_out(reason: Any):
    assert read(notification(reason=reason)) is None


def test_a_bad_creation_date_falls_back_to_when_the_network_listed_it():
    value = notification()
    value["record"]["createdAt"] = "yesterday"

    item = read(value)

    assert item is not None
    assert item.created_at == dt.datetime(2026, 11, 25, 9, 0, 1, 456000, tzinfo=dt.UTC)


def test_a_date_without_timezone_is_not_trusted():
    value = notification()
    value["record"]["createdAt"] = "2026-11-25T09:00:00"

    assert read(value).created_at.tzinfo is not None  # type: ignore[union-attr]


def test_what_is_usable_is_kept_when_text_names_or_references_are_missing():
    value = notification()
    del value["record"]["text"]
    del value["author"]["displayName"]
    value["record"]["reply"] = {"root": "not a reference", "parent": {"cid": "bafyroot"}}

    item = read(value)

    assert item is not None
    assert (item.text, item.author.display_name) == ("", "")
    assert (item.thread_id, item.parent_id) == (REPLY, "")


@pytest.mark.parametrize(
    "broken",
    [
        lambda n: n.pop("uri"),
        lambda n: n.update(uri="https://bsky.app/x"),
        lambda n: n.pop("cid"),
        lambda n: n.update(author=None),
        lambda n: n["author"].pop("handle"),
        lambda n: n.update(record="text", indexedAt="never"),
        lambda n: n.update(indexedAt=None) or n["record"].update(createdAt=12),
    ],
)
def test_notifications_without_identity_or_any_date_are_skipped_and_logged(broken, caplog):
    value = notification()
    broken(value)

    with caplog.at_level(logging.WARNING):
        assert read(value) is None

    assert "Skipped a Bluesky notification" in caplog.text


@pytest.mark.parametrize("value", [None, "reply", 3, ["reply"]])
def test_something_that_is_no_notification_at_all_is_skipped(value: Any):
    assert read(value) is None


def test_a_post_listed_twice_is_kept_once_as_the_reply():
    reply = read(notification())
    mention = read(notification(reason="mention", record={**notification()["record"], "reply": None}))
    assert reply is not None and mention is not None
    items: dict[str, InboundItem] = {}

    merge(items, mention)
    merge(items, reply)
    merge(items, mention)

    assert items == {REPLY: reply}


def test_links_go_to_the_bluesky_web_app_by_did_except_on_a_loopback_network():
    assert web_url(REPLY, "did:plc:fan", "https://bsky.social") == (
        "https://bsky.app/profile/did:plc:fan/post/3l3qo2vuowo2b"
    )
    assert web_url(REPLY, "did:plc:fan", "http://127.0.0.1:2583") == ""
    assert read(notification(), "https://bsky.social").url.startswith("https://bsky.app/")  # type: ignore[union-attr]


def test_the_notification_is_not_changed_by_reading_it():
    value = notification()
    before = copy.deepcopy(value)

    read(value)

    assert value == before
