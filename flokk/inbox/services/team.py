"""Who in the organization to tell: people holding a permission, or a built-in role."""

from __future__ import annotations

from flokk.teams.models import Membership, Organization, User
from flokk.teams.permissions import Access, levels_of


def people_with(organization: Organization, permission: str) -> list[User]:
    """Active direct members whose roles grant `permission` (agency people are told through their agency)."""
    memberships = (
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .prefetch_related("roles")
    )
    return [
        membership.user
        for membership in memberships
        if Access(organization, membership.user, membership=membership, levels=levels_of(membership),
                  is_admin=membership.is_admin).has(permission)
    ]  # fmt: skip


def people_in_roles(organization: Organization, role_keys: tuple[str, ...]) -> list[User]:
    memberships = (
        Membership.objects.active()
        .filter(organization=organization, roles__key__in=role_keys)
        .select_related("user")
        .distinct()
    )
    return [membership.user for membership in memberships]
