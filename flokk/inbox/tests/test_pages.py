"""The inbox pages: list, filters, a conversation, and acting on it, in the browser's terms (no JS)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flokk.inbox.choices import ConversationStatus, OutboundStatus
from flokk.inbox.models import Conversation, Message, Note, SavedReply
from flokk.inbox.services.ingest import ingest

pytestmark = pytest.mark.django_db
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>\u202egnp.exe'


@pytest.fixture
def stored(account, item) -> list:
    items = [
        item(
            "Hva skjer? Pakken min har fortsatt ikke kommet. Helt forferdelig service 😡",
            author="ola",
            minutes_ago=3,
        ),
        item("Vad kostar det? Offert tack", author="eva", minutes_ago=2),
        item(XSS, author="mallory", minutes_ago=1),
    ]
    ingest(account, items)
    return items


def inbox_url(**query: str) -> str:
    url = reverse("inbox:index", args=["demo"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_inbox_lists_open_conversations_and_filters_them(client_for, member, stored) -> None:
    client = client_for(member("community-manager"))
    page = client.get(inbox_url()).content.decode()
    assert "Helt forferdelig service" in page and "Vad kostar det?" in page
    negative = client.get(inbox_url(sentiment="negative")).content.decode()
    assert "Helt forferdelig" in negative and "Vad kostar" not in negative
    sales = client.get(inbox_url(team="sales")).content.decode()
    assert "Vad kostar" in sales and "Helt forferdelig" not in sales
    # Malformed filters are ignored, not an error.
    assert (
        client.get(inbox_url(account="not-a-uuid", status="bogus", before="2026-99-99T00:00")).status_code
        == 200
    )


def test_the_list_refreshes_as_an_htmx_fragment(client_for, member, stored) -> None:
    response = client_for(member("community-manager")).get(inbox_url(), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and "conversation-row" in body


def test_text_from_the_public_is_escaped_everywhere(client_for, member, stored) -> None:
    client = client_for(member("community-manager"))
    conversation = Conversation.objects.get(contact__handle="mallory@example.social")
    for url in (inbox_url(), reverse("inbox:conversation", args=["demo", conversation.pk])):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body


def test_a_conversation_page_answers_tags_notes_and_resolves(client_for, member, stored, network) -> None:
    client = client_for(member("community-manager"))
    conversation = Conversation.objects.get(contact__handle="ola@example.social")
    base = ["demo", conversation.pk]
    assert client.get(reverse("inbox:conversation", args=base)).status_code == 200
    client.post(reverse("inbox:reply", args=base), {"text": "Beklager! Vi ser på det nå."})
    answer = Message.objects.get(direction="out")
    assert answer.status == OutboundStatus.QUEUED and answer.sent_by == member("community-manager")
    client.post(reverse("inbox:tags", args=base), {"tags": "levering, vip"})
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["levering", "vip"]
    client.post(reverse("inbox:note", args=base), {"text": "Kunden har ringt också."})
    assert Note.objects.filter(conversation=conversation).count() == 1
    client.post(reverse("inbox:status", args=base), {"status": "resolved"})
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED


def test_an_empty_answer_is_refused_with_a_message(client_for, member, stored) -> None:
    conversation = Conversation.objects.first()
    response = client_for(member("community-manager")).post(
        reverse("inbox:reply", args=["demo", conversation.pk]), {"text": ""}
    )
    assert response.status_code == 400
    assert not Message.objects.filter(direction="out").exists()


def test_assign_to_me_and_to_someone_else(client_for, member, stored) -> None:
    conversation = Conversation.objects.get(contact__handle="ola@example.social")
    client = client_for(member("care-manager"))
    client.post(reverse("inbox:assign", args=["demo", conversation.pk]), {"me": "1"})
    conversation.refresh_from_db()
    assert conversation.assignee == member("care-manager")
    client.post(
        reverse("inbox:assign", args=["demo", conversation.pk]),
        {"assignee": str(member("customer-support").pk), "team": "support"},
    )
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (member("customer-support"), "support")


def test_saved_replies_are_offered_in_the_conversation_language(client_for, member, demo, stored) -> None:
    SavedReply.objects.create(organization=demo, title="Sorry", text_en="We are sorry", text_nb="Vi beklager")
    conversation = Conversation.objects.get(contact__handle="ola@example.social")
    body = (
        client_for(member("community-manager"))
        .get(reverse("inbox:conversation", args=["demo", conversation.pk]))
        .content.decode()
    )
    assert "Vi beklager" in body


def test_who_sees_and_who_acts(client_for, member, outsider, stored) -> None:
    conversation = Conversation.objects.first()
    assert client_for(member("graphic-designer")).get(inbox_url()).status_code == 403
    assert client_for(outsider).get(inbox_url()).status_code == 404
    analyst = client_for(member("analyst"))
    assert analyst.get(inbox_url()).status_code == 200
    assert (
        analyst.post(reverse("inbox:reply", args=["demo", conversation.pk]), {"text": "Hej"}).status_code
        == 403
    )


def test_crisis_room_leads_ambassadors_and_report_render(client_for, member, stored) -> None:
    client = client_for(member("community-manager"))
    for name in ("crisis", "leads", "ambassadors", "report"):
        assert client.get(reverse(f"inbox:{name}", args=["demo"])).status_code == 200
    csv = client.get(reverse("inbox:leads", args=["demo"]) + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Vad kostar det?" in csv.content.decode()
    client.post(reverse("inbox:crisis_start", args=["demo"]), {"reason": "Recall"})
    assert "Recall" in client.get(reverse("inbox:crisis", args=["demo"])).content.decode()
    client.post(reverse("inbox:crisis_lift", args=["demo"]))
