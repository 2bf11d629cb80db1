"""Demo content: a sandbox account, a campaign and three posts, so the demo shows the whole flow."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from flokk.channels.services.accounts import add_sandbox_account
from flokk.content.choices import ApprovalRule
from flokk.content.services.approval import set_default_workflow
from flokk.content.services.briefs import BriefInput, create_brief, order_brief
from flokk.content.services.campaigns import BudgetLineInput, CampaignInput, create_campaign
from flokk.content.services.posts import PostInput, VariantInput, create_post
from flokk.content.services.production import TaskInput, create_task, move_task
from flokk.teams.models import Membership, Organization, Role, User


def seed_content_demo(organization: Organization) -> None:
    """Seed the demo organization's content (once; does nothing when it already has accounts)."""
    if organization.accounts.exists():
        return
    owner = Membership.objects.filter(organization=organization, is_admin=True).select_related("user").first()
    actor: User | None = owner.user if owner else None
    if actor is None:
        return
    today = timezone.localdate()
    with transaction.atomic():
        seed_approval_demo(organization, actor=actor)
        account = add_sandbox_account(
            organization, handle="demo-sandbox", display_name="Demo (sandbox)", actor=actor
        )
        campaign = create_campaign(
            organization,
            CampaignInput(
                name="Spring launch",
                theme="New season",
                starts_on=today,
                ends_on=today + dt.timedelta(days=30),
                description="Show the new season's range and invite people to the launch evening.",
                objective="Grow engagement rate to 4 % among followers in the region",
                budget_lines=[
                    BudgetLineInput("content_production", Decimal("15000"), note="Photo shoot"),
                    BudgetLineInput("ads", Decimal("8000"), note="Boost the launch video"),
                ],
            ),
            actor=actor,
        )
        texts = [
            (
                "The new season is here! Come to the launch evening on Thursday.",
                "Awareness: reach 10,000 people in the region",
                ("launch", "spring"),
            ),
            (
                "Behind the scenes: how we picked this year's colours.",
                "Engagement: comments and saves",
                ("behindthescenes",),
            ),
            (
                "Question for you: which colour should we make next?",
                "Engagement: at least 30 replies",
                (),
            ),
        ]
        for n, (text, objective, hashtags) in enumerate(texts):
            create_post(
                organization,
                PostInput(
                    account_ids=[account.pk],
                    text=text,
                    objective=objective,
                    campaign_id=campaign.pk,
                    content_type="image" if n == 0 else "text",
                    tags=["launch"] if n == 0 else ["community"],
                    scheduled_at=timezone.now() + dt.timedelta(days=n + 1),
                    variants={"sandbox": VariantInput(text=text, hashtags=hashtags)},
                ),
                actor=actor,
            )
        seed_brief_demo(organization, actor=actor, campaign_id=campaign.pk)


def seed_brief_demo(organization: Organization, *, actor: User, campaign_id: uuid.UUID) -> None:
    """One ordered brief with three tasks on the board: copy done, design in progress, video to do."""
    today = timezone.localdate()
    brief = create_brief(
        organization,
        BriefInput(
            title="Launch evening teaser",
            purpose="Get people to sign up for the launch evening on Thursday.",
            audience="Followers in the region, 25-45, interested in design",
            key_message="The new season is here - see it first on Thursday.",
            networks=["sandbox"],
            campaign_id=campaign_id,
            due_on=today + dt.timedelta(days=3),
            publish_on=today + dt.timedelta(days=5),
        ),
        actor=actor,
    )
    roles = {role.key: role for role in Role.objects.filter(organization=organization)}
    work = [
        ("Write the teaser copy", "copy", "copywriter", ["doing", "review", "done"]),
        ("Design the teaser image", "design", "graphic-designer", ["doing"]),
        ("Cut a 10-second teaser video", "video", "video-producer", []),
    ]
    for offset, (title, kind, role_key, moves) in enumerate(work):
        role = roles.get(role_key)
        holders = Membership.objects.active().filter(organization=organization, roles=role)
        holder = holders.select_related("user").first() if role is not None else None
        task = create_task(
            organization,
            TaskInput(
                title=title,
                kind=kind,
                role_id=role.pk if role is not None else None,
                assignee_id=holder.user.pk if holder is not None else None,
                due_on=today + dt.timedelta(days=offset + 1),
            ),
            actor=actor,
            brief=brief,
        )
        for status in moves:
            move_task(task, status, actor=actor)
    order_brief(brief, actor=actor)


def seed_approval_demo(organization: Organization, *, actor: User | None) -> None:
    """The demo workflow: one step, approved by the social media manager role, without four eyes."""
    role = Role.objects.filter(organization=organization, key="social-media-manager").first()
    if role is None or organization.approval_workflows.exists():
        return
    set_default_workflow(
        organization, [("Social media manager", role, None, ApprovalRule.ANY)], four_eyes=False, actor=actor
    )
