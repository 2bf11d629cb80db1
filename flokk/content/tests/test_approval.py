"""Approvals: the state machine, who may decide, any/all, four eyes, signed links, audit and notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from flokk.channels.networks import Network
from flokk.content.choices import ApprovalRule, PostStatus
from flokk.content.models import ApprovalRound, Post
from flokk.content.services import approval
from flokk.content.services.approval import (
    ApprovalConflict,
    ApprovalLinkExpired,
    ApprovalLinkInvalid,
    approve_step,
    create_approval_link,
    reject,
    request_changes,
    resolve_approval_link,
    set_default_workflow,
    submit_for_approval,
)
from flokk.content.services.posts import PostInput, create_post, update_post
from flokk.core.models import AuditEntry, Notification
from flokk.teams.choices import BUILTIN_ROLES, Area, Level
from flokk.teams.models import Role

ALL_ROLES = sorted(BUILTIN_ROLES)


def production_level(role_key: str) -> int:
    return int(BUILTIN_ROLES[role_key][2].get(Area.PRODUCTION, Level.NONE))


@pytest.fixture
def writer(member):
    return member("copywriter")


@pytest.fixture
def approver(member):
    return member("social-media-manager")


@pytest.fixture
def sandbox(demo):
    return demo.accounts.get(network=Network.SANDBOX)


@pytest.fixture
def make_post(demo, writer, sandbox):
    def make(text: str = "Spring is here, come and see the new range.", **kwargs) -> Post:
        return create_post(demo, PostInput(account_ids=[sandbox.pk], text=text, **kwargs), actor=writer)

    return make


@pytest.fixture
def in_review(make_post, writer):
    post = make_post()
    submit_for_approval(post, actor=writer)
    post.refresh_from_db()
    return post


def role(demo, key: str) -> Role:
    return Role.objects.get(organization=demo, key=key)


# --- demo workflow ----------------------------------------------------------------------------------
def test_demo_workflow_is_one_step_by_social_media_manager_without_four_eyes(demo):
    workflow = demo.approval_workflows.get(campaign__isnull=True)
    steps = list(workflow.steps.all())
    assert workflow.four_eyes is False
    assert [(s.role.key, s.rule) for s in steps] == [("social-media-manager", ApprovalRule.ANY)]


# --- the happy path ---------------------------------------------------------------------------------
def test_submit_then_approve_without_time_waits_as_approved(in_review, approver):
    assert in_review.status == PostStatus.IN_REVIEW
    approve_step(in_review, actor=approver)
    in_review.refresh_from_db()
    assert in_review.status == PostStatus.APPROVED


def test_post_with_time_becomes_scheduled_on_last_step(make_post, writer, approver):
    post = make_post(scheduled_at=timezone.now() + dt.timedelta(days=3))
    submit_for_approval(post, actor=writer)
    approve_step(post, actor=approver)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_request_changes_then_resubmit_opens_a_new_round(in_review, writer, approver):
    request_changes(in_review, actor=approver, comment="Shorter, please.")
    in_review.refresh_from_db()
    assert in_review.status == PostStatus.CHANGES_REQUESTED
    assert in_review.approval_comments.get().text == "Shorter, please."
    submit_for_approval(in_review, actor=writer)
    assert in_review.approval_rounds.count() == 2
    assert in_review.approval_rounds.filter(status="open").count() == 1


def test_request_changes_needs_a_comment(in_review, approver):
    with pytest.raises(ValidationError):
        request_changes(in_review, actor=approver, comment="  ")
    in_review.refresh_from_db()
    assert in_review.status == PostStatus.IN_REVIEW


def test_rejected_post_cannot_be_resubmitted(in_review, writer, approver):
    reject(in_review, actor=approver, comment="Off brand.")
    in_review.refresh_from_db()
    assert in_review.status == PostStatus.REJECTED
    with pytest.raises(ApprovalConflict):
        submit_for_approval(in_review, actor=writer)


@pytest.mark.parametrize("status", [PostStatus.IN_REVIEW, PostStatus.APPROVED, PostStatus.SCHEDULED])
def test_editing_sends_the_post_back_to_draft(make_post, writer, approver, sandbox, status):
    post = make_post(scheduled_at=timezone.now() + dt.timedelta(days=3) if status == "scheduled" else None)
    submit_for_approval(post, actor=writer)
    if status != PostStatus.IN_REVIEW:
        approve_step(post, actor=approver)
    post.refresh_from_db()
    assert post.status == status
    update_post(post, PostInput(account_ids=[sandbox.pk], text="Changed after review."), actor=writer)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert not post.approval_rounds.filter(status="open").exists()
    assert AuditEntry.objects.filter(action="content.post.sent_back", target_id=str(post.pk)).exists()
    submit_for_approval(post, actor=writer)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW


def test_invalid_transitions_conflict(make_post, in_review, writer, approver):
    draft = make_post()
    with pytest.raises(ApprovalConflict):
        approve_step(draft, actor=approver)
    with pytest.raises(ApprovalConflict):
        submit_for_approval(in_review, actor=writer)


def test_check_errors_block_submit_and_warnings_do_not(make_post, writer):
    empty = make_post(text="")
    with pytest.raises(ValidationError) as caught:
        submit_for_approval(empty, actor=writer)
    assert caught.value.code == "check_errors"
    empty.refresh_from_db()
    assert empty.status == PostStatus.DRAFT


# --- who may decide (table-driven over the built-in roles) ------------------------------------------
@pytest.mark.parametrize("role_key", ALL_ROLES)
def test_who_may_approve_the_demo_step(in_review, member, role_key):
    may = role_key == "social-media-manager"
    if may:
        approve_step(in_review, actor=member(role_key))
        in_review.refresh_from_db()
        assert in_review.status == PostStatus.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            approve_step(in_review, actor=member(role_key))
        in_review.refresh_from_db()
        assert in_review.status == PostStatus.IN_REVIEW


@pytest.mark.parametrize("role_key", ALL_ROLES)
def test_a_role_step_needs_production_approve(demo, make_post, writer, member, role_key):
    set_default_workflow(demo, [("Own role", role(demo, role_key), None, "any")], four_eyes=False, actor=None)
    post = make_post()
    submit_for_approval(post, actor=writer)
    if production_level(role_key) >= Level.APPROVE:
        request_changes(post, actor=member(role_key), comment="Needs a hook.")
        post.refresh_from_db()
        assert post.status == PostStatus.CHANGES_REQUESTED
    else:
        with pytest.raises(PermissionDenied):
            request_changes(post, actor=member(role_key), comment="Needs a hook.")


def test_agency_user_and_outsider_may_not_approve(in_review, agency_user, outsider):
    for person in (agency_user, outsider):
        with pytest.raises(PermissionDenied):
            approve_step(in_review, actor=person)


# --- any / all, four eyes, several steps ------------------------------------------------------------
def test_all_rule_waits_for_every_eligible_approver(demo, make_post, writer, member):
    smm = role(demo, "social-media-manager")
    head = member("head-of-social")
    head.memberships.get(organization=demo).roles.add(smm)
    set_default_workflow(demo, [("Both", smm, None, "all")], four_eyes=False, actor=None)
    post = make_post()
    submit_for_approval(post, actor=writer)
    approve_step(post, actor=member("social-media-manager"))
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    approve_step(post, actor=head)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


def test_any_rule_passes_on_the_first_approval(demo, make_post, writer, member):
    smm = role(demo, "social-media-manager")
    member("head-of-social").memberships.get(organization=demo).roles.add(smm)
    post = make_post()
    submit_for_approval(post, actor=writer)
    approve_step(post, actor=member("social-media-manager"))
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED


@pytest.mark.parametrize("four_eyes", [True, False])
def test_four_eyes_keeps_authors_from_approving(demo, sandbox, member, four_eyes):
    author = member("social-media-manager")
    set_default_workflow(
        demo, [("SMM", role(demo, "social-media-manager"), None, "any")], four_eyes=four_eyes, actor=None
    )
    post = create_post(demo, PostInput(account_ids=[sandbox.pk], text="My own post."), actor=author)
    submit_for_approval(post, actor=author)
    if four_eyes:
        with pytest.raises(PermissionDenied):
            approve_step(post, actor=author)
    else:
        approve_step(post, actor=author)
        post.refresh_from_db()
        assert post.status == PostStatus.APPROVED


def test_steps_run_in_order_and_notify_each_steps_approvers(
    demo, make_post, writer, member, django_capture_on_commit_callbacks
):
    head = member("head-of-social")
    set_default_workflow(
        demo,
        [("SMM", role(demo, "social-media-manager"), None, "any"), ("Head", None, head, "any")],
        four_eyes=True,
        actor=None,
    )
    post = make_post()
    with django_capture_on_commit_callbacks(execute=True):
        submit_for_approval(post, actor=writer)
    assert Notification.objects.filter(recipient=member("social-media-manager")).exists()
    assert not Notification.objects.filter(recipient=head).exists()
    with pytest.raises(PermissionDenied):
        approve_step(post, actor=head)  # not their step yet
    with django_capture_on_commit_callbacks(execute=True):
        approve_step(post, actor=member("social-media-manager"))
    assert Notification.objects.filter(recipient=head, action="content.approval.step_opened").exists()
    with django_capture_on_commit_callbacks(execute=True):
        approve_step(post, actor=head)
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    approved = Notification.objects.get(recipient=writer, action="content.post.approved")
    # The notification leads to the post itself.
    assert approved.url == f"/o/{demo.slug}/posts/{post.pk}/"


@pytest.mark.parametrize(
    ("decide", "action"),
    [
        (lambda post, who: request_changes(post, actor=who, comment="No."), "content.post.changes_requested"),
        (lambda post, who: reject(post, actor=who, comment="No."), "content.post.rejected"),
    ],
)
def test_author_is_notified_of_a_verdict(
    in_review, writer, approver, decide, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decide(in_review, approver)
    assert Notification.objects.filter(recipient=writer, action=action).exists()


def test_audit_log_records_the_whole_flow(in_review, approver, demo):
    approve_step(in_review, actor=approver)
    actions = list(
        AuditEntry.objects.filter(organization=demo, target_id=str(in_review.pk))
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    for expected in (
        "content.post.submitted",
        "content.approval.step_opened",
        "content.approval.step_approved",
        "content.post.approved",
    ):
        assert expected in actions


# --- signed links -----------------------------------------------------------------------------------
def test_approve_through_a_signed_link(in_review, approver):
    token = create_approval_link(in_review, recipient="Clara Client", actor=approver)
    link = resolve_approval_link(token)
    approve_step(in_review, external="Clara Client", link=link)
    in_review.refresh_from_db()
    assert in_review.status == PostStatus.APPROVED
    decision = ApprovalRound.objects.get(post=in_review).decisions.get()
    assert (decision.approver, decision.external_label) == (None, "Clara Client")
    assert AuditEntry.objects.filter(action="content.approval.link_created").exists()


def test_link_is_single_use(demo, make_post, writer, approver):
    set_default_workflow(
        demo, [("SMM", role(demo, "social-media-manager"), None, "all")], four_eyes=False, actor=None
    )
    post = make_post()
    submit_for_approval(post, actor=writer)
    token = create_approval_link(post, recipient="Clara", actor=approver)
    link = resolve_approval_link(token)
    approve_step(post, external="Clara", link=link)  # "all": recorded, the step stays open
    with pytest.raises(ApprovalLinkExpired):
        resolve_approval_link(token)
    with pytest.raises(ApprovalLinkExpired):
        approve_step(post, external="Clara", link=link)


def test_expired_link(in_review, approver, monkeypatch):
    token = create_approval_link(in_review, recipient="Clara", actor=approver)
    monkeypatch.setattr(approval, "LINK_MAX_AGE", -1)
    with pytest.raises(ApprovalLinkExpired):
        resolve_approval_link(token)


@pytest.mark.parametrize(
    "mangle", [lambda t: t[:-2] + "xx", lambda t: "x" + t, lambda t: "", lambda t: "a:b:c"]
)
def test_tampered_link(in_review, approver, mangle):
    token = create_approval_link(in_review, recipient="Clara", actor=approver)
    with pytest.raises(ApprovalLinkInvalid):
        resolve_approval_link(mangle(token))


def test_link_for_a_step_that_moved_on_is_expired(in_review, approver):
    token = create_approval_link(in_review, recipient="Clara", actor=approver)
    approve_step(in_review, actor=approver)
    with pytest.raises(ApprovalLinkExpired):
        resolve_approval_link(token)
