"""The inbox API: the issue's endpoints, their permissions and their errors."""

from __future__ import annotations

import pytest

from flokk.inbox.models import Conversation, Message
from flokk.inbox.services.ingest import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(account, item) -> list:
    items = [
        item("Helt forferdelig, pakken kom aldri 😡", author="ola"),
        item("Tack, ni är bäst! ❤️", author="eva"),
    ]
    ingest(account, items)
    return items


def url(path: str) -> str:
    return f"/api/v1/orgs/demo/{path}"


def test_messages_of_an_account_carry_the_contract_fields(api_for, member, account, stored) -> None:
    response = api_for(member("community-manager")).get(url(f"inbox/messages?account_id={account.pk}"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 2
    first = next(i for i in items if i["text"].startswith("Helt"))
    assert first["author_handle"] == "ola@example.social"
    assert first["sentiment"]["label"] == "negative" and -1 <= first["sentiment"]["score"] < 0
    assert {"id", "conversation_id", "intent", "received_at"} <= set(first)
    assert Conversation.objects.filter(pk=first["conversation_id"]).exists()


def test_messages_page_by_time(api_for, member, account, item) -> None:
    ingest(account, [item(f"Meddelande {n}", author=f"p{n}", minutes_ago=n) for n in range(5)])
    client = api_for(member("community-manager"))
    first = client.get(url("inbox/messages?limit=3")).json()
    assert len(first["items"]) == 3 and first["next_before"]
    rest = client.get(url("inbox/messages"), {"limit": 3, "before": first["next_before"]}).json()
    assert len(rest["items"]) == 2 and rest["next_before"] is None


def test_assign_reply_resolve(api_for, member, stored, network) -> None:
    client = api_for(member("community-manager"))
    conversation = client.get(url("conversations?sentiment=negative")).json()["items"][0]
    cid = conversation["id"]
    assigned = client.post(
        url(f"conversations/{cid}/assign"),
        {"assignee": member("care-manager").email},
        content_type="application/json",
    )
    assert assigned.status_code == 200 and assigned.json()["assignee"] == member("care-manager").email
    answer = client.post(
        url(f"conversations/{cid}/reply"),
        {"text": "Beklager! Vi ser på det."},
        content_type="application/json",
    )
    assert answer.status_code == 202
    assert answer.json()["direction"] == "out" and answer.json()["status"] == "queued"
    resolved = client.post(url(f"conversations/{cid}/resolve"))
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    detail = client.get(url(f"conversations/{cid}")).json()
    assert [m["direction"] for m in detail["messages"]] == ["in", "out"]


def test_bad_requests_get_clear_errors_and_change_nothing(api_for, member, stored) -> None:
    client = api_for(member("community-manager"))
    cid = Conversation.objects.first().pk
    assert (
        client.post(
            url(f"conversations/{cid}/reply"), {"text": ""}, content_type="application/json"
        ).status_code
        == 422
    )
    assert (
        client.post(
            url(f"conversations/{cid}/reply"), {"text": "a\x00b"}, content_type="application/json"
        ).status_code
        == 422
    )
    too_long = client.post(
        url(f"conversations/{cid}/reply"), {"text": "x" * 600}, content_type="application/json"
    )
    assert too_long.status_code == 409 and too_long.json()["error"]["code"] == "invalid_answer"
    unknown = client.post(
        url(f"conversations/{cid}/assign"), {"assignee": "nobody@x.example"}, content_type="application/json"
    )
    assert unknown.status_code == 409
    outsider = client.post(
        url(f"conversations/{cid}/assign"),
        {"assignee": "outsider@other.example"},
        content_type="application/json",
    )
    assert outsider.status_code == 409
    assert client.get(url("conversations/00000000-0000-0000-0000-000000000000")).status_code == 404
    assert not Message.objects.filter(direction="out").exists()


def test_permissions(api_for, member, outsider, stored) -> None:
    cid = Conversation.objects.first().pk
    designer = api_for(member("graphic-designer"))  # no community area
    assert designer.get(url("inbox/messages")).status_code == 403
    analyst = api_for(member("analyst"))  # may look, not act
    assert analyst.get(url("conversations")).status_code == 200
    assert analyst.post(url(f"conversations/{cid}/resolve")).status_code == 403
    assert api_for(outsider).get(url("conversations")).status_code == 404


def test_moderation_through_the_connector(api_for, member, stored, network) -> None:
    message = Message.objects.first()
    client = api_for(member("community-manager"))
    assert client.post(url(f"inbox/messages/{message.pk}/hide")).status_code == 200
    assert network.moderated == [("hide", message.remote_id)]
    message.refresh_from_db()
    assert message.hidden_at is not None
    support = api_for(member("customer-support"))  # hiding needs community.approve
    assert support.post(url(f"inbox/messages/{message.pk}/delete")).status_code == 403


def test_crisis_switch(api_for, member) -> None:
    client = api_for(member("community-manager"))
    started = client.post(url("crisis/start"), {"reason": "Recall"}, content_type="application/json")
    assert started.status_code == 201
    assert (
        client.post(url("crisis/start"), {"reason": "Again"}, content_type="application/json").status_code
        == 409
    )
    assert client.get(url("publishing")).json()["paused"] is True
    assert client.post(url("crisis/lift")).status_code == 200
    assert client.get(url("publishing")).json()["paused"] is False
    assert client.post(url("crisis/lift")).status_code == 409
