"""Publishing API: the crisis switch, publish now and deliveries, for who may, who may not and outsiders."""

from __future__ import annotations

import pytest

from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.core.models import AuditEntry
from flokk.publishing.dispatcher import dispatch_until_idle

pytestmark = pytest.mark.django_db(transaction=True)


def url(demo, path: str) -> str:
    return f"/api/v1/orgs/{demo.slug}/{path}"


@pytest.mark.parametrize("role", ["social-media-manager", "community-manager"])
def test_the_crisis_switch_can_be_pulled_and_lifted_by_administration_and_community_leads(
    demo, member, api_for, role
):
    api = api_for(member(role))
    response = api.post(url(demo, "publishing/pause"), {"reason": "Kris"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["paused"] is True
    assert response.json()["reason"] == "Kris"
    again = api.post(url(demo, "publishing/pause"), {"reason": "Igen"}, content_type="application/json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_paused"
    resumed = api.post(url(demo, "publishing/resume"), {}, content_type="application/json")
    assert resumed.status_code == 200
    assert resumed.json()["paused"] is False
    entry = AuditEntry.objects.get(action="publishing.organization.paused")
    assert (entry.actor, entry.data["reason"]) == (member(role), "Kris")


def test_others_may_see_the_switch_but_not_pull_it_and_outsiders_get_404(demo, member, outsider, api_for):
    copywriter = api_for(member("copywriter"))
    assert copywriter.get(url(demo, "publishing")).json()["paused"] is False
    denied = copywriter.post(url(demo, "publishing/pause"), {"reason": "x"}, content_type="application/json")
    assert denied.status_code == 403
    hidden = api_for(outsider).post(
        url(demo, "publishing/pause"), {"reason": "x"}, content_type="application/json"
    )
    assert hidden.status_code == 404
    assert api_for(outsider).get(url(demo, "publishing")).status_code == 404


def test_a_pause_needs_a_reason(demo, member, api_for):
    response = api_for(member("social-media-manager")).post(
        url(demo, "publishing/pause"), {"reason": ""}, content_type="application/json"
    )
    assert response.status_code == 422


def test_an_account_can_be_paused_alone(demo, member, api_for, account):
    api = api_for(member("social-media-manager"))
    response = api.post(
        url(demo, f"accounts/{account.pk}/pause"), {"reason": "Granskas"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert [a["account_id"] for a in response.json()["paused_accounts"]] == [str(account.pk)]
    assert api.post(url(demo, f"accounts/{account.pk}/resume")).status_code == 200
    assert api.post(url(demo, f"accounts/{account.pk}/resume")).status_code == 409


def test_publish_now_sends_an_approved_post_and_shows_its_deliveries(
    network, due_post, demo, member, api_for, outsider
):
    post = due_post()
    Post.objects.filter(pk=post.pk).update(status=PostStatus.APPROVED, scheduled_at=None)
    assert api_for(member("copywriter")).post(url(demo, f"posts/{post.pk}/publish-now")).status_code == 403
    assert api_for(outsider).post(url(demo, f"posts/{post.pk}/publish-now")).status_code == 404
    api = api_for(member("social-media-manager"))
    response = api.post(url(demo, f"posts/{post.pk}/publish-now"))
    assert response.status_code == 200
    assert response.json()["status"] == PostStatus.SCHEDULED
    dispatch_until_idle("w1")
    deliveries = api.get(url(demo, f"posts/{post.pk}/deliveries")).json()
    assert [(d["status"], d["remote_id"], d["attempts"]) for d in deliveries] == [("published", "id-0", 1)]
    assert deliveries[0]["attempt_log"][0]["outcome"] == "published"
    # Published is final: publishing it again is a conflict.
    assert api.post(url(demo, f"posts/{post.pk}/publish-now")).status_code == 409


def test_a_draft_cannot_be_published_now(due_post, demo, member, api_for):
    post = due_post()
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    response = api_for(member("social-media-manager")).post(url(demo, f"posts/{post.pk}/publish-now"))
    assert response.status_code == 409
