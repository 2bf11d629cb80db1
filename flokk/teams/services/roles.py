"""Custom roles: named sets of permission levels per responsibility area."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.choices import Area, Level
from flokk.teams.models import Organization, Role, User


def clean_grants(grants: Mapping[str, int]) -> dict[str, int]:
    """Validate a mapping area -> level; drops areas without access."""
    cleaned: dict[str, int] = {}
    for area, level in grants.items():
        if area not in Area.values:
            raise ValidationError(
                _("Unknown responsibility area: %(area)s") % {"area": area}, code="unknown_area"
            )
        if level not in Level.values:
            raise ValidationError(
                _("Unknown permission level: %(level)s") % {"level": level}, code="unknown_level"
            )
        if level:
            cleaned[area] = int(level)
    return cleaned


def create_custom_role(
    organization: Organization, *, name: str, grants: Mapping[str, int], description: str = "", actor: User
) -> Role:
    """A new role for this organization; its key is derived from the name and never changes."""
    name = name.strip()
    if not name:
        raise ValidationError(_("A role needs a name."), code="required")
    base = "custom-" + (slugify(name)[:40] or "role")
    key, n = base, 1
    while Role.objects.filter(organization=organization, key=key).exists():
        n += 1
        key = f"{base}-{n}"
    cleaned = clean_grants(grants)
    with transaction.atomic():
        role = Role.objects.create(
            organization=organization, key=key, custom_name=name, description=description, grants=cleaned
        )
        record(
            "teams.role.created",
            organization=organization,
            actor=actor,
            target=role,
            data={"grants": cleaned},
        )
    return role


def update_custom_role(
    role: Role, *, name: str, grants: Mapping[str, int], description: str = "", actor: User
) -> Role:
    """Change a custom role. Built-in roles are fixed: copy them into a custom role instead."""
    if role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be changed."), code="builtin_role")
    if not name.strip():
        raise ValidationError(_("A role needs a name."), code="required")
    cleaned = clean_grants(grants)
    with transaction.atomic():
        before = dict(role.grants)
        role.custom_name, role.description, role.grants = name.strip(), description, cleaned
        role.save(update_fields=["custom_name", "description", "grants", "updated_at"])
        record(
            "teams.role.permissions_changed",
            organization=role.organization,
            actor=actor,
            target=role,
            data={"before": before, "after": cleaned},
        )
    return role


def delete_custom_role(role: Role, *, actor: User) -> None:
    """Remove a custom role from everyone who carries it."""
    if role.is_builtin:
        raise ValidationError(_("Built-in roles cannot be deleted."), code="builtin_role")
    with transaction.atomic():
        record("teams.role.deleted", organization=role.organization, actor=actor, target=role)
        role.delete()
