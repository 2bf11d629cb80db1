"""The X connector's inbox against a stateful fake of the documented X API v2 endpoints."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator

import pytest

from flokk.channels.connectors.base import ConnectorError, ReplyTarget
from flokk.channels.connectors.x import XConnector, auth
from flokk.channels.connectors.x.tests.conftest import ACCOUNT, APP, CREDENTIALS
from flokk.channels.connectors.x.tests.fakex import FakeX, rate_limited

ME = ACCOUNT.remote_id


@pytest.fixture
def x(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeX]:
    fake = FakeX(ME, ACCOUNT.handle, access_token="x-access-token", refresh_token="x-refresh-token")
    monkeypatch.setattr(auth, "TRANSPORT", fake.transport)
    yield fake
    assert not fake.violations, fake.violations


@pytest.fixture
def lena(x: FakeX) -> str:
    return x.add_user("lena_fika", "Lena Fika")


def fetch(cursor: str, credentials: dict | None = None):
    connector = XConnector(ACCOUNT, dict(credentials or CREDENTIALS), APP)

    async def go():
        try:
            return await connector.fetch_inbox(cursor)
        finally:
            await connector.aclose()

    return asyncio.run(go()), connector


def act(coroutine_of):
    connector = XConnector(ACCOUNT, dict(CREDENTIALS), APP)

    async def go():
        try:
            return await coroutine_of(connector)
        finally:
            await connector.aclose()

    return asyncio.run(go())


def by_id(page):
    return {item.remote_id: item for item in page.items}


def mentions_queries(x: FakeX) -> list[dict[str, str]]:
    return [dict(r.url.params) for r in x.requests if r.url.path == f"/2/users/{ME}/mentions"]


# --- reading --------------------------------------------------------------------------------------------
def test_mentions_and_replies_come_with_their_fields(x, lena):
    own = x.post(ME, "Ny säsong, nya bönor!")
    reply = x.post(lena, "Äntligen!", reply_to=own["id"])
    mention = x.post(lena, "Bästa kaffet hos @fjallbackakaffe")
    x.post(lena, "nothing to do with the account")

    page, _connector = fetch("")

    items = by_id(page)
    assert set(items) == {reply["id"], mention["id"]}
    answer = items[reply["id"]]
    assert (answer.kind, answer.thread_id, answer.parent_id) == ("reply", own["id"], own["id"])
    assert answer.text == "@fjallbackakaffe Äntligen!"
    assert (answer.author.remote_id, answer.author.handle, answer.author.display_name) == (
        lena,
        "lena_fika",
        "Lena Fika",
    )
    assert answer.url == f"https://x.com/lena_fika/status/{reply['id']}"
    assert abs(answer.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    said = items[mention["id"]]
    assert (said.kind, said.thread_id, said.parent_id) == ("mention", mention["id"], "")
    assert page.cursor == mention["id"]  # the newest
    [query] = mentions_queries(x)
    assert query["expansions"] == "author_id,referenced_tweets.id"
    assert query["user.fields"] == "username,name"
    assert "conversation_id" in query["tweet.fields"].split(",")
    assert "since_id" not in query


def test_the_cursor_returns_only_what_is_new(x, lena):
    x.post(lena, "@fjallbackakaffe hej")
    first, _ = fetch("")

    again, _ = fetch(first.cursor)
    assert again.items == () and again.cursor == first.cursor  # nothing new keeps the cursor

    new = x.post(lena, "@fjallbackakaffe hej igen")
    later, _ = fetch(again.cursor)
    assert [item.remote_id for item in later.items] == [new["id"]]
    assert later.cursor == new["id"]
    assert mentions_queries(x)[-1]["since_id"] == first.cursor


def test_a_busy_inbox_is_read_over_several_pages(x, lena):
    start = x.post(lena, "@fjallbackakaffe start")
    first, _ = fetch("")
    posts = [x.post(lena, f"@fjallbackakaffe nr {n}") for n in range(230)]

    page, _ = fetch(first.cursor)

    assert sorted(item.remote_id for item in page.items) == sorted(p["id"] for p in posts)
    assert page.cursor == posts[-1]["id"]
    queries = mentions_queries(x)[1:]
    assert len(queries) == 3 and all(q["since_id"] == start["id"] for q in queries)
    assert "pagination_token" in queries[1]


def test_the_first_poll_reads_the_latest_two_hundred(x, lena):
    posts = [x.post(lena, f"@fjallbackakaffe nr {n}") for n in range(250)]
    page, _ = fetch("")
    assert sorted(item.remote_id for item in page.items) == sorted(p["id"] for p in posts[-200:])
    assert page.cursor == posts[-1]["id"]


def test_entities_become_text_and_a_script_stays_inert(x, lena):
    # X escapes &, < and > in a post's text
    post = x.post(lena, "@fjallbackakaffe &lt;script&gt;alert(1)&lt;/script&gt; kaffe &amp;amp; bullar")
    page, _ = fetch("")
    assert page.items[0].remote_id == post["id"]
    assert page.items[0].text == "@fjallbackakaffe <script>alert(1)</script> kaffe &amp; bullar"


def test_a_malformed_post_is_skipped_and_the_others_kept(x, lena):
    good = x.post(lena, "@fjallbackakaffe fint")
    unknown_author = x.post(lena, "@fjallbackakaffe vem?")
    no_date = x.post(lena, "@fjallbackakaffe när?")

    def break_some(payload):
        for tweet in payload["data"]:
            if tweet["id"] == unknown_author["id"]:
                tweet["author_id"] = "999"
            if tweet["id"] == no_date["id"]:
                del tweet["created_at"]
        payload["data"] += ["junk", {"id": "5"}]
        return payload

    x.mangle = break_some
    page, _ = fetch("")
    assert [item.remote_id for item in page.items] == [good["id"]]
    assert page.cursor == no_date["id"]


# --- failures ---------------------------------------------------------------------------------------------
def test_a_refused_token_needs_reconnecting(x):
    x.access_token = "another-token"  # the account's token no longer works
    x.refresh_token = "another-refresh-token"  # and neither does its refresh token
    with pytest.raises(ConnectorError) as caught:
        fetch("1")
    assert caught.value.needs_reconnect


def test_an_expired_token_is_renewed_during_the_poll(x, lena):
    x.post(lena, "@fjallbackakaffe hej")
    stale = {**CREDENTIALS, "expires_at": "2020-01-01T00:00:00+00:00"}
    x.access_token = "will-change"
    page, connector = fetch("", stale)
    assert len(page.items) == 1
    assert connector.updated_credentials["access_token"] == x.access_token == "access-1"
    assert connector.updated_credentials["refresh_token"] == "refresh-1"


def test_a_rate_limit_waits_until_the_reset(x):
    body, headers = rate_limited(600)
    x.fail(429, f"/2/users/{ME}/mentions", body, headers)
    with pytest.raises(ConnectorError) as caught:
        fetch("1")
    assert 590 <= caught.value.retry_after <= 600
    assert not caught.value.permanent


def test_a_server_error_is_temporary_and_loses_nothing(x, lena):
    first, _ = fetch("")
    new = x.post(lena, "@fjallbackakaffe hallå?")
    x.fail(503, f"/2/users/{ME}/mentions", {"title": "Service Unavailable", "status": 503})
    with pytest.raises(ConnectorError) as caught:
        fetch(first.cursor)
    assert not caught.value.permanent and caught.value.status_code == 503
    page, _ = fetch(first.cursor)
    assert [item.remote_id for item in page.items] == [new["id"]]


def test_a_failing_second_page_fails_the_poll(x, lena):
    for n in range(120):
        x.post(lena, f"@fjallbackakaffe nr {n}")
    x.fail(500, f"/2/users/{ME}/mentions", {"title": "Internal Error", "status": 500}, after=1)
    with pytest.raises(ConnectorError) as caught:
        fetch("1")
    assert caught.value.status_code == 500 and not caught.value.permanent
    assert "pagination_token" in mentions_queries(x)[-1]


# --- acting -----------------------------------------------------------------------------------------------
def test_a_reply_goes_into_the_conversation(x, lena):
    own = x.post(ME, "Ny säsong!")
    said = x.post(lena, "Äntligen!", reply_to=own["id"])
    target = ReplyTarget(said["id"], own["id"], "reply")

    published = act(lambda c: c.reply(target, "Tack, Lena!", "key-1"))

    [body] = x.bodies("POST", "/2/tweets")
    assert body == {"text": "Tack, Lena!", "reply": {"in_reply_to_tweet_id": said["id"]}}
    made = x.tweets[published.remote_id]
    assert made["conversation_id"] == own["id"]
    assert made["referenced_tweets"] == [{"type": "replied_to", "id": said["id"]}]
    assert published.remote_url == f"https://x.com/fjallbackakaffe/status/{published.remote_id}"


def test_a_reply_whose_answer_is_lost_is_an_unknown_outcome(x, lena):
    said = x.post(lena, "@fjallbackakaffe hej")
    x.fail(503, "/2/tweets", {"title": "Service Unavailable", "status": 503})
    with pytest.raises(ConnectorError) as caught:
        act(lambda c: c.reply(ReplyTarget(said["id"], said["id"], "mention"), "Hej!", "k"))
    assert caught.value.outcome_unknown


def test_a_like(x, lena):
    said = x.post(lena, "@fjallbackakaffe gott!")
    act(lambda c: c.like(said["id"], {}))
    assert (ME, said["id"]) in x.likes
    assert x.bodies("POST", f"/2/users/{ME}/likes") == [{"tweet_id": said["id"]}]


def test_hiding_a_reply_in_the_accounts_conversation(x, lena):
    own = x.post(ME, "Ny säsong!")
    rude = x.post(lena, "Usch.", reply_to=own["id"])
    act(lambda c: c.hide(rude["id"], {}))
    assert rude["id"] in x.hidden
    assert x.bodies("PUT", f"/2/tweets/{rude['id']}/hidden") == [{"hidden": True}]


def test_hiding_outside_the_accounts_conversations_is_refused(x, lena):
    theirs = x.post(lena, "@fjallbackakaffe titta här")
    with pytest.raises(ConnectorError) as caught:
        act(lambda c: c.hide(theirs["id"], {}))
    assert caught.value.permanent and caught.value.status_code == 403
    assert not x.hidden


def test_capabilities_say_what_x_allows():
    capabilities = XConnector.capabilities
    assert capabilities.read_mentions and capabilities.read_comments
    assert capabilities.reply and capabilities.like and capabilities.hide_comments
    assert not capabilities.read_direct_messages and not capabilities.delete_comments
