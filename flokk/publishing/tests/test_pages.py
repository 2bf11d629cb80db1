"""The publishing page: who may see it, who may pull the switch, and what it shows."""

from __future__ import annotations

import pytest

from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.publishing.models import PublishingPause

pytestmark = pytest.mark.django_db


def page(demo) -> str:
    return f"/o/{demo.slug}/publishing/"


def test_members_see_the_page_outsiders_get_404(demo, member, outsider, client_for):
    response = client_for(member("copywriter")).get(page(demo))
    assert response.status_code == 200
    assert "Pause all publishing" not in response.content.decode()  # may see, may not pull
    assert client_for(outsider).get(page(demo)).status_code == 404


def test_the_switch_is_pulled_with_a_reason_and_lifted(demo, member, client_for):
    client = client_for(member("social-media-manager"))
    assert client.post(page(demo) + "pause/", {"reason": ""}).status_code == 400
    assert not PublishingPause.objects.exists()
    response = client.post(page(demo) + "pause/", {"reason": "<b>Kris</b> i kommunen"}, follow=True)
    body = response.content.decode()
    assert "Publishing is paused." in body
    assert "&lt;b&gt;Kris&lt;/b&gt; i kommunen" in body  # the reason is shown, escaped
    client.post(page(demo) + "resume/")
    assert PublishingPause.objects.get().lifted_at is not None


def test_a_member_without_the_right_cannot_pull_the_switch(demo, member, client_for):
    assert client_for(member("copywriter")).post(page(demo) + "pause/", {"reason": "x"}).status_code == 403
    assert not PublishingPause.objects.exists()


def test_publish_now_button_sends_an_approved_post(demo, member, client_for, due_post):
    post = due_post()
    Post.objects.filter(pk=post.pk).update(status=PostStatus.APPROVED, scheduled_at=None)
    url = f"/o/{demo.slug}/posts/{post.pk}/publish-now/"
    assert client_for(member("copywriter")).post(url).status_code == 403
    client_for(member("social-media-manager")).post(url)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.scheduled_at is not None
