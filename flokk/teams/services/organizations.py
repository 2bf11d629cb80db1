"""Creating organizations with their built-in roles, and changing their settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from flokk.core.audit import record
from flokk.teams.choices import BUILTIN_ROLES
from flokk.teams.models import Membership, Organization, Role, User


def install_builtin_roles(organization: Organization) -> list[Role]:
    """Make sure the organization has every built-in role, with the current built-in grants."""
    roles = []
    for key, (_name, _description, grants) in BUILTIN_ROLES.items():
        role, _created = Role.objects.update_or_create(
            organization=organization,
            key=key,
            defaults={
                "is_builtin": True,
                "grants": {str(area): int(level) for area, level in grants.items()},
            },
        )
        roles.append(role)
    return roles


def unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "org"
    slug, n = base, 1
    while Organization.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_organization(
    *,
    name: str,
    owner: User,
    slug: str = "",
    time_zone: str = "",
    language: str = "en",
    is_demo: bool = False,
) -> Organization:
    """A new organization with the built-in roles; `owner` becomes its first admin and head of social."""
    with transaction.atomic():
        fields: dict[str, Any] = {
            "name": name,
            "slug": slug or unique_slug(name),
            "language": language,
            "is_demo": is_demo,
        }
        if time_zone:
            fields["time_zone"] = time_zone
        organization = Organization.objects.create(**fields)
        install_builtin_roles(organization)
        membership = Membership.objects.create(organization=organization, user=owner, is_admin=True)
        membership.roles.add(Role.objects.get(organization=organization, key="head-of-social"))
        record("teams.organization.created", organization=organization, actor=owner, target=organization)
        record(
            "teams.member.added",
            organization=organization,
            actor=owner,
            target=membership,
            target_label=owner.email,
            data={"roles": ["head-of-social"], "admin": True},
        )
    return organization


SETTINGS_FIELDS = ("name", "time_zone", "language", "require_two_factor")


def update_organization_settings(organization: Organization, *, actor: User, **changes: Any) -> Organization:
    """Change name, time zone, default language or the two-factor requirement."""
    unknown = set(changes) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"not organization settings: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(organization, k) != v}
    if not changed:
        return organization
    with transaction.atomic():
        before = {k: getattr(organization, k) for k in changed}
        for key, value in changed.items():
            setattr(organization, key, value)
        organization.save(update_fields=[*changed, "updated_at"])
        record(
            "teams.organization.settings_changed",
            organization=organization,
            actor=actor,
            target=organization,
            data={"before": before, "after": changed},
        )
    return organization
