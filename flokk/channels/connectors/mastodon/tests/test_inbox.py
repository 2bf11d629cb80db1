"""The Mastodon connector's inbox against the fake instance: what the public says, and answering it."""

from __future__ import annotations

import datetime as dt

import pytest

from flokk.channels.connectors.base import ConnectorError, ReplyTarget
from flokk.channels.connectors.mastodon import MastodonConnector
from flokk.channels.connectors.mastodon.inbox import plain_text, reply_text
from flokk.channels.tests.running import run


@pytest.fixture
def bob(mastodon):
    return mastodon.create_account("bob", "Bob Berg")


@pytest.fixture
def carol(mastodon):
    """An account of another instance, as alice's instance knows it."""
    return mastodon.create_account("carol", "Carol from afar", domain="remote.example")


def by_id(page):
    return {item.remote_id: item for item in page.items}


# --- reading --------------------------------------------------------------------------------------------
def test_mentions_replies_and_direct_messages_come_with_their_fields(
    mastodon, alice, bob, carol, connector_for
):
    # Given a post of alice's, a reply to it, a mention from another instance and a direct message
    post = mastodon.deliver(alice, "Our new roast is out")
    reply = mastodon.deliver(bob, "@alice what a roast!", in_reply_to_id=post["id"])
    mention = mastodon.deliver(carol, f"@alice@{mastodon.host} hello from afar")
    direct = mastodon.deliver(carol, f"@alice@{mastodon.host} a private word", visibility="direct")
    mastodon.deliver(bob, "nobody is mentioned here")

    # When alice's inbox is read for the first time
    connector = connector_for(alice)
    page = run(connector, connector.fetch_inbox(""))

    # Then each arrives once, of its kind, hung on the right thread, with its author's full handle
    items = by_id(page)
    assert set(items) == {reply["id"], mention["id"], direct["id"]}
    answer = items[reply["id"]]
    assert (answer.kind, answer.thread_id, answer.parent_id) == ("reply", post["id"], post["id"])
    assert answer.text == "@alice what a roast!"
    assert (answer.author.remote_id, answer.author.handle, answer.author.display_name) == (
        bob.id,
        f"bob@{mastodon.host}",
        "Bob Berg",
    )
    assert answer.url == f"{mastodon.url}/@bob/{reply['id']}"
    assert answer.created_at.tzinfo is not None
    assert abs(answer.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    said = items[mention["id"]]
    assert (said.kind, said.thread_id, said.parent_id) == ("mention", mention["id"], "")
    assert said.author.handle == "carol@remote.example"
    assert said.url == f"https://remote.example/@carol/{mention['id']}"
    private = items[direct["id"]]
    assert private.kind == "direct_message"
    assert private.reply_ref == {"visibility": "direct", "mentions": "carol@remote.example"}
    # the direct message hangs on its conversation, which the instance names
    [conversations] = mastodon.requests_to("GET", "/api/v1/conversations")
    assert conversations.status == 200
    assert private.thread_id.startswith("conversation:") and private.thread_id != "conversation:"
    assert page.cursor  # the newest notification


def test_direct_messages_of_one_conversation_share_its_thread(mastodon, alice, carol, connector_for):
    # Given carol writes directly, alice answers, carol writes again, and someone else writes directly
    host = mastodon.host
    first = mastodon.deliver(carol, f"@alice@{host} is the café open on Sunday?", visibility="direct")
    answer = mastodon.deliver(
        alice, "@carol@remote.example yes, from ten", in_reply_to_id=first["id"], visibility="direct"
    )
    second = mastodon.deliver(
        carol, f"@alice@{host} lovely, see you", in_reply_to_id=answer["id"], visibility="direct"
    )
    dave = mastodon.create_account("dave")
    other = mastodon.deliver(dave, "@alice a question of my own", visibility="direct")

    connector = connector_for(alice)
    items = by_id(run(connector, connector.fetch_inbox("")))

    # Then carol's two messages are in one conversation, dave's in another
    assert items[first["id"]].thread_id == items[second["id"]].thread_id
    assert items[first["id"]].thread_id.startswith("conversation:")
    assert items[other["id"]].thread_id.startswith("conversation:")
    assert items[other["id"]].thread_id != items[first["id"]].thread_id
    assert items[second["id"]].parent_id == answer["id"]


def test_the_cursor_returns_only_what_is_new(mastodon, alice, bob, connector_for):
    mastodon.deliver(bob, "@alice first")
    connector = connector_for(alice)
    first = run(connector, connector.fetch_inbox(""))
    assert len(first.items) == 1

    # Nothing new: no items, the same cursor
    again = run(connector, connector.fetch_inbox(first.cursor))
    assert again.items == () and again.cursor == first.cursor

    # Something new: only that, and the cursor moves on
    new = mastodon.deliver(bob, "@alice second")
    later = run(connector, connector.fetch_inbox(again.cursor))
    assert [item.remote_id for item in later.items] == [new["id"]]
    assert later.cursor != first.cursor
    assert run(connector, connector.fetch_inbox(later.cursor)).items == ()
    # and every request asked for mentions only
    for request in mastodon.requests_to("GET", "/api/v1/notifications"):
        assert request.query["types[]"] == ["mention"]


def test_a_busy_inbox_is_read_over_several_pages(mastodon, alice, bob, connector_for):
    connector = connector_for(alice)
    start = run(connector, connector.fetch_inbox(""))
    assert start.items == () and start.cursor == "0"  # an empty first poll: read all that comes next
    statuses = [mastodon.deliver(bob, f"@alice note {n}") for n in range(120)]

    page = run(connector, connector.fetch_inbox(start.cursor))

    assert sorted(item.remote_id for item in page.items) == sorted(s["id"] for s in statuses)
    assert len(mastodon.requests_to("GET", "/api/v1/notifications")) >= 1 + 3  # 50 a page
    assert run(connector, connector.fetch_inbox(page.cursor)).items == ()


def test_the_first_poll_reads_the_latest_hundred(mastodon, alice, bob, connector_for):
    statuses = [mastodon.deliver(bob, f"@alice note {n}") for n in range(130)]
    connector = connector_for(alice)

    page = run(connector, connector.fetch_inbox(""))

    assert sorted(item.remote_id for item in page.items) == sorted(s["id"] for s in statuses[-100:])
    assert run(connector, connector.fetch_inbox(page.cursor)).items == ()


def test_html_becomes_plain_text_and_a_script_stays_inert(mastodon, alice, bob, connector_for):
    typed = mastodon.deliver(bob, "@alice <script>alert(1)</script> & fish &amp; chips\nline two\n\nnext")
    remote = mastodon.deliver(
        bob,
        "@alice hostile",
        content='<p>Hi <b>there</b><script>alert("x")</script></p><p>a<br/>b &lt;i&gt; &#169;</p>',
    )
    connector = connector_for(alice)
    items = by_id(run(connector, connector.fetch_inbox("")))

    # What a person typed comes back as they typed it: the tag is text, not markup
    assert items[typed["id"]].text == (
        "@alice <script>alert(1)</script> & fish &amp; chips\nline two\n\nnext"
    )
    # HTML a server sent loses its tags, and a script its content
    assert items[remote["id"]].text == "Hi there\n\na\nb <i> ©"


def test_plain_text_keeps_paragraphs_and_link_text():
    content = (
        '<p>See <a href="https://x.example/very/long/path"><span class="invisible">https://</span>'
        '<span class="ellipsis">x.example/very</span><span class="invisible">/long/path</span></a></p>'
    )
    assert plain_text(content) == "See https://x.example/very/long/path"


def test_a_malformed_status_is_skipped_and_the_others_kept(mastodon, alice, bob, connector_for):
    good = mastodon.deliver(bob, "@alice fine")
    broken = mastodon.deliver(bob, "@alice broken")
    also_broken = mastodon.deliver(bob, "@alice no date")

    def break_some(notifications):
        for notification in notifications:
            if notification["status"]["id"] == broken["id"]:
                del notification["status"]["account"]
            if notification["status"]["id"] == also_broken["id"]:
                notification["status"]["created_at"] = "yesterday"
        return [*notifications, {"type": "mention", "status": None}, "junk"]

    mastodon.inject("mangle", path="/api/v1/notifications", mangle=break_some)
    connector = connector_for(alice)
    page = run(connector, connector.fetch_inbox(""))

    assert [item.remote_id for item in page.items] == [good["id"]]
    assert page.cursor  # the poll still moves past the broken ones


# --- failures ---------------------------------------------------------------------------------------------
def test_a_revoked_token_needs_reconnecting(mastodon, alice, connector_for):
    mastodon.revoke(alice.token)
    connector = connector_for(alice)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox("5"))
    assert caught.value.needs_reconnect


