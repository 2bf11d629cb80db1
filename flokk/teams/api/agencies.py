"""Teams API: the agencies an organization lets work in chosen areas."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status

from flokk.teams.api.common import FOR_ADMINS, FOR_ADMINS_WITH_BODY, SLUG_PATTERN, OrgSlug, router
from flokk.teams.choices import Area
from flokk.teams.models import AgencyAccess, Organization
from flokk.teams.permissions import api_access
from flokk.teams.services.agencies import change_agency_areas, grant_agency_access, revoke_agency_access


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
    operation_id="flokk_teams_api_list_agency_access",
)
def list_agency_access(request: HttpRequest, org: OrgSlug) -> list[AgencyAccessOut]:
    access = api_access(request, org, "org.admin")
    return [_agency_access_out(grant) for grant in _agency_grants(access.organization)]


@router.post(
    "/orgs/{org}/agency-access",
    response={201: AgencyAccessOut, **FOR_ADMINS_WITH_BODY},
    summary="Let an agency work in chosen areas",
    operation_id="flokk_teams_api_grant_agency",
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
    operation_id="flokk_teams_api_change_agency",
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
    operation_id="flokk_teams_api_revoke_agency",
)
def revoke_agency(request: HttpRequest, org: OrgSlug, access_id: uuid.UUID) -> Status[None]:
    access = api_access(request, org, "org.admin")
    grant = get_object_or_404(_agency_grants(access.organization), pk=access_id)
    revoke_agency_access(grant, actor=access.user)
    return Status(204, None)
