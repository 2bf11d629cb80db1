"""The approval workflow settings page and the per-campaign override."""

from __future__ import annotations

import pytest

from flokk.channels.networks import Network
from flokk.content.models import ApprovalWorkflow, Campaign
from flokk.content.services.approval import approve_step, submit_for_approval
from flokk.content.services.posts import PostInput, create_post
from flokk.teams.choices import BUILTIN_ROLES, Area, Level
from flokk.teams.models import Role

PAGE = "/o/demo/approval-workflow/"


def may_configure(role_key: str) -> bool:
    levels = BUILTIN_ROLES[role_key][2]
    return role_key == "head-of-social" or levels.get(Area.PRODUCTION_MANAGEMENT, Level.NONE) >= Level.MANAGE


@pytest.mark.parametrize("role_key", sorted(BUILTIN_ROLES))
def test_who_may_open_the_settings(demo, member, client_for, role_key):
    status = client_for(member(role_key)).get(PAGE).status_code
    assert status == (200 if may_configure(role_key) else 403)


def test_outsider_and_agency(demo, outsider, agency_user, client_for):
    assert client_for(outsider).get(PAGE).status_code == 404
    assert client_for(agency_user).get(PAGE).status_code == 403


def test_add_reorder_remove_and_four_eyes(demo, member, client_for):
    client = client_for(member("head-of-social"))
    legal = Role.objects.get(organization=demo, key="communications-lead")
    client.post(PAGE, {"action": "add", "name": "Legal", "role": legal.pk, "rule": "all"})
    workflow = ApprovalWorkflow.objects.get(organization=demo, campaign=None)
    assert [s.name for s in workflow.steps.all()] == ["Social media manager", "Legal"]
    legal_step = workflow.steps.get(name="Legal")
    client.post(PAGE, {"action": "up", "step": legal_step.pk})
    assert [s.name for s in workflow.steps.all()] == ["Legal", "Social media manager"]
    client.post(PAGE, {"action": "four_eyes", "four_eyes": "on"})
    workflow.refresh_from_db()
    assert workflow.four_eyes is True
    client.post(PAGE, {"action": "remove", "step": legal_step.pk})
    assert [s.name for s in workflow.steps.all()] == ["Social media manager"]
    assert client.post(PAGE, {"action": "add", "name": "Nobody", "rule": "any"}).status_code == 302
    assert workflow.steps.count() == 1
    assert client.post(PAGE, {"action": "remove", "step": "not-a-uuid"}).status_code in (302, 404)


def test_campaign_workflow_overrides_the_default(demo, member, client_for):
    campaign = Campaign.objects.for_org(demo).first()
    head = member("head-of-social")
    client_for(head).post(
        f"{PAGE}?campaign={campaign.pk}", {"action": "add", "name": "Head", "user": head.pk, "rule": "any"}
    )
    writer = member("copywriter")
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    post = create_post(
        demo,
        PostInput(account_ids=[sandbox.pk], text="Campaign post.", campaign_id=campaign.pk),
        actor=writer,
    )
    submit_for_approval(post, actor=writer)
    approve_step(post, actor=head)
    post.refresh_from_db()
    assert post.status == "approved"