def test_a_rate_limit_says_when_to_come_back(mastodon, alice, connector_for):
    mastodon.inject("rate_limit", path="/api/v1/notifications", retry_after=90)
    connector = connector_for(alice)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))
    assert 85 <= caught.value.retry_after <= 90
    assert not caught.value.permanent


def test_a_server_error_is_temporary_and_loses_nothing(mastodon, alice, bob, connector_for):
    connector = connector_for(alice)
    start = run(connector, connector.fetch_inbox(""))
    new = mastodon.deliver(bob, "@alice still there?")
    mastodon.inject("error", path="/api/v1/notifications", status=503)

    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(start.cursor))
    assert not caught.value.permanent and caught.value.status_code == 503

    # the caller kept its cursor: the next poll brings the item
    assert [item.remote_id for item in run(connector, connector.fetch_inbox(start.cursor)).items] == [
        new["id"]
    ]


def test_a_failing_conversation_list_fails_the_poll(mastodon, alice, bob, connector_for):
    mastodon.deliver(bob, "@alice psst", visibility="direct")
    mastodon.inject("error", path="/api/v1/conversations", status=502)
    connector = connector_for(alice)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.fetch_inbox(""))
    assert caught.value.status_code == 502 and not caught.value.permanent


# --- answering ----------------------------------------------------------------------------------------------
def item_from(mastodon, connector, status_id):
    return by_id(run(connector, connector.fetch_inbox("")))[status_id]


