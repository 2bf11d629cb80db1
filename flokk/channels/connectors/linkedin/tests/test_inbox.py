"""The LinkedIn inbox: comments on the organization's posts, answering, liking and deleting them.

Exchanges follow LinkedIn's documentation: Posts API "Find Posts by Authors"; Comments API "Get Comments on
Shares", "Get Comments on Comments", "Create a Comment" (nested: `parentComment`, 201 with the id in
`x-restli-id`) and "Delete a Comment" (https://learn.microsoft.com/en-us/linkedin/marketing/
community-management/shares/comments-api); Reactions API "Create a Reaction on a Comment"
(https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/reactions-api).
"""

from __future__ import annotations

import datetime as dt

import pytest

from flokk.channels.connectors.base import ConnectorError, ReplyTarget
from flokk.channels.connectors.linkedin import LinkedInConnector
from flokk.channels.connectors.linkedin.tests.conftest import ACCOUNT, APP, CREDENTIALS
from flokk.channels.tests.running import run

ORG = "urn:li:organization:2414183"
SHARE = "urn:li:share:6844785523593134090"
ACT = "urn:li:activity:6844785523595804672"
TOP = f"urn:li:comment:({ACT},6845000000000000001)"
REPLY = f"urn:li:comment:({ACT},6845000000000000005)"
VERSIONED = {"LinkedIn-Version": "202510", "X-Restli-Protocol-Version": "2.0.0"}


# --- polling -------------------------------------------------------------------------------------------
def test_the_first_poll_reads_posts_then_comments_then_nested_comments(replay, connector):
    recorded = replay("inbox")

    page = run(connector, connector.fetch_inbox(""))

    assert recorded.done
    assert (
        b"/rest/socialActions/urn%3Ali%3Ashare%3A6844785523593134090/comments"
        in recorded.requests[1].url.raw_path
    )
    by_id = {item.remote_id: item for item in page.items}
    # The organization's own comments and a comment without a time are left out.
    assert set(by_id) == {TOP, REPLY, f"urn:li:comment:({ACT},6845000000000000004)"}
    top = by_id[TOP]
    assert (top.kind, top.thread_id, top.parent_id) == ("comment", SHARE, SHARE)
    assert (top.author.remote_id, top.author.handle) == (
        "urn:li:person:UEWxhvrpZA",
        "urn:li:person:UEWxhvrpZA",
    )
    assert top.text == "Vilka bönor rostar ni nu?"
    assert top.created_at == dt.datetime.fromtimestamp(1795000000, dt.UTC)
    assert top.url == f"https://www.linkedin.com/feed/update/{SHARE}/"
    assert top.reply_ref == {
        "post": SHARE,
        "object": ACT,
        "comment_id": "6845000000000000001",
        "target": SHARE,
        "answer_under": TOP,
    }
    reply = by_id[REPLY]
    assert (reply.kind, reply.thread_id, reply.parent_id) == ("reply", SHARE, TOP)
    assert reply.reply_ref["target"] == TOP and reply.reply_ref["answer_under"] == TOP
    assert page.cursor == "1795000600000"


def test_the_cursor_comes_back_with_only_what_is_new(replay, connector):
    replay("inbox")

    page = run(connector, connector.fetch_inbox("1795000500000"))

    # The comment at the cursor comes back (ingest drops the repeat); the older top comment does not.
    assert sorted(item.remote_id for item in page.items) == [
        f"urn:li:comment:({ACT},6845000000000000004)",
        REPLY,
    ]
    assert page.cursor == "1795000600000"


def test_a_quiet_poll_keeps_the_cursor(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "path": "/rest/posts"}, {"status": 200, "json": {"elements": [{"id": SHARE}]}}
    )
    recorded.add(
        {"method": "GET", "path": f"/rest/socialActions/{SHARE}/comments"},
        {"status": 200, "json": {"paging": {"start": 0, "count": 50, "total": 0}, "elements": []}},
    )

    page = run(connector, connector.fetch_inbox("1795000600000"))

    assert page.items == () and page.cursor == "1795000600000"


def test_comment_pages_are_followed_up_to_a_bound(replay, connector):
    recorded = replay()
    recorded.add(
        {"method": "GET", "path": "/rest/posts"}, {"status": 200, "json": {"elements": [{"id": SHARE}]}}
    )
    for start in ("0", "50", "100", "150"):
        recorded.add(
            {
                "method": "GET",
                "path": f"/rest/socialActions/{SHARE}/comments",
                "query": {"start": start, "count": "50"},
            },
            {
                "status": 200,
                "json": {"paging": {"start": int(start), "count": 50, "total": 900}, "elements": []},
            },
        )

    run(connector, connector.fetch_inbox(""))

    assert recorded.done  # four pages of 900 comments, then the poll stops


