"""Teams API: the responsibility matrix (who is R, A, C or I per area)."""

from __future__ import annotations

import uuid
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from flokk.teams.api.common import FOR_ADMINS_WITH_BODY, FOR_MEMBERS, OrgSlug, router
from flokk.teams.choices import Area, Raci
from flokk.teams.models import AgencyAccess, Membership, Organization
from flokk.teams.permissions import api_access
from flokk.teams.services.matrix import (
    matrix_cells,
    matrix_warnings,
    parties,
    party_label,
    set_responsibility,
)


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
    operation_id="flokk_teams_api_get_matrix",
)
def get_matrix(request: HttpRequest, org: OrgSlug) -> MatrixOut:
    access = api_access(request, org, "org.member")
    return _matrix_out(access.organization)


@router.put(
    "/orgs/{org}/matrix/cells",
    response={200: MatrixOut, **FOR_ADMINS_WITH_BODY},
    summary="Set one cell of the matrix (an empty part clears it); answers with the whole matrix",
    operation_id="flokk_teams_api_put_matrix_cell",
)
def put_matrix_cell(request: HttpRequest, org: OrgSlug, payload: CellIn) -> MatrixOut:
    access = api_access(request, org, "org.admin")
    party = _party(access.organization, payload.party_id)
    set_responsibility(
        access.organization, area=payload.area.value, party=party, part=payload.part, actor=access.user
    )
    return _matrix_out(access.organization)
