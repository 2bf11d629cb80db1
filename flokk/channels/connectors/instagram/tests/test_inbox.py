"""The Instagram inbox: polling comments, acting on them, and the signed `comments` webhook.

Answers follow Meta's documented examples: the IG Media `comments` edge and IG Comment fields
(https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-media/comments,
.../reference/ig-comment, and the comment moderation guide
https://developers.facebook.com/docs/instagram-api/guides/comment-moderation: `POST /{ig-comment-id}/replies`,
`POST /{ig-comment-id}?hide=true`, `DELETE /{ig-comment-id}`), the `comments` webhook value
(https://developers.facebook.com/docs/graph-api/webhooks/reference/instagram/#comments) and its signature
(https://developers.facebook.com/docs/graph-api/webhooks/getting-started#validate-payloads).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

import pytest

from flokk.channels.connectors.base import AccountRef, ConnectorError, OAuthApp, ReplyTarget, WebhookRejected
from flokk.channels.connectors.facebook.tests.fakegraph import FakeGraph, run
from flokk.channels.connectors.instagram import InstagramConnector

IG_USER = "17841400008460056"
MEDIA = "17895695668004550"
TOP = "17873440459141021"
TOKEN = "EAAGpagetokenBakeryFAKE0003"
ACCOUNT = AccountRef(
    id="acc-2", network="instagram", handle="sommarbakery", service_url="", remote_id=IG_USER
)
APP = OAuthApp(
    client_id="1234567890", client_secret="appsecretFAKE123", redirect_uri="https://flokk.test/cb/"
)


def connector(fake: FakeGraph) -> InstagramConnector:
    credentials = {"access_token": TOKEN, "page_id": "101234567890123", "ig_user_id": IG_USER}
    return InstagramConnector(ACCOUNT, credentials, transport=fake.transport)


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
def test_the_first_poll_reads_comments_and_replies_of_recent_media_in_one_call():
    fake = FakeGraph.of("instagram", "inbox_media.json")

    page = run(connector(fake).fetch_inbox(""))

    assert fake.done() and fake.token(0) == TOKEN
    query = fake.query(0)
    assert query["limit"] == "25"
    assert query["fields"] == (
        "id,permalink,comments.limit(50){id,text,username,timestamp,from,parent_id,"
        "replies{id,text,username,timestamp,from,parent_id}}"
    )
    by_id = {item.remote_id: item for item in page.items}
    # The account's own reply, a comment without a username and one without a time are left out.
    assert set(by_id) == {TOP, "17873440459141030", "17870913679156920"}
    top = by_id[TOP]
    assert (top.kind, top.thread_id, top.parent_id) == ("comment", MEDIA, MEDIA)
    assert (top.author.handle, top.author.remote_id) == ("fika_lover", "17841401111111111")
    assert top.text == "More cardamom buns!"
    assert top.created_at == dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    assert top.url == "https://www.instagram.com/p/C1aBcDeFgHi/"
    assert top.reply_ref == {"answer_under": TOP}
    reply = by_id["17870913679156920"]
    assert (reply.kind, reply.thread_id, reply.parent_id) == ("reply", MEDIA, TOP)
    assert reply.author.handle == "kaffekompis" and reply.reply_ref == {"answer_under": TOP}
    assert page.cursor == "2026-11-25T10:30:00+00:00"


def test_the_cursor_comes_back_with_only_what_is_new():
    fake = FakeGraph.of("instagram", "inbox_media.json")

    page = run(connector(fake).fetch_inbox("2026-11-25T10:12:00+00:00"))

    # Older than the cursor: the top comment; its newer reply still counts. The page held an old comment,
    # so the next page was not read.
    assert fake.done()
    assert sorted(item.remote_id for item in page.items) == ["17870913679156920", "17873440459141030"]
    assert page.cursor == "2026-11-25T10:30:00+00:00"


def test_a_quiet_poll_keeps_the_cursor():
    fake = FakeGraph(answer("GET", f"{IG_USER}/media", {"data": [{"id": MEDIA}]}))

    page = run(connector(fake).fetch_inbox("2026-11-25T10:30:00+00:00"))

    assert page.items == () and page.cursor == "2026-11-25T10:30:00+00:00"


def test_further_comment_pages_are_read_while_a_whole_page_is_new():
    fake = FakeGraph.of("instagram", "inbox_media.json")
    fake.pending.append(
        answer(
            "GET",
            f"{MEDIA}/comments",
            {
                "data": [
                    {
                        "id": "17873440459141010",
                        "text": "Yum",
                        "username": "bullen",
                        "timestamp": "2026-11-25T09:59:00+0000",
                    },
                    {
                        "id": "17873440459141009",
                        "text": "Old",
                        "username": "bullen",
                        "timestamp": "2026-11-24T09:00:00+0000",
                    },
                ],
                "paging": {"next": f"https://graph.facebook.com/v21.0/{MEDIA}/comments?after=QVFIUk9"},
            },
        )
    )

    page = run(connector(fake).fetch_inbox("2026-11-25T09:30:00+00:00"))

    assert fake.done()
    assert fake.query(1) == {"limit": "50", "after": "QVFIUk2"} and fake.token(1) == TOKEN
    ids = {item.remote_id for item in page.items}
    assert "17873440459141010" in ids and "17873440459141009" not in ids
    # A comment without a `from` keeps its username as remote id.
    assert (
        next(item for item in page.items if item.remote_id == "17873440459141010").author.remote_id
        == "bullen"
    )


# --- acting on comments --------------------------------------------------------------------------------
@pytest.mark.parametrize("answered", [TOP, "17870913679156920"], ids=["comment", "reply"])
def test_an_answer_goes_under_the_top_level_comment(answered):
    fake = FakeGraph(answer("POST", f"{TOP}/replies", {"id": "17870913679156999"}))
    target = ReplyTarget(remote_id=answered, thread_id=MEDIA, kind="reply", reply_ref={"answer_under": TOP})

    published = run(connector(fake).reply(target, "Thank you!", "key-1"))

    assert fake.form(0) == {"message": "Thank you!"} and fake.token(0) == TOKEN
    assert published.remote_id == "17870913679156999" and published.details == {"answered_under": TOP}


def test_hide_and_delete_call_the_comment_and_like_is_refused_without_a_call():
    fake = FakeGraph(answer("POST", TOP, {"success": True}), answer("DELETE", TOP, {"success": True}))
    account = connector(fake)

    run(account.hide(TOP, {}))
    run(account.delete_comment(TOP, {}))
    with pytest.raises(ConnectorError) as caught:
        run(account.like(TOP, {}))

    assert fake.done() and fake.form(0) == {"hide": "true"}
    assert caught.value.permanent


# --- errors --------------------------------------------------------------------------------------------
def failing(status: int, body: Any, headers: dict | None = None) -> FakeGraph:
    return FakeGraph(answer("GET", f"{IG_USER}/media", body, status=status, headers=headers))


def test_a_revoked_token_asks_for_a_reconnect():
    with pytest.raises(ConnectorError) as caught:
        run(connector(failing(400, graph_error(190, 460, "The password was changed"))).fetch_inbox(""))

    assert caught.value.needs_reconnect


@pytest.mark.parametrize("code", [4, 17, 32, 613])
def test_a_rate_limit_says_when_to_come_back(code):
    with pytest.raises(ConnectorError) as caught:
        run(connector(failing(400, graph_error(code, message="limit reached"))).fetch_inbox(""))

    assert caught.value.retry_after == 60.0 and not caught.value.permanent


def test_a_server_error_is_temporary():
    with pytest.raises(ConnectorError) as caught:
        run(connector(failing(502, "Bad Gateway")).fetch_inbox(""))

    assert not caught.value.permanent and caught.value.retry_after is None


def test_a_failed_answer_to_a_comment_after_sending_leaves_the_outcome_unknown():
    fake = FakeGraph(answer("POST", f"{TOP}/replies", graph_error(1, message="Unknown error"), status=500))

    with pytest.raises(ConnectorError) as caught:
        run(connector(fake).reply(ReplyTarget(remote_id=TOP, thread_id=MEDIA, kind="comment"), "Hi", "k"))

    assert caught.value.outcome_unknown


# --- the comments webhook ------------------------------------------------------------------------------
def comment_change(**value: Any) -> dict:
    base = {
        "from": {"id": "17841401111111111", "username": "fika_lover"},
        "media": {"id": MEDIA, "media_product_type": "FEED"},
        "id": "17865799348089039",
        "text": "This is an example.",
    }
    base.update(value)
    return {"field": "comments", "value": base}


def body_of(*changes: dict, object_name: str = "instagram") -> bytes:
    payload = {
        "object": object_name,
        "entry": [{"id": IG_USER, "time": 1795600000, "changes": list(changes)}],
    }
    return json.dumps(payload).encode()


def signed(body: bytes, secret: str = APP.client_secret) -> dict[str, str]:
    return {"X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}


def test_a_signed_comment_and_reply_become_events_for_the_account():
    body = body_of(comment_change(), comment_change(id="17865799348089040", parent_id="17865799348089039"))

    events = InstagramConnector.parse_webhook(APP, signed(body), body)

    assert [event.account_remote_id for event in events] == [IG_USER, IG_USER]
    comment, reply = events[0].item, events[1].item
    assert (comment.remote_id, comment.kind, comment.thread_id, comment.parent_id) == (
        "17865799348089039",
        "comment",
        MEDIA,
        MEDIA,
    )
    assert (comment.author.handle, comment.author.remote_id) == ("fika_lover", "17841401111111111")
    assert comment.text == "This is an example."
    assert comment.created_at == dt.datetime.fromtimestamp(1795600000, dt.UTC)
    assert comment.reply_ref == {"answer_under": "17865799348089039"}
    assert (reply.kind, reply.parent_id, reply.reply_ref) == (
        "reply",
        "17865799348089039",
        {"answer_under": "17865799348089039"},
    )


def test_other_fields_and_the_accounts_own_comments_are_skipped():
    body = body_of(
        {"field": "mentions", "value": {"media_id": MEDIA, "comment_id": "17865799348089041"}},
        {
            "field": "live_comments",
            "value": {"id": "1", "text": "live", "from": {"id": "2", "username": "x"}},
        },
        comment_change(**{"from": {"id": IG_USER, "username": "sommarbakery"}}),
    )

    assert InstagramConnector.parse_webhook(APP, signed(body), body) == []


@pytest.mark.parametrize("case", ["missing", "wrong", "other-secret", "tampered"])
def test_an_unsigned_or_wrongly_signed_webhook_is_rejected(case):
    body = body_of(comment_change())
    headers = {
        "missing": {},
        "wrong": {"X-Hub-Signature-256": "sha256=" + "ab" * 32},
        "other-secret": signed(body, secret="not-our-secret"),
        "tampered": signed(body),
    }[case]
    if case == "tampered":
        body = body.replace(b"This is an example.", b"Click my link now!!")

    with pytest.raises(WebhookRejected):
        InstagramConnector.parse_webhook(APP, headers, body)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        body_of(comment_change(), object_name="page"),
        body_of(comment_change(), comment_change(media=None)),
        body_of(comment_change(id="")),
        body_of(comment_change(**{"from": {"id": "1"}})),
        json.dumps(
            {"object": "instagram", "entry": [{"id": IG_USER, "changes": [comment_change()]}]}
        ).encode(),
    ],
    ids=["not-json", "page-object", "one-without-media", "without-id", "without-username", "without-time"],
)
def test_a_malformed_payload_is_rejected_as_a_whole(body):
    with pytest.raises(WebhookRejected):
        InstagramConnector.parse_webhook(APP, signed(body), body)


def test_the_connector_says_what_it_can_do_in_the_inbox():
    capabilities = InstagramConnector.capabilities
    assert capabilities.read_comments and capabilities.reply and capabilities.webhooks
    assert capabilities.hide_comments and capabilities.delete_comments
    assert not capabilities.like and not capabilities.read_mentions and not capabilities.read_direct_messages


def test_subscribing_installs_the_app_on_the_linked_page():
    fake = FakeGraph(answer("POST", "101234567890123/subscribed_apps", {"success": True}))

    run(connector(fake).subscribe_webhooks())

    assert fake.done() and fake.form(0) == {"subscribed_fields": "feed"}
