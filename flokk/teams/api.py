"""Teams API: the signed-in person, and members, invitations, roles, matrix, agencies, audit per org."""

from __future__ import annotations

from ninja import Router, Schema

from flokk.core.api import Error
from flokk.teams.models import Organization
from flokk.teams.permissions import UserRequest

router = Router(tags=["teams"])


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