# --- acting on comments --------------------------------------------------------------------------------
@pytest.mark.parametrize("answered", [TOP, REPLY], ids=["comment", "nested-comment"])
def test_an_answer_is_a_nested_comment_under_the_top_level_comment(replay, connector, answered):
    recorded = replay()
    recorded.add(
        {
            "method": "POST",
            "path": f"/rest/socialActions/{TOP}/comments",
            "headers": VERSIONED,
            "json": {
                "actor": ORG,
                "object": ACT,
                "message": {"text": "Etiopiska (Yirgacheffe)!"},
                "parentComment": TOP,
            },
        },
        {"status": 201, "headers": {"x-restli-id": "6845000000000000009"}, "text": ""},
    )
    target = ReplyTarget(
        remote_id=answered, thread_id=SHARE, kind="reply", reply_ref={"object": ACT, "answer_under": TOP}
    )

    published = run(connector, connector.reply(target, "Etiopiska (Yirgacheffe)!", "key-1"))

    assert recorded.done
    assert published.remote_id == f"urn:li:comment:({ACT},6845000000000000009)"
    assert published.details == {"answered_under": TOP}


def test_a_lost_answer_leaves_the_outcome_unknown(replay, connector):
    replay().add(
        {"method": "POST", "path": f"/rest/socialActions/{TOP}/comments"}, {"status": 503, "text": ""}
    )
    target = ReplyTarget(remote_id=TOP, thread_id=SHARE, kind="comment", reply_ref={"answer_under": TOP})

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.reply(target, "Hej", "key-2"))

    assert caught.value.outcome_unknown and not caught.value.permanent


def test_like_is_a_like_reaction_by_the_organization(replay, connector):
    recorded = replay()
    recorded.add(
        {
            "method": "POST",
            "path": "/rest/reactions",
            "query": {"actor": ORG},
            "headers": VERSIONED,
            "json": {"root": TOP, "reactionType": "LIKE"},
        },
        {"status": 201, "json": {"root": TOP, "reactionType": "LIKE"}},
    )

    run(connector, connector.like(TOP, {}))

    assert recorded.done


@pytest.mark.parametrize(
    ("remote_id", "reply_ref", "path"),
    [
        (
            TOP,
            {"target": SHARE, "comment_id": "6845000000000000001"},
            f"/rest/socialActions/{SHARE}/comments/6845000000000000001",
        ),
        (REPLY, {"target": TOP}, f"/rest/socialActions/{TOP}/comments/6845000000000000005"),
    ],
    ids=["comment", "nested-comment"],
)
def test_delete_removes_the_comment_as_the_organization(replay, connector, remote_id, reply_ref, path):
    recorded = replay()
    recorded.add(
        {"method": "DELETE", "path": path, "query": {"actor": ORG}, "headers": VERSIONED}, {"status": 204}
    )

    run(connector, connector.delete_comment(remote_id, reply_ref))

    assert recorded.done


def test_delete_without_knowing_the_post_is_refused_without_a_call(replay, connector):
    recorded = replay()

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.delete_comment("urn:li:share:1", {}))

    assert caught.value.permanent and not recorded.requests


def test_hiding_is_not_offered(connector):
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.hide(TOP, {}))

    assert caught.value.permanent
    assert not LinkedInConnector.capabilities.hide_comments and not LinkedInConnector.capabilities.webhooks


# --- errors --------------------------------------------------------------------------------------------
def posts_answer(replay, status, *, json=None, headers=None):
    recorded = replay()
    response = {"status": status, "headers": headers or {}}
    response.update({"json": json} if json is not None else {"text": ""})
    recorded.add({"method": "GET", "path": "/rest/posts"}, response)
    return recorded


def test_a_revoked_token_that_cannot_be_renewed_asks_for_a_reconnect(replay):
    recorded = posts_answer(
        replay, 401, json={"status": 401, "code": "REVOKED_ACCESS_TOKEN", "message": "revoked"}
    )
    recorded.add(
        {"method": "POST", "path": "/oauth/v2/accessToken", "form": {"grant_type": "refresh_token"}},
        {
            "status": 400,
            "json": {"error": "invalid_grant", "error_description": "The refresh token is revoked"},
        },
    )
    connector = LinkedInConnector(ACCOUNT, dict(CREDENTIALS), APP)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))

    assert caught.value.needs_reconnect


def test_a_rate_limit_says_when_to_come_back(replay, connector):
    posts_answer(
        replay, 429, json={"status": 429, "message": "Too many requests"}, headers={"Retry-After": "90"}
    )

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))

    assert caught.value.retry_after == 90 and not caught.value.permanent


def test_a_server_error_is_temporary(replay, connector):
    posts_answer(replay, 500)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))

    assert not caught.value.permanent and caught.value.retry_after is None
