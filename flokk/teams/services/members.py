"""Changing who is in an organization and what roles they carry."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from flokk.core.audit import record
from flokk.teams.models import Membership, Organization, Role, User


def _role_keys(roles: Iterable[Role]) -> list[str]:
    return sorted(role.key for role in roles)


def _ensure_admin_remains(organization: Organization, *, excluding: Membership) -> None:
    others = Membership.objects.active().for_org(organization).filter(is_admin=True).exclude(pk=excluding.pk)
    if not others.exists():
        raise ValidationError(_("An organization needs at least one admin."), code="last_admin")


def add_member(
    organization: Organization,
    user: User,
    *,
    roles: Iterable[Role] = (),
    is_admin: bool = False,
    actor: User | None,
) -> Membership:
    """Make `user` a member (or re-activate them) with these roles."""
    roles = list(roles)
    _check_roles_belong(organization, roles)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(organization=organization, user=user)
        if not created:
            membership.is_active = True
            membership.is_admin = membership.is_admin or is_admin
            membership.save(update_fields=["is_active", "is_admin", "updated_at"])
        else:
            membership.is_admin = is_admin
            membership.save(update_fields=["is_admin", "updated_at"])
        membership.roles.add(*roles)
        record(
            "teams.member.added",
            organization=organization,
            actor=actor,
            target=membership,
            target_label=user.email,
            data={"roles": _role_keys(membership.roles.all()), "admin": is_admin},
        )
    return membership


def _check_roles_belong(organization: Organization, roles: Iterable[Role]) -> None:
    if any(role.organization_id != organization.pk for role in roles):
        raise ValidationError(_("That role does not belong to this organization."), code="foreign_role")


def change_member_roles(
    membership: Membership, *, roles: Iterable[Role], is_admin: bool | None = None, actor: User
) -> Membership:
    """Replace the member's roles (and optionally the admin flag)."""
    roles = list(roles)
    organization = membership.organization
    _check_roles_belong(organization, roles)
    with transaction.atomic():
        before = _role_keys(membership.roles.all())
        membership.roles.set(roles)
        after = _role_keys(roles)
        if before != after:
            record(
                "teams.member.roles_changed",
                organization=organization,
                actor=actor,
                target=membership,
                target_label=membership.user.email,
                data={"before": before, "after": after},
            )
        if is_admin is not None and is_admin != membership.is_admin:
            if not is_admin:
                _ensure_admin_remains(organization, excluding=membership)
            membership.is_admin = is_admin
            membership.save(update_fields=["is_admin", "updated_at"])
            record(
                "teams.member.admin_changed",
                organization=organization,
                actor=actor,
                target=membership,
                target_label=membership.user.email,
                data={"admin": is_admin},
            )
    return membership


def remove_member(membership: Membership, *, actor: User) -> None:
    """Take the person out of the organization. Their history stays; their responsibilities go."""
    organization = membership.organization
    with transaction.atomic():
        if membership.is_admin:
            _ensure_admin_remains(organization, excluding=membership)
        membership.is_active = False
        membership.is_admin = False
        membership.save(update_fields=["is_active", "is_admin", "updated_at"])
        membership.roles.clear()
        membership.responsibilities.all().delete()
        record(
            "teams.member.removed",
            organization=organization,
            actor=actor,
            target=membership,
            target_label=membership.user.email,
        )
