"""Approval pages: the panel on the post page, the one-time link, and the public signed-link page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from flokk.channels.networks import Network
from flokk.content.services import approval
from flokk.content.services.approval import approve_step, create_approval_link, submit_for_approval
from flokk.content.services.posts import PostInput, create_post


@pytest.fixture
def writer(member):
    return member("copywriter")


@pytest.fixture
def post(demo, writer):
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    return create_post(
        demo, PostInput(account_ids=[sandbox.pk], text="Launch evening on Friday."), actor=writer
    )


def detail(post) -> str:
    return f"/o/demo/posts/{post.pk}/"


def test_submit_and_approve_through_the_post_page(post, writer, member, client_for):
    author = client_for(writer)
    assert "Submit for approval" in author.get(detail(post)).content.decode()
    author.post(detail(post) + "approval/submit/")
    post.refresh_from_db()
    assert post.status == "in_review"
    assert (
        'formaction="' not in author.get(detail(post)).content.decode()
    )  # the author has no verdict buttons
    smm = client_for(member("social-media-manager"))
    page = smm.get(detail(post)).content.decode()
    assert "Request changes" in page and "Quality check" in page
    smm.post(detail(post) + "approval/approve/", {"comment": "<b>fine</b>"})
    post.refresh_from_db()
    assert post.status == "approved"
    assert "&lt;b&gt;fine&lt;/b&gt;" in smm.get(detail(post)).content.decode()


def test_forbidden_decision_on_the_page_changes_nothing(post, writer, client_for, outsider):
    submit_for_approval(post, actor=writer)
    assert client_for(writer).post(detail(post) + "approval/approve/").status_code == 403
    assert client_for(outsider).post(detail(post) + "approval/approve/").status_code == 404
    post.refresh_from_db()
    assert post.status == "in_review"


def test_link_is_shown_once_and_approves_without_an_account(post, writer, member, client_for):
    submit_for_approval(post, actor=writer)
    page = client_for(member("social-media-manager")).post(
        detail(post) + "approval-link/", {"recipient": "Clara Client"}
    )
    url = re.search(r'value="(http[^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    public = Client()
    preview = public.get(url)
    assert preview.status_code == 200 and "Launch evening on Friday." in preview.content.decode()
    assert public.post(url, {"name": "", "decision": "approve"}).status_code == 400
    assert public.post(url, {"name": "Clara", "decision": "approve"}).status_code == 200
    post.refresh_from_db()
    assert post.status == "approved"
    assert public.get(url).status_code == 410  # used


def test_link_request_changes_needs_a_comment(post, writer, member):
    submit_for_approval(post, actor=writer)
    token = create_approval_link(post, recipient="Clara", actor=member("social-media-manager"))
    public = Client()
    assert (
        public.post(f"/approve/{token}/", {"name": "Clara", "decision": "request_changes"}).status_code == 400
    )
    done = public.post(
        f"/approve/{token}/", {"name": "Clara", "decision": "request_changes", "comment": "Wrong date."}
    )
    assert done.status_code == 200
    post.refresh_from_db()
    assert post.status == "changes_requested"


def test_expired_and_tampered_links(post, writer, member, monkeypatch):
    submit_for_approval(post, actor=writer)
    token = create_approval_link(post, recipient="Clara", actor=member("social-media-manager"))
    assert Client().get(f"/approve/{token[:-3]}abc/").status_code == 404
    assert Client().get("/approve/nonsense/").status_code == 404
    monkeypatch.setattr(approval, "LINK_MAX_AGE", -1)
    assert Client().get(f"/approve/{token}/").status_code == 410


def test_only_approvers_create_links(post, writer, client_for):
    submit_for_approval(post, actor=writer)
    assert client_for(writer).post(detail(post) + "approval-link/", {"recipient": "X"}).status_code == 403


def test_edit_page_warns_that_saving_sends_an_approved_post_back(post, writer, member, client_for):
    submit_for_approval(post, actor=writer)
    approve_step(post, actor=member("social-media-manager"))
    page = client_for(writer).get(detail(post) + "edit/")
    assert page.status_code == 200
    assert "data-sends-back" in page.content.decode()
