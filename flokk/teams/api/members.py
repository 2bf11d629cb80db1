"""Teams API: the signed-in person, and an organization's members and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, P, QueryEx, Schema, Status

from flokk.core.api import Error
from flokk.teams.api.common import (
    FOR_ADMINS,
    FOR_ADMINS_WITH_BODY,
    FOR_MEMBERS,
    MAX_ROLES,
    Email,
    OrgSlug,
    RoleKey,
    router,
)
from flokk.teams.models import Invitation, Membership, MembershipQuerySet, Organization, Role
from flokk.teams.permissions import UserRequest, api_access
from flokk.teams.services.invitations import create_invitation, revoke_invitation
from flokk.teams.services.members import change_member_roles, remove_member


# --- the signed-in person ---------------------------------------------------------------------------
class OrganizationOut(Schema):
    slug: str
    name: str
    time_zone: str


class MeOut(Schema):
    id: str
    email: str
    name: str
    language: str
    time_zone: str
    organizations: list[OrganizationOut]


@router.get(
    "/me",
    response={200: MeOut, 401: Error},
    summary="The token's user and their organizations",
    operation_id="flokk_teams_api_me",
)
def me(request: UserRequest) -> MeOut:
    user = request.user
    organizations = Organization.objects.for_user(user)
    return MeOut(
        id=str(user.pk),
        email=user.email,
        name=user.name,
        language=user.language,
        time_zone=user.time_zone,
        organizations=[
            OrganizationOut(slug=o.slug, name=o.name, time_zone=o.time_zone) for o in organizations
        ],
    )


# --- members ----------------------------------------------------------------------------------------
class UserOut(Schema):
    id: uuid.UUID
    email: str
    name: str


class MemberOut(Schema):
    id: uuid.UUID
    user: UserOut
    roles: list[str] = Field(description="Keys of the member's roles")
    is_admin: bool
    title: str
    joined_at: datetime


class MemberChange(Schema):
    roles: list[RoleKey] | None = Field(
        None, max_length=MAX_ROLES, description="Role keys; replace the member's roles when given"
    )
    is_admin: bool | None = None


def _member_out(membership: Membership) -> MemberOut:
    user = membership.user
    return MemberOut(
        id=membership.pk,
        user=UserOut(id=user.pk, email=user.email, name=user.name),
        roles=[role.key for role in membership.roles.all()],
        is_admin=membership.is_admin,
        title=membership.title,
        joined_at=membership.created_at,
    )


def _active_members(organization: Organization) -> MembershipQuerySet:
    return Membership.objects.active().for_org(organization).select_related("user").prefetch_related("roles")


def _roles_by_key(organization: Organization, keys: list[str]) -> list[Role]:
    """The organization's roles with these keys; an unknown key rejects the request (field `roles`)."""
    roles = list(Role.objects.filter(organization=organization, key__in=set(keys)))
    unknown = set(keys) - {role.key for role in roles}
    if unknown:
        message = _("Unknown role: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        raise ValidationError({"roles": ValidationError(message, code="unknown_role")})
    return roles


class MemberPageOut(Schema):
    count: int = Field(description="Members in the organization, on all pages")
    items: list[MemberOut]


@router.get(
    "/orgs/{org}/members",
    response={200: MemberPageOut, **FOR_MEMBERS},
    summary="The organization's members, by e-mail",
    operation_id="flokk_teams_api_list_members",
)
def list_members(
    request: HttpRequest,
    org: OrgSlug,
    limit: QueryEx[int, P(ge=1, le=500)] = 100,
    offset: QueryEx[int, P(ge=0, le=10**9)] = 0,
) -> MemberPageOut:
    access = api_access(request, org, "org.member")
    members = _active_members(access.organization).order_by("user__email", "id")
    return MemberPageOut(
        count=members.count(),
        items=[_member_out(membership) for membership in members[offset : offset + limit]],
    )


@router.get(
    "/orgs/{org}/members/{member_id}",
    response={200: MemberOut, **FOR_MEMBERS},
    summary="One member",
    operation_id="flokk_teams_api_get_member",
)
def get_member(request: HttpRequest, org: OrgSlug, member_id: uuid.UUID) -> MemberOut:
    access = api_access(request, org, "org.member")
    return _member_out(get_object_or_404(_active_members(access.organization), pk=member_id))


@router.patch(
    "/orgs/{org}/members/{member_id}",
    response={200: MemberOut, **FOR_ADMINS_WITH_BODY},
    summary="Change a member's roles and admin flag",
    operation_id="flokk_teams_api_change_member",
)
def change_member(
    request: HttpRequest, org: OrgSlug, member_id: uuid.UUID, payload: MemberChange
) -> MemberOut:
    access = api_access(request, org, "org.admin")
    membership = get_object_or_404(_active_members(access.organization), pk=member_id)
    roles = (
        _roles_by_key(access.organization, payload.roles)
        if payload.roles is not None
        else list(membership.roles.all())
    )
    membership = change_member_roles(membership, roles=roles, is_admin=payload.is_admin, actor=access.user)
    return _member_out(membership)


@router.delete(
    "/orgs/{org}/members/{member_id}",
    response={204: None, **FOR_ADMINS},
    summary="Remove a member from the organization",
    operation_id="flokk_teams_api_delete_member",
)
def delete_member(request: HttpRequest, org: OrgSlug, member_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    membership = get_object_or_404(Membership.objects.active().for_org(access.organization), pk=member_id)
    remove_member(membership, actor=access.user)
    return Status(204, None)


# --- invitations ------------------------------------------------------------------------------------
InvitationStatus = Literal["pending", "accepted", "revoked", "expired"]


class InvitationOut(Schema):
    id: uuid.UUID
    email: str
    roles: list[str] = Field(description="Keys of the roles the invited person gets")
    is_admin: bool
    status: InvitationStatus
    invited_by: str | None = Field(description="E-mail of who invited, if they still exist")
    created_at: datetime
    expires_at: datetime


class InvitationIn(Schema):
    email: Email
    roles: list[RoleKey] = Field(default_factory=list, max_length=MAX_ROLES, description="Role keys")
    is_admin: bool = False


def _invitation_out(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.pk,
        email=invitation.email,
        roles=[role.key for role in invitation.roles.all()],
        is_admin=invitation.is_admin,
        status=cast(InvitationStatus, invitation.status),
        invited_by=invitation.invited_by.email if invitation.invited_by else None,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


@router.get(
    "/orgs/{org}/invitations",
    response={200: list[InvitationOut], **FOR_ADMINS},
    summary="Pending invitations, newest first",
    operation_id="flokk_teams_api_list_invitations",
)
def list_invitations(request: HttpRequest, org: OrgSlug) -> list[InvitationOut]:
    access = api_access(request, org, "org.admin")
    invitations = (
        Invitation.objects.filter(
            organization=access.organization,
            accepted_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .prefetch_related("roles")
    )
    return [_invitation_out(invitation) for invitation in invitations]


@router.post(
    "/orgs/{org}/invitations",
    response={201: InvitationOut, **FOR_ADMINS_WITH_BODY},
    summary="Invite someone by e-mail (the link goes only to them)",
    operation_id="flokk_teams_api_invite",
)
def invite(request: HttpRequest, org: OrgSlug, payload: InvitationIn) -> Status[InvitationOut]:
    access = api_access(request, org, "org.admin")
    roles = _roles_by_key(access.organization, payload.roles)
    invitation, _token = create_invitation(
        access.organization, email=payload.email, roles=roles, is_admin=payload.is_admin, actor=access.user
    )
    return Status(201, _invitation_out(invitation))


@router.delete(
    "/orgs/{org}/invitations/{invitation_id}",
    response={204: None, **FOR_ADMINS},
    summary="Withdraw a pending invitation",
    operation_id="flokk_teams_api_delete_invitation",
)
def delete_invitation(request: HttpRequest, org: OrgSlug, invitation_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=access.organization)
    revoke_invitation(invitation, actor=access.user)
    return Status(204, None)
