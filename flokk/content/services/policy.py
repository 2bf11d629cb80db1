"""The organization's content policy."""

from __future__ import annotations

from django.db import transaction

from flokk.content.models import ContentPolicy
from flokk.core.audit import record
from flokk.teams.models import Organization, User


def policy_for(organization: Organization) -> ContentPolicy:
    """The organization's policy; an unsaved default (alt text required) when it has not set one."""
    policy = ContentPolicy.objects.filter(organization=organization).first()
    return policy or ContentPolicy(organization=organization)


def set_content_policy(organization: Organization, *, require_alt_text: bool, actor: User) -> ContentPolicy:
    """Change the organization's content policy."""
    with transaction.atomic():
        policy, _created = ContentPolicy.objects.update_or_create(
            organization=organization, defaults={"require_alt_text": require_alt_text}
        )
        record(
            "content.policy.changed",
            organization=organization,
            actor=actor,
            target=policy,
            data={"require_alt_text": require_alt_text},
        )
    return policy
