"""The set-based reads and writes under ingest (`flokk/core/bulk.py`), on whichever database the run uses."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from flokk.core.bulk import insert_rows, rows_where_in, update_rows
from flokk.inbox.models import Contact, Conversation, Message
from flokk.inbox.services.ingest import CONVERSATION_STATE_FIELDS, THREAD_KEY, ingest

pytestmark = pytest.mark.django_db

NASTY = (
    "a\x00b \ud800c \udfff"  # NUL and lone surrogates: neither SQLite nor PostgreSQL takes them as they are
)


def test_rows_come_back_as_the_model_gives_them(account, item) -> None:
    stored = item("Hej!")
    ingest(account, [stored])
    conversation = Conversation.objects.get()
    missing = uuid.uuid4()
    rows = rows_where_in(Conversation, CONVERSATION_STATE_FIELDS, "id", [conversation.pk, missing])
    assert rows == [
        (
            conversation.pk, conversation.status, conversation.assignee_id, conversation.priority,
            conversation.first_message_at, conversation.last_message_at, conversation.preview,
            conversation.sentiment,
        )
    ]  # fmt: skip
    assert rows[0][4].utcoffset() == dt.timedelta(0)
    assert rows_where_in(Conversation, ("id",), "id", []) == []
    by_remote_id = rows_where_in(
        Message, ("remote_id", "conversation_id"), "remote_id", [stored.remote_id, "x"]
    )
    assert by_remote_id == [(stored.remote_id, conversation.pk)]


def test_insert_can_skip_rows_already_there_and_update_can_add(account, item) -> None:
    ingest(account, [item("Hej!")])
    conversation = Conversation.objects.get()
    contact = Contact.objects.get()
    copy = (
        contact.pk,
        contact.organization_id,
        contact.network,
        contact.remote_id,
        "other",
        "",
        contact.first_seen_at,
    )
    fields = ("id", "organization_id", "network", "remote_id", "handle", "display_name", "first_seen_at")
    insert_rows(Contact, fields, [copy], ignore_conflicts=True)
    assert Contact.objects.get().handle == contact.handle
    with pytest.raises(IntegrityError), transaction.atomic():  # ingest catches Django's, not the driver's
        insert_rows(Contact, fields, [copy])

    later = conversation.last_message_at + dt.timedelta(minutes=3)
    update_rows(Conversation, ("message_count+", "last_message_at"), [(2, later, conversation.pk)])
    conversation.refresh_from_db()
    assert (conversation.message_count, conversation.last_message_at) == (3, later)


def test_nul_and_lone_surrogates_are_stored_safely(account, item) -> None:
    base = item(NASTY)
    nasty = dataclasses.replace(
        base,
        author=dataclasses.replace(base.author, handle="h" + NASTY, display_name="n" + NASTY),
        reply_ref={"cid": "c" + NASTY},
    )
    assert ingest(account, [nasty]).stored == 1
    message = Message.objects.get()
    clean = "ab \ufffdc \ufffd"
    assert message.text == clean
    assert (message.author_handle, message.author_name) == ("h" + clean, "n" + clean)
    assert message.reply_ref == {"cid": "c" + clean, THREAD_KEY: base.remote_id}
    assert Contact.objects.get().handle == "h" + clean


def test_items_with_unusable_ids_are_skipped_not_fatal(account, item) -> None:
    surrogate = item("Hej!", remote_id="id-\ud800")
    nul = item("Hej!", thread_id="post-\x00")
    report = ingest(account, [surrogate, nul, item("Tack!")])
    assert (report.stored, report.skipped) == (1, 2)


def test_repeats_conversations_and_contacts_are_counted_right(account, item) -> None:
    root = item("Var är mitt paket?", author="anna", minutes_ago=30)
    replies = [
        item(f"Svar {n}", kind="reply", parent=root, author=f"p{n % 3}", minutes_ago=20 - n) for n in range(5)
    ]
    dm = item("Hej, en fråga", kind="direct_message", thread_id="dm-1", author="anna", minutes_ago=25)
    first = ingest(account, [root, *replies[:3], root, dm])
    assert (first.stored, first.duplicates) == (5, 1)
    second = ingest(account, [replies[2], *replies[3:], dm])  # repeats from the first batch, and new ones
    assert (second.stored, second.duplicates) == (2, 2)

    assert Message.objects.count() == 7
    assert Conversation.objects.count() == 2
    assert Conversation.objects.aggregate(total=Sum("message_count"))["total"] == 7
    assert Conversation.objects.get(messages__remote_id=root.remote_id).message_count == 6
    assert Contact.objects.count() == 4  # anna, p0, p1, p2
    assert len(first.new_conversations) == 2 and second.new_conversations == []


def test_a_reply_to_our_own_answer_joins_its_conversation(account, item) -> None:
    question = item("Var är mitt paket?", minutes_ago=30)
    ingest(account, [question])
    conversation = Conversation.objects.get()
    Message.objects.create(
        id=uuid.uuid4(), organization_id=account.organization_id, conversation=conversation, account=account,
        direction="out", kind="reply", remote_id="answer-1", text="Det kommer i morgon!",
        received_at=conversation.last_message_at, created_at=conversation.last_message_at,
    )  # fmt: skip
    answer = dataclasses.replace(question, remote_id="answer-1")  # only its remote id matters as a parent
    thanks = item("Tack!", kind="reply", parent=answer, thread_id="somewhere-else", minutes_ago=1)
    ingest(account, [thanks])
    assert Conversation.objects.count() == 1
    assert Message.objects.get(remote_id=thanks.remote_id).conversation_id == conversation.pk


def test_the_inbox_search_matches_words_anywhere_whatever_their_case(account, item, demo, member) -> None:
    from flokk.inbox.services.queries import filtered_conversations

    ingest(
        account,
        [item("Var är mitt PAKET?", author="a"), item("50% rabatt?", author="b"), item("Hej", author="c")],
    )
    found = {
        words: sorted(c.preview for c in filtered_conversations(demo, member("analyst"), {"q": words}))
        for words in ("paket", "är MITT", "50%", "_", "0% r", "hej då")
    }
    assert found == {
        "paket": ["Var är mitt PAKET?"],
        "är MITT": ["Var är mitt PAKET?"],
        "50%": ["50% rabatt?"],
        "_": [],  # no wildcards: "_" and "%" are plain characters
        "0% r": ["50% rabatt?"],
        "hej då": [],
    }


def test_mine_lists_the_conversations_of_the_person_and_nothing_for_others(
    account, item, demo, member
) -> None:
    from flokk.inbox.services.queries import conversation_page, filtered_conversations

    ingest(account, [item("Hej", author="a"), item("Hallå", author="b")])
    holder, nobody = member("community-manager"), member("analyst")
    Conversation.objects.update(assignee=holder)
    assert len(conversation_page(filtered_conversations(demo, holder, {"mine": True}))) == 2
    assert conversation_page(filtered_conversations(demo, nobody, {"mine": True})) == []


def test_messages_stored_by_someone_else_meanwhile_are_counted_once(account, item, monkeypatch) -> None:
    """A webhook stores an item between ingest's first look and its write: the others are stored, once."""
    from flokk.inbox.services import ingest as ingest_module

    first = item("Hej! Var är paketet?")
    answer = item("Och nu då?", kind="reply", parent=first)
    ingest(account, [first])
    looked = []
    real_stored = ingest_module._stored

    def not_yet(ids):  # the first look happens before the webhook's commit
        looked.append(True)
        return set() if len(looked) == 1 else real_stored(ids)

    monkeypatch.setattr(ingest_module, "_stored", not_yet)
    report = ingest(account, [first, answer])
    assert (report.stored, report.duplicates) == (1, 1)
    conversation = Conversation.objects.get()
    assert conversation.message_count == Message.objects.count() == 2
    assert report.new_conversations == []


def test_derived_ids_are_the_standard_name_based_uuids() -> None:
    """Stored rows were keyed with `uuid.uuid5`: the faster derivation must give the very same ids."""
    from flokk.inbox import ids

    account = uuid.UUID("0b5e2f8a-4d7c-4a1e-9c3b-2f6d8e1a7b90")
    for remote_id in ("1", "at://did:plc:abc/app.bsky.feed.post/3k", "ø æ å 😊", "x" * 500):
        standard = uuid.uuid5(ids._NAMESPACE, f"m:{account.hex}:{remote_id}")
        assert ids.message_id(account, remote_id) == standard
        assert ids.message_id(account, remote_id).version == 5
        assert ids.conversation_id(account, remote_id) == uuid.uuid5(
            ids._NAMESPACE, f"c:{account.hex}:{remote_id}"
        )
        assert ids.contact_id(account, "bluesky", remote_id) == uuid.uuid5(
            ids._NAMESPACE, f"p:{account.hex}:bluesky:{remote_id}"
        )
