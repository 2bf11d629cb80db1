"""Answers: queued, approved when the organization asks, sent once in the right thread."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flokk.channels.connectors.base import ConnectorError
from flokk.core.errors import Conflict
from flokk.core.models import AuditEntry
from flokk.inbox.choices import ConversationStatus, OutboundStatus
from flokk.inbox.models import Conversation, InboxSettings, Message
from flokk.inbox.services.ingest import ingest
from flokk.inbox.services.replies import AnswerInvalid, approve_answer, send_due_answers, write_answer
from flokk.inbox.services.sla import SlaClock
from flokk.teams.permissions import resolve_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(account, item) -> Conversation:
    question = item("Hej! När öppnar ni på lördag?", thread_id="root-1", remote_id="q-1")
    ingest(account, [question])
    return Conversation.objects.get()


def access_of(member, role: str, demo):  # type: ignore[no-untyped-def]
    return resolve_access(member(role), demo)


def test_an_answer_is_sent_once_as_a_reply_to_the_message(network, demo, member, conversation) -> None:
    answer = write_answer(access_of(member, "community-manager", demo), conversation, "Vi öppnar kl. 10!")
    assert answer.status == OutboundStatus.QUEUED
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.WAITING
    assert conversation.first_responded_at is not None
    waited = SlaClock.for_org(demo).response_time(
        conversation.priority, conversation.first_message_at, conversation.first_responded_at
    )
    assert conversation.first_response_minutes == waited.total_seconds() / 60  # what reports count
    assert send_due_answers() == 1
    assert send_due_answers() == 0  # nothing left: sent exactly once
    [(target, text, key)] = network.replies
    assert (target.remote_id, target.thread_id, text) == ("q-1", "root-1", "Vi öppnar kl. 10!")
    assert target.reply_ref == {"cid": "c-q-1"}
    assert key == answer.idempotency_key
    answer.refresh_from_db()
    assert (answer.status, answer.remote_id) == (OutboundStatus.SENT, f"answer-{key}")
    assert AuditEntry.objects.filter(action="inbox.answer.written").exists()


def test_a_temporary_failure_is_retried_with_the_same_key_and_a_permanent_one_stops(
    network, demo, member, conversation
) -> None:
    answer = write_answer(access_of(member, "community-manager", demo), conversation, "Svar")
    network.reply_errors.append(ConnectorError("Bad gateway", status_code=502))
    send_due_answers()
    answer.refresh_from_db()
    assert answer.status == OutboundStatus.QUEUED and "Bad gateway" in answer.error
    assert send_due_answers() == 0  # waits a minute before the next try
    send_due_answers(now=timezone.now() + dt.timedelta(minutes=2))
    answer.refresh_from_db()
    assert answer.status == OutboundStatus.SENT
    assert [key for _t, _x, key in network.replies] == [answer.idempotency_key]

    second = write_answer(access_of(member, "community-manager", demo), conversation, "Svar två")
    network.reply_errors.append(ConnectorError("Status not found", permanent=True, status_code=404))
    send_due_answers()
    second.refresh_from_db()
    assert second.status == OutboundStatus.FAILED and "not found" in second.error


def test_a_worker_that_died_while_sending_is_taken_over(network, demo, member, conversation) -> None:
    answer = write_answer(access_of(member, "community-manager", demo), conversation, "Svar")
    Message.objects.filter(pk=answer.pk).update(
        status=OutboundStatus.SENDING, lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    send_due_answers()
    answer.refresh_from_db()
    assert answer.status == OutboundStatus.SENT


def test_junior_answers_wait_for_approval_when_the_organization_asks(
    network, demo, member, conversation
) -> None:
    InboxSettings.objects.update_or_create(organization=demo, defaults={"replies_need_approval": True})
    junior = access_of(member, "customer-support", demo)  # community.work, not approve
    answer = write_answer(junior, conversation, "Vi öppnar kl. 10")
    assert answer.status == OutboundStatus.PENDING_APPROVAL
    assert send_due_answers() == 0
    conversation.refresh_from_db()
    assert conversation.first_responded_at is None
    with pytest.raises(Exception):  # noqa: B017 (PermissionDenied)
        approve_answer(junior, answer)
    approve_answer(access_of(member, "community-manager", demo), answer)
    assert send_due_answers() == 1
    with pytest.raises(Conflict):
        approve_answer(access_of(member, "community-manager", demo), answer)
    # Someone who may approve is not held.
    assert (
        write_answer(access_of(member, "care-manager", demo), conversation, "Ok").status
        == OutboundStatus.QUEUED
    )


def test_answers_that_cannot_be_sent_are_refused_before_anything_is_stored(
    demo, member, conversation
) -> None:
    manager = access_of(member, "community-manager", demo)
    with pytest.raises(AnswerInvalid):
        write_answer(manager, conversation, "   ")
    with pytest.raises(AnswerInvalid):
        write_answer(manager, conversation, "x" * 600)  # Mastodon allows 500
    assert not Message.objects.filter(direction="out").exists()


def test_people_without_community_work_cannot_answer(demo, member, conversation) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        write_answer(access_of(member, "graphic-designer", demo), conversation, "Hej")


def test_the_public_answering_our_answer_stays_in_the_conversation(
    network, demo, member, account, conversation, item
) -> None:
    write_answer(access_of(member, "community-manager", demo), conversation, "Kl. 10!")
    send_due_answers()
    ours = Message.objects.get(direction="out")
    back = item("Tack!", kind="reply", thread_id="root-1", remote_id="q-2")
    back = back.__class__(**{**back.__dict__, "parent_id": ours.remote_id})
    ingest(account, [back])
    assert Conversation.objects.count() == 1
    conversation.refresh_from_db()
    assert conversation.message_count == 2  # the public's two messages (answers are not counted)
