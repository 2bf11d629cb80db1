"""Teams API: an organization's built-in and custom roles."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from flokk.teams.api.common import (
    FOR_ADMINS,
    FOR_ADMINS_WITH_BODY,
    FOR_MEMBERS,
    LEVEL_OF_NAME,
    NAME_OF_LEVEL,
    TEXT_PATTERN,
    LevelName,
    OrgSlug,
    router,
)
from flokk.teams.choices import Area
from flokk.teams.models import Role
from flokk.teams.permissions import api_access
from flokk.teams.services.roles import create_custom_role, delete_custom_role, update_custom_role


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
    "/orgs/{org}/roles",
    response={200: list[RoleOut], **FOR_MEMBERS},
    summary="Built-in and custom roles",
    operation_id="flokk_teams_api_list_roles",
)
def list_roles(request: HttpRequest, org: OrgSlug) -> list[RoleOut]:
    access = api_access(request, org, "org.member")
    return [_role_out(role) for role in Role.objects.filter(organization=access.organization)]


@router.post(
    "/orgs/{org}/roles",
    response={201: RoleOut, **FOR_ADMINS_WITH_BODY},
    summary="Create a custom role",
    operation_id="flokk_teams_api_create_role",
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
    operation_id="flokk_teams_api_change_role",
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
    operation_id="flokk_teams_api_delete_role",
)
def delete_role(request: HttpRequest, org: OrgSlug, role_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    role = get_object_or_404(Role, pk=role_id, organization=access.organization)
    delete_custom_role(role, actor=access.user)
    return Status(204, None)
