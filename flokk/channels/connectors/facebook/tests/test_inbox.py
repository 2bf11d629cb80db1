"""The Facebook Page inbox: polling comments, acting on them, and the signed `feed` webhook.

Answers are built from Meta's documented examples: the Page feed with comments expanded
(https://developers.facebook.com/docs/graph-api/reference/page/feed/, field expansion and
`filter(stream)` from https://developers.facebook.com/docs/graph-api/reference/page-post/comments/), the
Graph error object (https://developers.facebook.com/docs/graph-api/guides/error-handling/) and the Page
`feed` webhook (https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed, signed as
https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads says).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest

from flokk.channels.connectors.base import (
    AccountRef,
    ConnectorError,
    OAuthApp,
    ReplyTarget,
    WebhookRejected,
)
from flokk.channels.connectors.facebook import FacebookConnector
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run

PAGE = "101234567890123"
POST = f"{PAGE}_555000111222333"
TOP = "555000111222333_777000000000010"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(id="acc-1", network="facebook", handle="sommarbakery", service_url="", remote_id=PAGE)
APP = OAuthApp(
    client_id="1234567890", client_secret="appsecretFAKE123", redirect_uri="https://flokk.test/cb/"
)


def connector(fake: FakeGraph) -> FacebookConnector:
    return FacebookConnector(ACCOUNT, {"access_token": TOKEN, "page_id": PAGE}, transport=fake.transport)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def answer(method: str, path: str, body: Any, status: int = 200, headers: dict | None = None) -> dict:
    return {
        "request": {"method": method, "path": f"/v21.0/{path}"},
        "response": {"status": status, "body": body, "headers": headers or {}},
    }


def graph_error(code: int, subcode: int | None = None, message: str = "Error") -> dict:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}
    if subcode:
        error["error_subcode"] = subcode
    return {"error": error}


# --- polling -------------------------------------------------------------------------------------------
def test_the_first_poll_reads_comments_and_replies_of_recent_posts_in_one_call():
    fake = FakeGraph.of("facebook", "inbox_feed.json")

    page = run(connector(fake).fetch_inbox(""))

    assert fake.done() and fake.token(0) == TOKEN
    query = fake.query(0)
    assert query["limit"] == "25"
    assert "comments.filter(stream).order(reverse_chronological).limit(50)" in query["fields"]
    assert "parent{id}" in query["fields"] and "updated_time" in query["fields"]
    by_id = {item.remote_id: item for item in page.items}
    # The Page's own answer, a comment without an author and one with an unreadable time are left out.
    assert set(by_id) == {
        TOP,
        "555000111222333_777000000000011",
        "555000111222333_777000000000013",
        "555000111222111_777000000000001",
    }
    top = by_id[TOP]
    assert (top.kind, top.thread_id, top.parent_id) == ("comment", POST, POST)
    assert (top.author.remote_id, top.author.handle, top.author.display_name) == (
        "7001234567890123",
        "Anna Berg",
        "Anna Berg",
    )
    assert top.text == "Do you bake gluten-free buns?"
    assert top.created_at == at("2026-11-25T10:00:00")
    assert top.url.endswith("?comment_id=777000000000010")
    assert top.reply_ref == {"answer_under": TOP}
    reply = by_id["555000111222333_777000000000011"]
    assert (reply.kind, reply.thread_id, reply.parent_id) == ("reply", POST, TOP)
    assert reply.reply_ref == {"answer_under": TOP}
    assert page.cursor == "2026-11-25T10:20:00+00:00"


def test_the_cursor_comes_back_with_only_what_is_new_and_quiet_posts_are_passed_over():
    fake = FakeGraph.of("facebook", "inbox_feed.json")
    fake.pending[0]["response"]["body"]["data"][0]["comments"]["paging"].pop("next")

    page = run(connector(fake).fetch_inbox("2026-11-25T10:10:00+00:00"))

    ids = sorted(item.remote_id for item in page.items)
    # The item at the cursor comes back (ingest drops the repeat); the quiet older post is skipped.
    assert ids == ["555000111222333_777000000000011", "555000111222333_777000000000013"]
    assert page.cursor == "2026-11-25T10:20:00+00:00"


def test_a_poll_without_anything_new_keeps_the_cursor():
    fake = FakeGraph(
        answer("GET", f"{PAGE}/feed", {"data": [{"id": POST, "updated_time": "2026-11-25T10:20:00+0000"}]})
    )

    page = run(connector(fake).fetch_inbox("2026-11-25T10:20:00+00:00"))

    assert page.items == () and page.cursor == "2026-11-25T10:20:00+00:00"


def test_further_comment_pages_are_read_while_a_whole_page_is_new_without_the_token_in_the_url():
    fake = FakeGraph.of("facebook", "inbox_feed.json")
    second_page = {
        "data": [
            {
                "id": "555000111222333_777000000000009",
                "message": "First!",
                "created_time": "2026-11-25T09:50:00+0000",
                "from": {"name": "Kim Ek", "id": "7005555555555555"},
            },
            {
                "id": "555000111222333_777000000000008",
                "message": "Old",
                "created_time": "2026-11-25T08:00:00+0000",
                "from": {"name": "Kim Ek", "id": "7005555555555555"},
            },
        ],
        "paging": {"next": f"https://graph.facebook.com/v21.0/{POST}/comments?after=QVFIUk9"},
    }
    fake.pending.append(answer("GET", f"{POST}/comments", second_page))

    page = run(connector(fake).fetch_inbox("2026-11-25T09:45:00+00:00"))

    assert fake.done()  # the second page held an old comment, so no third page was asked for
    assert fake.query(1) == {
        "filter": "stream",
        "order": "reverse_chronological",
        "limit": "50",
        "after": "QVFIUk2",
    }
    assert TOKEN not in str(fake.requests[1].url) and fake.token(1) == TOKEN
    ids = {item.remote_id for item in page.items}
    assert "555000111222333_777000000000009" in ids and "555000111222333_777000000000008" not in ids


def test_the_first_poll_reads_only_the_first_comment_page_of_each_post():
    fake = FakeGraph.of("facebook", "inbox_feed.json")

    run(connector(fake).fetch_inbox(""))

    assert len(fake.requests) == 1


# --- acting on comments --------------------------------------------------------------------------------
def test_an_answer_to_a_comment_goes_under_it():
    fake = FakeGraph(answer("POST", f"{TOP}/comments", {"id": "555000111222333_777000000000020"}))
    target = ReplyTarget(remote_id=TOP, thread_id=POST, kind="comment", reply_ref={"answer_under": TOP})

    published = run(connector(fake).reply(target, "Yes, on Fridays!", "key-1"))

    assert fake.form(0) == {"message": "Yes, on Fridays!"} and fake.token(0) == TOKEN
    assert published.remote_id == "555000111222333_777000000000020"
    assert published.details == {"answered_under": TOP}


def test_an_answer_to_a_reply_goes_under_the_top_level_comment():
    fake = FakeGraph(answer("POST", f"{TOP}/comments", {"id": "555000111222333_777000000000021"}))
    target = ReplyTarget(
        remote_id="555000111222333_777000000000011",
        thread_id=POST,
        kind="reply",
        reply_ref={"answer_under": TOP},
    )

    published = run(connector(fake).reply(target, "Both of you: yes!", "key-2"))

    assert fake.done() and published.remote_id == "555000111222333_777000000000021"


def test_a_lost_answer_to_a_reply_leaves_the_outcome_unknown():
    fake = FakeGraph(answer("POST", f"{TOP}/comments", graph_error(2, message="Temporary"), status=500))
    target = ReplyTarget(remote_id=TOP, thread_id=POST, kind="comment")

    with pytest.raises(ConnectorError) as caught:
        run(connector(fake).reply(target, "Hi", "key-3"))

    assert caught.value.outcome_unknown and not caught.value.permanent


def test_like_hide_and_delete_call_the_comment():
    fake = FakeGraph(
        answer("POST", f"{TOP}/likes", {"success": True}),
        answer("POST", TOP, {"success": True}),
        answer("DELETE", TOP, {"success": True}),
    )
    page = connector(fake)

    run(page.like(TOP, {}))
    run(page.hide(TOP, {}))
    run(page.delete_comment(TOP, {}))

    assert fake.done()
    assert fake.form(1) == {"is_hidden": "true"}
    assert all(fake.token(index) == TOKEN for index in range(3))


# --- errors --------------------------------------------------------------------------------------------
def feed_failing(status: int, body: Any, headers: dict | None = None) -> FakeGraph:
    return FakeGraph(answer("GET", f"{PAGE}/feed", body, status=status, headers=headers))


def test_an_expired_page_token_asks_for_a_reconnect():
    fake = feed_failing(400, graph_error(190, 463, "Error validating access token: Session has expired"))

    with pytest.raises(ConnectorError) as caught:
        run(connector(fake).fetch_inbox(""))

    assert caught.value.needs_reconnect and caught.value.permanent


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_a_rate_limit_says_when_to_come_back(code):
    usage = json.dumps({PAGE: [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]})
    fake = feed_failing(
        400,
        graph_error(code, message=f"(#{code}) limit reached"),
        headers={"x-business-use-case-usage": usage},
    )

    with pytest.raises(ConnectorError) as caught:
        run(connector(fake).fetch_inbox(""))

    assert caught.value.retry_after == 7 * 60 and not caught.value.permanent


def test_a_server_error_is_temporary():
    fake = feed_failing(503, "<html>Service Unavailable</html>")

    with pytest.raises(ConnectorError) as caught:
        run(connector(fake).fetch_inbox(""))

    error = caught.value
    assert not error.permanent and error.retry_after is None and not error.outcome_unknown


# --- the feed webhook ----------------------------------------------------------------------------------
def comment_change(**value: Any) -> dict:
    base = {
        "item": "comment",
        "verb": "add",
        "comment_id": "555000111222333_777000000000030",
        "post_id": POST,
        "parent_id": POST,
        "message": "Can I order a cake?",
        "from": {"id": "7001234567890123", "name": "Anna Berg"},
        "created_time": 1795600000,
        "post": {"permalink_url": f"https://www.facebook.com/{PAGE}/posts/555000111222333", "id": POST},
    }
    base.update(value)
    return {"field": "feed", "value": base}


def body_of(*changes: dict, object_name: str = "page") -> bytes:
    payload = {"object": object_name, "entry": [{"id": PAGE, "time": 1795600001, "changes": list(changes)}]}
    return json.dumps(payload).encode()


def signed(body: bytes, secret: str = APP.client_secret) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_a_signed_comment_and_reply_become_events_for_the_page():
    body = body_of(
        comment_change(),
        comment_change(comment_id="555000111222333_777000000000031", parent_id=TOP, message="Me too"),
    )

    events = FacebookConnector.parse_webhook(APP, signed(body), body)

    assert [event.account_remote_id for event in events] == [PAGE, PAGE]
    comment, reply = events[0].item, events[1].item
    assert (comment.remote_id, comment.kind, comment.thread_id, comment.parent_id) == (
        "555000111222333_777000000000030",
        "comment",
        POST,
        POST,
    )
    assert comment.created_at == dt.datetime.fromtimestamp(1795600000, dt.UTC)
    assert (comment.author.handle, comment.author.remote_id) == ("Anna Berg", "7001234567890123")
    assert comment.text == "Can I order a cake?" and comment.url.endswith("/posts/555000111222333")
    assert comment.reply_ref == {"answer_under": "555000111222333_777000000000030"}
    assert (reply.kind, reply.parent_id, reply.reply_ref) == ("reply", TOP, {"answer_under": TOP})


def test_other_feed_changes_and_the_pages_own_comments_are_skipped():
    body = body_of(
        {
            "field": "feed",
            "value": {
                "item": "reaction",
                "verb": "add",
                "post_id": POST,
                "reaction_type": "like",
                "from": {"id": "7001234567890123", "name": "Anna Berg"},
            },
        },
        comment_change(verb="edited"),
        comment_change(verb="remove"),
        {"field": "feed", "value": {"item": "status", "verb": "add", "post_id": POST, "published": 1}},
        comment_change(**{"from": {"id": PAGE, "name": "Sommar Bakery"}}),
        {"field": "mention", "value": {"item": "post", "verb": "add", "post_id": POST}},
    )

    assert FacebookConnector.parse_webhook(APP, signed(body), body) == []


def test_header_names_are_read_in_any_case():
    body = body_of(comment_change())
    headers = {"x-hub-signature-256": signed(body)["X-Hub-Signature-256"]}

    assert len(FacebookConnector.parse_webhook(APP, headers, body)) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Hub-Signature-256": "sha256=" + "0" * 64},
        {"X-Hub-Signature-256": "sha1=" + "0" * 40},
        "wrong secret",
        "tampered",
    ],
    ids=["missing", "wrong", "not-sha256", "other-secret", "tampered-body"],
)
def test_an_unsigned_or_wrongly_signed_webhook_is_rejected(headers):
    body = body_of(comment_change())
    if headers == "wrong secret":
        headers = signed(body, secret="someoneelse")
    elif headers == "tampered":
        headers = signed(body)
        body = body.replace(b"Can I order a cake?", b"Free money here!!!!")

    with pytest.raises(WebhookRejected):
        FacebookConnector.parse_webhook(APP, headers, body)


def test_without_an_app_secret_nothing_can_be_verified():
    body = body_of(comment_change())
    no_secret = OAuthApp(client_id="1234567890", client_secret="", redirect_uri="https://flokk.test/cb/")

    with pytest.raises(WebhookRejected):
        FacebookConnector.parse_webhook(no_secret, signed(body, secret=""), body)


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[]",
        json.dumps({"object": "page"}).encode(),
        body_of(comment_change(), object_name="instagram"),
        json.dumps({"object": "page", "entry": [{"time": 1, "changes": []}]}).encode(),
        json.dumps({"object": "page", "entry": [{"id": PAGE, "changes": {"field": "feed"}}]}).encode(),
        body_of({"field": "feed", "value": "comment"}),
        body_of(comment_change(), comment_change(comment_id=None)),
        body_of(comment_change(post_id="")),
        body_of(comment_change(**{"from": None})),
    ],
    ids=[
        "not-json",
        "not-object",
        "no-entries",
        "other-object",
        "entry-without-id",
        "changes-not-list",
        "value-not-object",
        "one-comment-without-id",
        "comment-without-post",
        "comment-without-author",
    ],
)
def test_a_malformed_payload_is_rejected_as_a_whole(body):
    with pytest.raises(WebhookRejected):
        FacebookConnector.parse_webhook(APP, signed(body), body)


def test_the_connector_says_what_it_can_do_in_the_inbox():
    capabilities = FacebookConnector.capabilities
    assert capabilities.read_comments and capabilities.reply and capabilities.like
    assert capabilities.hide_comments and capabilities.delete_comments and capabilities.webhooks
    assert not capabilities.read_direct_messages and not capabilities.read_mentions


def test_subscribing_installs_the_app_on_the_page_for_feed_webhooks():
    fake = FakeGraph(answer("POST", f"{PAGE}/subscribed_apps", {"success": True}))

    run(connector(fake).subscribe_webhooks())

    assert fake.form(0) == {"subscribed_fields": "feed"} and fake.token(0) == TOKEN
