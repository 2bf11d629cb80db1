"""The inbox against a real PLC + PDS + AppView on loopback: people from the public reply, mention and quote;
the connector reads, answers, likes and hides. What the network shows is read from the AppView directly."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from flokk.channels.connectors.base import ConnectorError, InboundItem, Publication, ReplyTarget
from flokk.channels.connectors.bluesky import BlueskyConnector
from flokk.channels.connectors.bluesky import connector as connector_module
from flokk.channels.connectors.bluesky.devnet import Devnet
from flokk.channels.connectors.bluesky.public import Written
from flokk.channels.tests.running import run

from .conftest import NetworkAccount

POST = "app.bsky.feed.post"


def publish(connector_for: Callable[..., BlueskyConnector], account: NetworkAccount, text: str) -> str:
    connector = connector_for(account)
    return str(run(connector, connector.publish(Publication(idempotency_key=text, text=text))).remote_id)


def inbox(connector_for: Callable[..., BlueskyConnector], account: NetworkAccount, cursor: str = "") -> Any:
    connector = connector_for(account)
    return run(connector, connector.fetch_inbox(cursor))


def inbox_until(
    connector_for: Callable[..., BlueskyConnector],
    account: NetworkAccount,
    ready: Callable[[dict[str, InboundItem]], bool],
    cursor: str = "",
) -> Any:
    """The inbox page once `ready(items by remote id)`: notifications follow indexing by a moment."""
    return eventually(
        lambda: page if ready(by_id((page := inbox(connector_for, account, cursor)).items)) else None
    )


def by_id(items: tuple[InboundItem, ...]) -> dict[str, InboundItem]:
    return {item.remote_id: item for item in items}


def eventually[T](check: Callable[[], T | None], timeout: float = 15.0) -> T:
    """What `check` returns once it is truthy: the AppView indexes a moment after the PDS stores."""
    deadline = time.monotonic() + timeout
    while True:
        if result := check():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not so within {timeout:.0f} s")
        time.sleep(0.1)


def indexed(network: Devnet, *written: Written) -> None:
    for item in written:
        network.wait_indexed(item.uri)


def test_replies_mentions_and_quotes_arrive_once_with_thread_parent_and_author(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    post = publish(connector_for, bluesky_account, "Vad tycker ni om vårt nya kaffe?")
    fan, critic, quoter = (bluesky_network.create_member(prefix) for prefix in ("fan", "critic", "quoter"))
    reply = bluesky_network.reply(fan, post, "Gott! ☕")
    mention = bluesky_network.mention(critic, bluesky_account.handle, "Hörde ni om kaffet")
    quote = bluesky_network.quote(quoter, post, "Det här måste ni läsa")
    bluesky_network.like(fan, post)
    indexed(bluesky_network, reply, mention, quote)

    page = inbox_until(connector_for, bluesky_account, lambda items: len(items) == 3)

    items = by_id(page.items)
    assert set(items) == {reply.uri, mention.uri, quote.uri}  # the like is a metric, not a conversation
    answer = items[reply.uri]
    assert (answer.kind, answer.thread_id, answer.parent_id) == ("reply", post, post)
    assert (answer.text, answer.author.handle, answer.author.remote_id) == ("Gott! ☕", fan.handle, fan.did)
    root_cid = bluesky_network.wait_indexed(post)["cid"]
    assert answer.reply_ref == {"cid": reply.cid, "root_uri": post, "root_cid": root_cid}
    assert answer.created_at.tzinfo is not None
    assert answer.url == ""  # a loopback network: no public web app shows its posts
    talk = items[mention.uri]
    assert (talk.kind, talk.thread_id, talk.parent_id) == ("mention", mention.uri, "")
    assert talk.author.handle == critic.handle and f"@{bluesky_account.handle}" in talk.text
    assert (items[quote.uri].kind, items[quote.uri].thread_id) == ("mention", quote.uri)
    assert page.cursor

    again = inbox(connector_for, bluesky_account, page.cursor)
    assert set(by_id(again.items)) <= set(items)  # repeats of the last minutes are allowed, nothing new
    assert again.cursor == page.cursor

    deeper = bluesky_network.reply(critic, reply.uri, "Nej, för beskt.")
    indexed(bluesky_network, deeper)
    later = inbox_until(connector_for, bluesky_account, lambda items: deeper.uri in items, page.cursor)
    item = by_id(later.items)[deeper.uri]
    assert (item.kind, item.thread_id, item.parent_id) == ("reply", post, reply.uri)
    assert later.cursor > page.cursor


def test_paging_back_returns_everything_since_the_cursor_and_nothing_before(
    bluesky_network: Devnet, bluesky_account, connector_for, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(connector_module, "INBOX_PAGE_SIZE", 2)
    monkeypatch.setattr(connector_module, "INBOX_OVERLAP", connector_module.dt.timedelta(0))
    fan = bluesky_network.create_member()
    first = bluesky_network.mention(fan, bluesky_account.handle, "Första")
    indexed(bluesky_network, first)
    cursor = eventually(lambda: inbox(connector_for, bluesky_account).cursor)
    assert inbox(connector_for, bluesky_account, cursor).items == ()

    later = [bluesky_network.mention(fan, bluesky_account.handle, f"Nummer {n}") for n in range(5)]
    indexed(bluesky_network, *later)

    # The AppView writes notifications just after the post it indexed: wait for all five.
    page = inbox_until(connector_for, bluesky_account, lambda items: len(items) >= len(later), cursor)
    assert set(by_id(page.items)) == {written.uri for written in later}  # three pages of two, back to `first`
    assert inbox(connector_for, bluesky_account, page.cursor).items == ()


def test_a_reply_lands_under_the_item_in_its_thread_once_per_idempotency_key(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    post = publish(connector_for, bluesky_account, "Vilken smak vill ni ha härnäst?")
    fan, other = bluesky_network.create_member(), bluesky_network.create_member()
    first = bluesky_network.reply(fan, post, "Kardemumma!")
    deeper = bluesky_network.reply(other, first.uri, "Ja, kardemumma")
    indexed(bluesky_network, deeper)
    page = inbox_until(connector_for, bluesky_account, lambda items: len(items) == 2)
    item = by_id(page.items)[deeper.uri]
    target = ReplyTarget(item.remote_id, item.thread_id, item.kind, item.reply_ref)

    connector = connector_for(bluesky_account)
    answer = run(connector, connector.reply(target, "Tack! Vi tar med det 🙂 #kaffe", "answer-1"))
    connector = connector_for(bluesky_account)
    repeated = run(connector, connector.reply(target, "Tack! Vi tar med det 🙂 #kaffe", "answer-1"))

    assert repeated.remote_id == answer.remote_id
    view = bluesky_network.wait_indexed(answer.remote_id)
    assert strong_ref(view["record"]["reply"]["parent"]) == deeper.ref()
    assert view["record"]["reply"]["root"]["uri"] == post
    assert view["record"]["facets"][0]["features"][0] == {
        "$type": "app.bsky.richtext.facet#tag",
        "tag": "kaffe",
    }
    thread = bluesky_network.appview("app.bsky.feed.getPostThread", uri=answer.remote_id)["thread"]
    assert thread["parent"]["post"]["uri"] == deeper.uri
    assert thread["parent"]["parent"]["parent"]["post"]["uri"] == post
    answers = [
        record
        for record in records(bluesky_network, bluesky_account.did)
        if record["value"]["text"].startswith("Tack!")
    ]
    assert len(answers) == 1


def strong_ref(value: dict[str, str]) -> dict[str, str]:
    return {"uri": value["uri"], "cid": value["cid"]}


def records(network: Devnet, did: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{network.service_url}/xrpc/com.atproto.repo.listRecords",
        params={"repo": did, "collection": POST, "limit": 100},
    )
    response.raise_for_status()
    found: list[dict[str, Any]] = response.json()["records"]
    return found


def test_a_reply_without_a_stored_reference_asks_the_network_for_it(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    post = publish(connector_for, bluesky_account, "Fråga oss vad som helst")
    question = bluesky_network.reply(bluesky_network.create_member(), post, "Öppet på söndag?")
    indexed(bluesky_network, question)
    target = ReplyTarget(question.uri, post, "reply")

    connector = connector_for(bluesky_account)
    answer = run(connector, connector.reply(target, "Ja, 10 till 16.", "answer-without-ref"))

    record = bluesky_network.wait_indexed(answer.remote_id)["record"]
    assert strong_ref(record["reply"]["parent"]) == question.ref()
    assert record["reply"]["root"]["uri"] == post


def test_liking_twice_counts_once(bluesky_network: Devnet, bluesky_account, connector_for):
    post = publish(connector_for, bluesky_account, "Gilla om ni gillar")
    reply = bluesky_network.reply(bluesky_network.create_member(), post, "Gillar!")
    indexed(bluesky_network, reply)
    page = inbox_until(connector_for, bluesky_account, bool)
    item = by_id(page.items)[reply.uri]

    for _attempt in range(2):
        connector = connector_for(bluesky_account)
        run(connector, connector.like(item.remote_id, item.reply_ref))

    assert eventually(lambda: bluesky_network.wait_indexed(reply.uri)["likeCount"]) == 1
    likes = bluesky_network.appview("app.bsky.feed.getLikes", uri=reply.uri)["likes"]
    assert [like["actor"]["did"] for like in likes] == [bluesky_account.did]


def thread_v2(network: Devnet, uri: str, method: str = "app.bsky.unspecced.getPostThreadV2") -> list[str]:
    return [entry["uri"] for entry in network.appview(method, anchor=uri)["thread"]]


def test_a_hidden_reply_leaves_the_thread_for_everyone_but_is_kept_aside(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    post = publish(connector_for, bluesky_account, "Berätta om er morgon")
    rude, kind = bluesky_network.create_member("rude"), bluesky_network.create_member("kind")
    spam = bluesky_network.reply(rude, post, "Köp billiga klockor!!!")
    nice = bluesky_network.reply(kind, post, "Kaffe och tidning")
    indexed(bluesky_network, spam, nice)
    page = inbox_until(connector_for, bluesky_account, lambda items: len(items) == 2)
    item = by_id(page.items)[spam.uri]

    for _attempt in range(2):  # hiding twice is hiding once
        connector = connector_for(bluesky_account)
        run(connector, connector.hide(item.remote_id, item.reply_ref))

    eventually(lambda: spam.uri not in thread_v2(bluesky_network, post))
    assert nice.uri in thread_v2(bluesky_network, post)
    assert spam.uri in thread_v2(bluesky_network, post, "app.bsky.unspecced.getPostThreadOtherV2")
    gate = bluesky_network.wait_indexed(post)["threadgate"]["record"]
    assert gate["hiddenReplies"] == [spam.uri]
    assert "allow" not in gate  # still anyone may reply


def test_hiding_keeps_the_reply_rules_the_thread_had(bluesky_network: Devnet, bluesky_account, connector_for):
    post = publish(connector_for, bluesky_account, "Bara följare får svara")
    reply = bluesky_network.reply(bluesky_network.create_member(), post, "Hej!")
    indexed(bluesky_network, reply)
    followers_only = [{"$type": "app.bsky.feed.threadgate#followerRule"}]
    session = httpx.post(
        f"{bluesky_network.service_url}/xrpc/com.atproto.server.createSession",
        json={"identifier": bluesky_account.handle, "password": bluesky_account.password},
    ).json()
    httpx.post(
        f"{bluesky_network.service_url}/xrpc/com.atproto.repo.createRecord",
        headers={"Authorization": f"Bearer {session['accessJwt']}"},
        json={
            "repo": bluesky_account.did,
            "collection": "app.bsky.feed.threadgate",
            "rkey": post.rsplit("/", 1)[1],
            "record": {"post": post, "allow": followers_only, "createdAt": "2026-11-25T10:00:00Z"},
        },
    ).raise_for_status()

    connector = connector_for(bluesky_account)
    run(connector, connector.hide(reply.uri, {}))  # no stored reference: the connector looks it up

    def gate_hiding_the_reply() -> dict[str, Any] | None:  # the AppView indexes the new gate a moment later
        gate = bluesky_network.wait_indexed(post).get("threadgate", {}).get("record", {})
        return gate if gate.get("hiddenReplies") else None

    gate = eventually(gate_hiding_the_reply)
    assert gate["hiddenReplies"] == [reply.uri]
    assert gate["allow"] == followers_only


def test_replies_in_someone_elses_thread_cannot_be_hidden(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    stranger = bluesky_network.create_member("stranger")
    their_post = bluesky_network.post(stranger, "Mitt eget inlägg")
    mention = bluesky_network.reply(stranger, their_post.uri, f"Vad säger @{bluesky_account.handle}?")
    ref = {"cid": mention.cid, "root_uri": their_post.uri, "root_cid": their_post.cid}

    connector = connector_for(bluesky_account)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.hide(mention.uri, ref))

    assert caught.value.permanent


def test_a_revoked_app_password_stops_the_inbox_until_reconnected(
    bluesky_network: Devnet, bluesky_account, connector_for
):
    bluesky_network.revoke_app_password(bluesky_account.handle, bluesky_account.password)

    connector = connector_for(bluesky_account)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))

    assert caught.value.needs_reconnect