def target_of(item):
    return ReplyTarget(item.remote_id, item.thread_id, item.kind, item.reply_ref)


def test_a_reply_goes_into_the_thread_mentioning_the_author(mastodon, alice, bob, connector_for):
    post = mastodon.deliver(alice, "Our new roast")
    said = mastodon.deliver(bob, "@alice looks great", in_reply_to_id=post["id"])
    connector = connector_for(alice)
    item = item_from(mastodon, connector, said["id"])

    published = run(connector, connector.reply(target_of(item), "Thank you!", "reply-key-1"))

    [request] = mastodon.requests_to("POST", "/api/v1/statuses")
    assert request.body["in_reply_to_id"] == said["id"]
    assert request.body["visibility"] == "public"
    assert request.body["status"] == f"@bob@{mastodon.host} Thank you!"
    assert request.headers["Idempotency-Key"] == "reply-key-1"
    [status] = [s for s in mastodon.statuses_of(alice) if s["id"] == published.remote_id]
    assert status["in_reply_to_id"] == said["id"]
    # bob is notified of the answer
    assert any(n["status_id"] == published.remote_id for n in mastodon._notifications)


def test_a_direct_message_is_answered_directly_to_everyone_in_it(mastodon, alice, bob, carol, connector_for):
    said = mastodon.deliver(carol, f"@alice@{mastodon.host} @bob a word among us", visibility="direct")
    connector = connector_for(alice)
    item = item_from(mastodon, connector, said["id"])

    run(connector, connector.reply(target_of(item), "@carol@remote.example of course", "dm-key"))

    [request] = mastodon.requests_to("POST", "/api/v1/statuses")
    assert request.body["visibility"] == "direct"
    assert request.body["status"] == f"@bob@{mastodon.host} @carol@remote.example of course"


def test_a_reply_is_posted_once_per_idempotency_key(mastodon, alice, bob, connector_for):
    said = mastodon.deliver(bob, "@alice hello")
    connector = connector_for(alice)
    target = target_of(item_from(mastodon, connector, said["id"]))

    first = run(connector, connector.reply(target, "Hi!", "same-key"))
    second = run(connector, connector.reply(target, "Hi!", "same-key"))

    assert first.remote_id == second.remote_id
    assert len([s for s in mastodon.statuses_of(alice) if s["in_reply_to_id"] == said["id"]]) == 1


def test_a_reply_without_a_stored_reference_reads_the_status_first(mastodon, alice, bob, connector_for):
    said = mastodon.deliver(bob, "@alice psst", visibility="direct")
    connector = connector_for(alice)

    run(connector, connector.reply(ReplyTarget(said["id"], said["id"], "direct_message"), "Yes?", "k"))

    [request] = mastodon.requests_to("POST", "/api/v1/statuses")
    assert request.body["visibility"] == "direct"
    assert request.body["status"] == f"@bob@{mastodon.host} Yes?"


def test_a_like_favourites_the_status(mastodon, alice, bob, connector_for):
    said = mastodon.deliver(bob, "@alice nice")
    connector = connector_for(alice)
    run(connector, connector.like(said["id"], {}))
    assert (alice.id, said["id"]) in mastodon.favourites


def test_liking_a_status_that_is_gone_is_permanent(mastodon, alice, connector_for):
    connector = connector_for(alice)
    with pytest.raises(ConnectorError) as caught:
        run(connector, connector.like("999999999", {}))
    assert caught.value.permanent and caught.value.status_code == 404


def test_capabilities_say_what_mastodon_allows():
    capabilities = MastodonConnector.capabilities
    assert capabilities.read_mentions and capabilities.read_direct_messages and capabilities.reply
    assert capabilities.like
    assert not capabilities.hide_comments and not capabilities.delete_comments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks", "@bob@h.example Thanks"),
        ("@bob thanks", "@bob thanks"),  # a local account may be named without its host
        ("@bob@h.example thanks", "@bob@h.example thanks"),
        ("@bobby thanks", "@bob@h.example @bobby thanks"),
        ("Ask @carol@r.example", "Ask @carol@r.example"),
    ],
)
def test_reply_text_mentions_whom_it_must(text, expected):
    handles = ["bob@h.example"] if "carol" not in text else ["carol@r.example"]
    assert reply_text(text, handles, "h.example") == expected
