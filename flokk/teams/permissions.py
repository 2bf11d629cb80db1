"""Every permission check in Flokk: who may do what in which organization.

Views use `@org_permission(...)`, the API uses `api_access(...)`, tasks and services call
`resolve_access(...).require(...)`, templates read `request.perms`. All of them end in `Access.has`.

Permission names are `org.member` (any access to the organization), `org.admin` (administer people,
roles, access and the audit log) and `<area>.<level>` for the nine responsibility areas and the levels
view < work < approve < manage. A few acts belong to more than one area and have their own name, granted by
any of the listed area permissions (`COMPOSITE_PERMISSIONS`). An unknown name raises `UnknownPermission`,
so a typo fails loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from flokk.teams.choices import LEVEL_BY_NAME, Area, Level
from flokk.teams.models import AgencyAccess, Membership, Organization, User

ORG_PERMISSIONS = frozenset({"org.member", "org.admin"})
AREA_PERMISSIONS = frozenset(f"{area}.{level}" for area in Area.values for level in LEVEL_BY_NAME)
# The crisis switch: whoever administers the channels, and whoever leads community & care in a crisis.
COMPOSITE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "publishing.pause": ("administration.work", "community.manage"),
}
PERMISSIONS = ORG_PERMISSIONS | AREA_PERMISSIONS | frozenset(COMPOSITE_PERMISSIONS)


class UnknownPermission(LookupError):
    """Raised for a permission name that does not exist: a bug, never a denial."""


def check_name(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise UnknownPermission(permission)
    return permission


@dataclass(frozen=True)
class Access:
    """What one user may do in one organization, as a direct member or through an agency."""

    organization: Organization
    user: User
    membership: Membership | None = None
    agency_access: AgencyAccess | None = None
    levels: dict[str, int] = field(default_factory=dict)
    is_admin: bool = False

    @property
    def via_agency(self) -> bool:
        return self.membership is None and self.agency_access is not None

    def level(self, area: str) -> int:
        return self.levels.get(area, Level.NONE)

    def has(self, permission: str) -> bool:
        check_name(permission)
        if permission == "org.member":
            return True
        if permission == "org.admin":
            return self.is_admin
        if permission in COMPOSITE_PERMISSIONS:
            return any(self.has(granting) for granting in COMPOSITE_PERMISSIONS[permission])
        area, level_name = permission.split(".")
        return self.level(area) >= LEVEL_BY_NAME[level_name]

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise PermissionDenied(permission)

    def __contains__(self, permission: str) -> bool:
        """Lets templates write `{% if "org.admin" in request.perms %}`."""
        return self.has(permission)

    def visible_areas(self) -> list[str]:
        return [area for area in Area.values if self.level(area) >= Level.VIEW]


def levels_of(membership: Membership) -> dict[str, int]:
    levels: dict[str, int] = {}
    for role in membership.roles.all():
        for area in Area.values:
            levels[area] = max(levels.get(area, Level.NONE), role.level(area))
    return levels


def resolve_access(user: User | Any, organization: Organization) -> Access | None:
    """The user's access to the organization, or None when they have none (an outsider)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = (
        Membership.objects.active()
        .filter(organization=organization, user=user)
        .prefetch_related("roles")
        .first()
    )
    if membership is not None:
        return Access(
            organization,
            user,
            membership=membership,
            levels=levels_of(membership),
            is_admin=membership.is_admin,
        )
    # Through agencies: each agency member's own roles, cut down to the areas that agency was given. Someone
    # in two agencies that both serve this client gets the higher level per area.
    levels: dict[str, int] = {}
    first_grant: AgencyAccess | None = None
    grants = AgencyAccess.objects.active().filter(
        client=organization, agency__memberships__user=user, agency__memberships__is_active=True
    )
    for grant in grants.select_related("agency").distinct():
        agency_membership = (
            Membership.objects.active()
            .filter(organization=grant.agency, user=user)
            .prefetch_related("roles")
            .get()
        )
        agency_levels = levels_of(agency_membership)
        for area in grant.areas:
            if area in Area.values:
                levels[area] = max(levels.get(area, Level.NONE), agency_levels.get(area, Level.NONE))
        first_grant = first_grant or grant
    if first_grant is not None:
        return Access(organization, user, agency_access=first_grant, levels=levels, is_admin=False)
    return None


def get_access(user: User | Any, org_slug: str) -> Access:
    """Access to the organization with this slug; 404 when it does not exist or the user is an outsider."""
    organization = Organization.objects.filter(slug=org_slug).first()
    access = resolve_access(user, organization) if organization is not None else None
    if access is None:
        raise Http404("no such organization")
    return access


class OrgRequest(HttpRequest):
    """The request type of organization views: `org_permission` sets `org` and `perms`."""

    org: Organization
    perms: Access
    user: User


class UserRequest(HttpRequest):
    """The request type of views behind `login_required`."""

    user: User


P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)


def org_permission(permission: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """View decorator for URLs with an `org` slug: outsiders get 404, members without `permission` 403.

    Sets `request.org` and `request.perms` for the view and its templates.
    """
    check_name(permission)

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> R:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())  # type: ignore[return-value]
            access = get_access(request.user, org)
            access.require(permission)
            request.org = access.organization  # type: ignore[attr-defined]
            request.perms = access  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def api_access(request: HttpRequest, org_slug: str, permission: str) -> Access:
    """The API's dependency: the token user's access to the organization, which must hold `permission`.

    Answers like `org_permission`: an unknown organization or an outsider raises Http404, a member
    without the permission PermissionDenied; the API turns them into JSON 404 and 403.
    """
    check_name(permission)
    access = get_access(getattr(request, "user", None), org_slug)
    access.require(permission)
    return access
