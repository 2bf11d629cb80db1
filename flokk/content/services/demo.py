"""Demo content: a sandbox account, a campaign and three posts, so the demo shows the whole flow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from flokk.channels.services.accounts import add_sandbox_account
from flokk.content.choices import ApprovalRule
from flokk.content.services.approval import set_default_workflow
from flokk.content.services.campaigns import BudgetLineInput, CampaignInput, create_campaign
from flokk.content.services.posts import PostInput, VariantInput, create_post
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


def seed_approval_demo(organization: Organization, *, actor: User | None) -> None:
    """The demo workflow: one step, approved by the social media manager role, without four eyes."""
    role = Role.objects.filter(organization=organization, key="social-media-manager").first()
    if role is None or organization.approval_workflows.exists():
        return
    set_default_workflow(
        organization, [("Social media manager", role, None, ApprovalRule.ANY)], four_eyes=False, actor=actor
    )
