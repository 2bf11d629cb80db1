"""Teams API: the signed-in person, and members, invitations, roles, matrix, agencies, audit per org.

Handlers parse (schemas), authorize (`api_access`), call one service and return a schema. Objects are
looked up inside the caller's organization, so another organization's ids answer 404 like unknown ones.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, P, PathEx, QueryEx, Router, Schema, Status
from pydantic import AfterValidator, StringConstraints, WithJsonSchema

from flokk.core.api import Error
from flokk.core.models import AuditEntry
from flokk.teams.choices import Area, Level, Raci
from flokk.teams.models import (
    AgencyAccess,
    Invitation,
    Membership,
    MembershipQuerySet,
    Organization,
    Role,
)
from flokk.teams.permissions import UserRequest, api_access
from flokk.teams.services.agencies import change_agency_areas, grant_agency_access, revoke_agency_access
from flokk.teams.services.invitations import create_invitation, revoke_invitation
from flokk.teams.services.matrix import (
    matrix_cells,
    matrix_warnings,
    parties,
    party_label,
    set_responsibility,
)
from flokk.teams.services.members import change_member_roles, remove_member
from flokk.teams.services.roles import create_custom_role, delete_custom_role, update_custom_role

router = Router(tags=["teams"])

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
# Text fields refuse NUL: PostgreSQL cannot store it, and no person types it.
TEXT_PATTERN = r"^[^\x00]*$"
MAX_ROLES = 100

OrgSlug = PathEx[str, P(pattern=SLUG_PATTERN, max_length=60, description="The organization's short name")]
RoleKey = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=60)]
LevelName = Literal["none", "view", "work", "approve", "manage"]
LEVEL_OF_NAME: dict[LevelName, Level] = {
    "none": Level.NONE,
    "view": Level.VIEW,
    "work": Level.WORK,
    "approve": Level.APPROVE,
    "manage": Level.MANAGE,
}
NAME_OF_LEVEL: dict[int, LevelName] = {int(level): name for name, level in LEVEL_OF_NAME.items()}

# Error statuses by what a handler does. Every handler needs a token (401) and has an org slug in its path
# (422 when malformed, 404 when unknown or not the caller's); services reject input with 422. 403 only
# where a member may lack the permission (org.admin), 400 (malformed JSON) only where a body is parsed.
FOR_MEMBERS: dict[int, Any] = {401: Error, 404: Error, 422: Error}
FOR_ADMINS: dict[int, Any] = {**FOR_MEMBERS, 403: Error}
FOR_ADMINS_WITH_BODY: dict[int, Any] = {**FOR_ADMINS, 400: Error}


def _valid_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("Enter a valid e-mail address.")) from None
    return value


Email = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(_valid_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


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


@router.get("/me", response={200: MeOut, 401: Error}, summary="The token's user and their organizations")
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


@router.get(
    "/orgs/{org}/members",
    response={200: list[MemberOut], **FOR_MEMBERS},
    summary="The organization's members",
)
def list_members(request: HttpRequest, org: OrgSlug) -> list[MemberOut]:
    access = api_access(request, org, "org.member")
    return [_member_out(membership) for membership in _active_members(access.organization)]


@router.get("/orgs/{org}/members/{member_id}", response={200: MemberOut, **FOR_MEMBERS}, summary="One member")
def get_member(request: HttpRequest, org: OrgSlug, member_id: uuid.UUID) -> MemberOut:
    access = api_access(request, org, "org.member")
    return _member_out(get_object_or_404(_active_members(access.organization), pk=member_id))


@router.patch(
    "/orgs/{org}/members/{member_id}",
    response={200: MemberOut, **FOR_ADMINS_WITH_BODY},
    summary="Change a member's roles and admin flag",
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
)
def delete_invitation(request: HttpRequest, org: OrgSlug, invitation_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    invitation = get_object_or_404(Invitation, pk=invitation_id, organization=access.organization)
    revoke_invitation(invitation, actor=access.user)
    return Status(204, None)


# --- roles ------------------------------------------------------------------------------------------
class RoleOut(Schema):
    id: uuid.UUID
    key: str
    name: str
    description: str
    is_builtin: bool
    grants: dict[Area, LevelName] = Field(description="Permission level per responsibility area")


class RoleIn(Schema):
    name: str = Field(min_length=1, max_length=100, pattern=TEXT_PATTERN)
    description: str = Field("", max_length=300, pattern=TEXT_PATTERN)
    grants: dict[Area, LevelName] = Field(
        default_factory=dict, description="Level per area; areas left out get no access"
    )


class RoleChange(Schema):
    name: str | None = Field(None, min_length=1, max_length=100, pattern=TEXT_PATTERN)
    description: str | None = Field(None, max_length=300, pattern=TEXT_PATTERN)
    grants: dict[Area, LevelName] | None = Field(
        None, description="Replaces every level when given; areas left out get no access"
    )


def _role_out(role: Role) -> RoleOut:
    return RoleOut(
        id=role.pk,
        key=role.key,
        name=role.name,
        description=role.summary,
        is_builtin=role.is_builtin,
        grants={area: NAME_OF_LEVEL[role.level(area.value)] for area in Area},
    )


def _levels(grants: dict[Area, LevelName]) -> dict[str, int]:
    return {area.value: int(LEVEL_OF_NAME[name]) for area, name in grants.items()}


@router.get(
    "/orgs/{org}/roles", response={200: list[RoleOut], **FOR_MEMBERS}, summary="Built-in and custom roles"
)
def list_roles(request: HttpRequest, org: OrgSlug) -> list[RoleOut]:
    access = api_access(request, org, "org.member")
    return [_role_out(role) for role in Role.objects.filter(organization=access.organization)]


@router.post(
    "/orgs/{org}/roles", response={201: RoleOut, **FOR_ADMINS_WITH_BODY}, summary="Create a custom role"
)
def create_role(request: HttpRequest, org: OrgSlug, payload: RoleIn) -> Status[RoleOut]:
    access = api_access(request, org, "org.admin")
    role = create_custom_role(
        access.organization,
        name=payload.name,
        description=payload.description,
        grants=_levels(payload.grants),
        actor=access.user,
    )
    return Status(201, _role_out(role))


@router.patch(
    "/orgs/{org}/roles/{role_id}",
    response={200: RoleOut, **FOR_ADMINS_WITH_BODY},
    summary="Change a custom role (built-in roles are fixed)",
)
def change_role(request: HttpRequest, org: OrgSlug, role_id: uuid.UUID, payload: RoleChange) -> RoleOut:
    access = api_access(request, org, "org.admin")
    role = get_object_or_404(Role, pk=role_id, organization=access.organization)
    role = update_custom_role(
        role,
        name=payload.name if payload.name is not None else role.custom_name,
        description=payload.description if payload.description is not None else role.description,
        grants=_levels(payload.grants) if payload.grants is not None else role.grants,
        actor=access.user,
    )
    return _role_out(role)


@router.delete(
    "/orgs/{org}/roles/{role_id}",
    response={204: None, **FOR_ADMINS},
    summary="Delete a custom role (built-in roles cannot be deleted)",
)
def delete_role(request: HttpRequest, org: OrgSlug, role_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    role = get_object_or_404(Role, pk=role_id, organization=access.organization)
    delete_custom_role(role, actor=access.user)
    return Status(204, None)


# --- responsibility matrix --------------------------------------------------------------------------
class AreaOut(Schema):
    key: Area
    name: str


class PartyOut(Schema):
    id: uuid.UUID
    kind: Literal["member", "agency"]
    label: str


class CellOut(Schema):
    area: Area
    party_id: uuid.UUID
    part: Raci


class MatrixWarningOut(Schema):
    code: str
    message: str
    area: Area | None = Field(description="The area the advice is about, if it is about one")


class MatrixOut(Schema):
    areas: list[AreaOut]
    parties: list[PartyOut] = Field(description="Active members, then agencies with access")
    cells: list[CellOut] = Field(description="Filled cells only")
    warnings: list[MatrixWarningOut] = Field(description="Advice; never blocks a change")


class CellIn(Schema):
    area: Area
    party_id: uuid.UUID = Field(description="A member's or an agency access's id")
    part: Literal["", "R", "A", "C", "I"] = Field(description="Responsible, Accountable, Consulted, Informed")


def _matrix_out(organization: Organization) -> MatrixOut:
    return MatrixOut(
        areas=[AreaOut(key=area, name=str(area.label)) for area in Area],
        parties=[
            PartyOut(
                id=party.pk,
                kind="agency" if isinstance(party, AgencyAccess) else "member",
                label=party_label(party),
            )
            for party in parties(organization)
        ],
        cells=[
            CellOut(area=Area(area), party_id=uuid.UUID(party_id), part=Raci(part))
            for (area, party_id), part in sorted(matrix_cells(organization).items())
        ],
        warnings=[
            MatrixWarningOut(code=w.code, message=w.message, area=Area(w.area) if w.area else None)
            for w in matrix_warnings(organization)
        ],
    )


def _party(organization: Organization, party_id: uuid.UUID) -> Membership | AgencyAccess:
    """The member or agency access with this id in the organization; else the field `party_id` is wrong."""
    membership = Membership.objects.active().for_org(organization).filter(pk=party_id).first()
    if membership is not None:
        return membership
    agency_access = AgencyAccess.objects.active().filter(pk=party_id, client=organization).first()
    if agency_access is not None:
        return agency_access
    message = _("That person or agency is not part of this organization.")
    raise ValidationError({"party_id": ValidationError(message, code="unknown_party")})


@router.get(
    "/orgs/{org}/matrix",
    response={200: MatrixOut, **FOR_MEMBERS},
    summary="The responsibility matrix: who is R, A, C or I per area",
)
def get_matrix(request: HttpRequest, org: OrgSlug) -> MatrixOut:
    access = api_access(request, org, "org.member")
    return _matrix_out(access.organization)


@router.put(
    "/orgs/{org}/matrix/cells",
    response={200: MatrixOut, **FOR_ADMINS_WITH_BODY},
    summary="Set one cell of the matrix (an empty part clears it); answers with the whole matrix",
)
def put_matrix_cell(request: HttpRequest, org: OrgSlug, payload: CellIn) -> MatrixOut:
    access = api_access(request, org, "org.admin")
    party = _party(access.organization, payload.party_id)
    set_responsibility(
        access.organization, area=payload.area.value, party=party, part=payload.part, actor=access.user
    )
    return _matrix_out(access.organization)


# --- agency access ----------------------------------------------------------------------------------
class OrganizationRef(Schema):
    slug: str
    name: str


class AgencyAccessOut(Schema):
    id: uuid.UUID
    agency: OrganizationRef
    areas: list[Area]
    is_active: bool
    granted_at: datetime
    granted_by: str | None = Field(description="E-mail of who granted it, if they still exist")
    revoked_at: datetime | None


class AgencyAccessIn(Schema):
    agency: str = Field(pattern=SLUG_PATTERN, max_length=60, description="The agency's short name")
    areas: list[Area] = Field(min_length=1, max_length=len(Area))


class AgencyAreasIn(Schema):
    areas: list[Area] = Field(min_length=1, max_length=len(Area))


def _agency_access_out(access: AgencyAccess) -> AgencyAccessOut:
    return AgencyAccessOut(
        id=access.pk,
        agency=OrganizationRef(slug=access.agency.slug, name=access.agency.name),
        areas=[Area(area) for area in access.areas if area in Area.values],
        is_active=access.is_active,
        granted_at=access.created_at,
        granted_by=access.granted_by.email if access.granted_by else None,
        revoked_at=access.revoked_at,
    )


def _agency_grants(organization: Organization) -> QuerySet[AgencyAccess]:
    return AgencyAccess.objects.filter(client=organization).select_related("agency", "granted_by")


@router.get(
    "/orgs/{org}/agency-access",
    response={200: list[AgencyAccessOut], **FOR_ADMINS},
    summary="Agencies given access to this organization, newest first (withdrawn ones too)",
)
def list_agency_access(request: HttpRequest, org: OrgSlug) -> list[AgencyAccessOut]:
    access = api_access(request, org, "org.admin")
    return [_agency_access_out(grant) for grant in _agency_grants(access.organization)]


@router.post(
    "/orgs/{org}/agency-access",
    response={201: AgencyAccessOut, **FOR_ADMINS_WITH_BODY},
    summary="Let an agency work in chosen areas",
)
def grant_agency(request: HttpRequest, org: OrgSlug, payload: AgencyAccessIn) -> Status[AgencyAccessOut]:
    access = api_access(request, org, "org.admin")
    grant = grant_agency_access(
        access.organization,
        agency_slug=payload.agency,
        areas=[area.value for area in payload.areas],
        actor=access.user,
    )
    return Status(201, _agency_access_out(grant))


@router.patch(
    "/orgs/{org}/agency-access/{access_id}",
    response={200: AgencyAccessOut, **FOR_ADMINS_WITH_BODY},
    summary="Change the areas an agency may work in",
)
def change_agency(
    request: HttpRequest, org: OrgSlug, access_id: uuid.UUID, payload: AgencyAreasIn
) -> AgencyAccessOut:
    access = api_access(request, org, "org.admin")
    grant = get_object_or_404(_agency_grants(access.organization), pk=access_id)
    grant = change_agency_areas(grant, areas=[area.value for area in payload.areas], actor=access.user)
    return _agency_access_out(grant)


@router.delete(
    "/orgs/{org}/agency-access/{access_id}",
    response={204: None, **FOR_ADMINS},
    summary="Withdraw an agency's access at once",
)
def revoke_agency(request: HttpRequest, org: OrgSlug, access_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    grant = get_object_or_404(_agency_grants(access.organization), pk=access_id)
    revoke_agency_access(grant, actor=access.user)
    return Status(204, None)


# --- audit log --------------------------------------------------------------------------------------
class AuditEntryOut(Schema):
    id: uuid.UUID
    created_at: datetime
    action: str = Field(description="Dotted code, e.g. `teams.member.roles_changed`")
    actor: str = Field(description="E-mail of who did it, as it was then")
    target_type: str
    target_id: str
    target_label: str
    data: dict[str, Any]
    ip_address: str | None


class AuditPageOut(Schema):
    count: int = Field(description="Entries matching the filter, on all pages")
    items: list[AuditEntryOut]


@router.get(
    "/orgs/{org}/audit",
    response={200: AuditPageOut, **FOR_ADMINS},
    summary="The audit log, newest first",
)
def audit_log(
    request: HttpRequest,
    org: OrgSlug,
    limit: QueryEx[int, P(ge=1, le=200)] = 50,
    offset: QueryEx[int, P(ge=0, le=10**9)] = 0,
    action: QueryEx[str, P(max_length=100, pattern=TEXT_PATTERN, description="Action code prefix")] = "",
) -> AuditPageOut:
    access = api_access(request, org, "org.admin")
    entries = AuditEntry.objects.for_org(access.organization).order_by("-created_at", "-id")
    if action:
        entries = entries.filter(action__startswith=action)
    return AuditPageOut(
        count=entries.count(),
        items=[
            AuditEntryOut(
                id=entry.id,
                created_at=entry.created_at,
                action=entry.action,
                actor=entry.actor_label,
                target_type=entry.target_type,
                target_id=entry.target_id,
                target_label=entry.target_label,
                data=entry.data if isinstance(entry.data, dict) else {},
                ip_address=entry.ip_address,
            )
            for entry in entries[offset : offset + limit]
        ],
    )
