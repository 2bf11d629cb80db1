"""The ingest path: exactly once, threaded, cleaned, analysed, routed and timed."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from flokk.content.models import Post
from flokk.inbox.choices import ConversationStatus, Priority, Team
from flokk.inbox.models import Contact, Conversation, Message, RoutingRule
from flokk.inbox.services.ingest import ingest
from flokk.publishing.models import Delivery

pytestmark = pytest.mark.django_db


def test_items_are_stored_once_however_often_they_arrive(account, item) -> None:
    first, second = item("Hej!"), item("Tack för hjälpen!", author="bo")
    report = ingest(account, [first, second, first])
    assert (report.stored, report.duplicates) == (2, 1)
    again = ingest(account, [second, first])
    assert (again.stored, again.duplicates) == (0, 2)
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 2
    assert Contact.objects.count() == 2


def test_unusable_items_are_skipped_and_the_rest_kept(account, item) -> None:
    naive = dataclasses.replace(item(), created_at=dt.datetime(2026, 1, 1, 12))  # no time zone
    unknown_kind = dataclasses.replace(item(), kind="like")
    our_own = dataclasses.replace(item(), author=dataclasses.replace(item().author, remote_id="brand-id"))
    good = item("Fin bild!")
    report = ingest(account, [naive, unknown_kind, our_own, good, "not an item"])
    assert (report.stored, report.skipped) == (1, 4)
    assert list(Message.objects.values_list("text", flat=True)) == ["Fin bild!"]


def test_a_reply_joins_the_conversation_of_what_it_answers(account, item) -> None:
    question = item("Var är mitt paket?", minutes_ago=10)
    ingest(account, [question])
    follow_up = item("Hallå? Fortfarande inget svar.", kind="reply", parent=question, minutes_ago=2)
    ingest(account, [follow_up])
    conversation = Conversation.objects.get()
    assert conversation.message_count == 2
    assert conversation.preview == "Hallå? Fortfarande inget svar."
    assert set(conversation.messages.values_list("text", flat=True)) == {question.text, follow_up.text}


def test_a_reply_and_its_parent_in_one_batch_share_a_conversation(account, item) -> None:
    question = item("Har ni öppet i morgon?", minutes_ago=10)
    follow_up = item("Och på söndag?", kind="reply", parent=question, minutes_ago=9)
    ingest(account, [follow_up, question])  # any order
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().message_count == 2


def test_each_comment_on_our_post_is_its_own_conversation_linked_to_the_post(
    demo, member, account, item
) -> None:
    from flokk.content.services.posts import PostInput, create_post

    post = create_post(demo, PostInput(account_ids=[account.pk], text="Nyhet!"), actor=member("copywriter"))
    Delivery.objects.create(
        organization=demo, post=post, variant=post.variants.first(), account=account, idempotency_key="k1",
        due_at=timezone.now(), next_attempt_at=timezone.now(), remote_id="our-post-1", status="published",
    )  # fmt: skip
    a = item("Snyggt!", kind="comment", thread_id="our-post-1", author="a")
    b = item("När kommer den till Norge?", kind="comment", thread_id="our-post-1", author="b")
    ingest(account, [a, b])
    conversations = Conversation.objects.all()
    assert conversations.count() == 2
    assert {c.post_id for c in conversations} == {post.pk}
    assert Post.objects.filter(pk=post.pk).exists()


def test_direct_messages_thread_by_the_network_conversation(account, item) -> None:
    one = item("Hej, en fråga om min order", kind="direct_message", thread_id="dm-77")
    two = item("Ordernummer 1234", kind="direct_message", thread_id="dm-77")
    ingest(account, [one, two])
    assert Conversation.objects.get().message_count == 2


def test_untrusted_text_is_stored_safely(account, item) -> None:
    nasty = item("a\x00b \ud800 <script>alert(1)</script>", url="javascript:alert(1)")
    ingest(account, [nasty])
    message = Message.objects.get()
    assert message.text == "ab \ufffd <script>alert(1)</script>"  # stored as text; escaped when shown
    assert message.url == ""
    huge = item("x" * 50_000)
    ingest(account, [huge])
    assert len(Message.objects.get(remote_id=huge.remote_id).text) == 20_000


def test_every_message_gets_language_sentiment_and_intent(account, item) -> None:
    ingest(
        account,
        [item("Helt forferdelig service, pakken kom aldri 😡"), item("Vad kostar det? Vill ha en offert.")],
    )
    angry = Message.objects.get(text__startswith="Helt")
    assert (angry.language, angry.sentiment) == ("nb", "negative")
    assert angry.sentiment_score < 0
    lead = Message.objects.get(text__startswith="Vad kostar")
    assert (lead.language, lead.intent) == ("sv", "lead")


def test_new_conversations_are_routed_by_intent_to_the_team_and_timed(demo, member, account, item) -> None:
    ingest(account, [item("Vad kostar det för 20 personer? Vill gärna ha en offert.")])
    lead = Conversation.objects.get()
    assert lead.team == Team.SALES
    assert lead.assignee == member("sales")
    assert lead.status == ConversationStatus.ASSIGNED
    assert lead.first_response_due_at is not None and lead.resolution_due_at is not None
    assert lead.first_response_due_at < lead.resolution_due_at


def test_a_routing_rule_wins_over_the_defaults(demo, member, account, item) -> None:
    RoutingRule.objects.create(
        organization=demo, name="Recall", keywords="återkall*, recall", team=Team.COMMUNICATIONS,
        priority=Priority.URGENT,
    )  # fmt: skip
    ingest(account, [item("Gäller återkallelsen min modell?")])
    conversation = Conversation.objects.get()
    assert (conversation.team, conversation.priority) == (Team.COMMUNICATIONS, Priority.URGENT)
    assert conversation.assignee == member("communications-lead")


def test_round_robin_takes_turns_within_the_team(demo, member, account, item) -> None:
    from flokk.teams.models import Membership, Role, User

    colleague = User.objects.create_user("care2@demo.example", "pw-123456789", name="Second Carer")
    membership = Membership.objects.create(organization=demo, user=colleague)
    membership.roles.add(Role.objects.get(organization=demo, key="care-manager"))
    complaints = [
        item(f"Paketet nummer {n} är trasigt och ingen svarar, dålig service", author=f"p{n}")
        for n in range(4)
    ]
    for complaint in complaints:
        ingest(account, [complaint])
    assignees = [c.assignee for c in Conversation.objects.order_by("first_message_at")]
    assert set(assignees) == {member("care-manager"), colleague}
    assert assignees[0] != assignees[1] and assignees[0] == assignees[2]


def test_a_resolved_conversation_reopens_when_the_public_writes_again(account, item) -> None:
    first = item("Hej", minutes_ago=30)
    ingest(account, [first])
    Conversation.objects.update(status=ConversationStatus.RESOLVED, resolved_at=timezone.now())
    ingest(account, [item("En sak till", kind="reply", parent=first)])
    conversation = Conversation.objects.get()
    assert conversation.status in (ConversationStatus.NEW, ConversationStatus.ASSIGNED)
    assert conversation.resolved_at is None
    assert conversation.message_count == 2


def test_assignees_are_notified_once_per_batch(
    demo, member, account, item, django_capture_on_commit_callbacks
) -> None:
    from flokk.core.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        ingest(account, [item(f"Vad kostar paket {n}? Offert tack", author=f"x{n}") for n in range(3)])
    notes = Notification.objects.filter(recipient=member("sales"), action="inbox.assigned")
    assert notes.count() == 1
    assert "3" in notes.get().message
