"""Teams API: every endpoint's permission matrix, the main flows, rejected input and the error body."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from flokk.core.models import AuditEntry
from flokk.teams.api import LEVEL_OF_NAME
from flokk.teams.choices import BUILTIN_ROLES, Area, Level
from flokk.teams.models import (
    AgencyAccess,
    Invitation,
    Membership,
    Organization,
    ResponsibilityAssignment,
    Role,
    User,
)
from flokk.teams.services.agencies import grant_agency_access
from flokk.teams.services.demo import AGENCY_SLUG, demo_email
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.members import add_member
from flokk.teams.services.roles import create_custom_role

API = "/api/v1/orgs/demo"
ADMIN_ROLES = {"head-of-social"}


# --- fixtures and helpers ---------------------------------------------------------------------------
@pytest.fixture
def head(member: Callable[[str], User]) -> User:
    return member("head-of-social")


@pytest.fixture
def admin_api(api_for: Callable[[User], Client], head: User) -> Client:
    return api_for(head)


@pytest.fixture
def targets(demo: Organization, head: User) -> dict[str, str]:
    """Ids the endpoints act on: a member, a pending invitation, a custom role, the agency's access, and
    the short name of an agency that has no access yet."""
    invitation, _token = create_invitation(demo, email="invited@example.com", actor=head)
    role = create_custom_role(demo, name="Intern", grants={"production": Level.VIEW}, actor=head)
    # An agency only needs to exist to be granted access; a bare row keeps this fixture cheap.
    Organization.objects.create(name="Studio", slug="studio")
    return {
        "member_id": str(Membership.objects.get(organization=demo, user__email=demo_email("copywriter")).pk),
        "invitation_id": str(invitation.pk),
        "role_id": str(role.pk),
        "access_id": str(AgencyAccess.objects.get(client=demo, agency__slug=AGENCY_SLUG).pk),
        "spare_agency": "studio",
    }


def call(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    if body is None:
        return getattr(client, method)(path, **extra)
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json", **extra)


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is the API's error body with this status and code; returns the `error` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert all(isinstance(messages, list) and messages for messages in error["fields"].values())
    return error


def snapshot(organization: Organization) -> dict[str, Any]:
    """Everything the teams API can change in an organization, to prove a rejected request changed nothing."""
    return {
        "audit": AuditEntry.objects.for_org(organization).count(),
        "members": sorted(
            (str(m.pk), m.is_active, m.is_admin, sorted(r.key for r in m.roles.all()))
            for m in Membership.objects.for_org(organization).prefetch_related("roles")
        ),
        "invitations": sorted(
            (str(i.pk), i.email, i.revoked_at, i.accepted_at)
            for i in Invitation.objects.filter(organization=organization)
        ),
        "roles": sorted(
            (r.key, r.custom_name, r.description, json.dumps(r.grants, sort_keys=True))
            for r in Role.objects.filter(organization=organization)
        ),
        "matrix": sorted(
            (a.area, str(a.membership_id), str(a.agency_access_id), a.part)
            for a in ResponsibilityAssignment.objects.filter(organization=organization)
        ),
        "agencies": sorted(
            (str(a.pk), a.areas, a.revoked_at) for a in AgencyAccess.objects.filter(client=organization)
        ),
    }


# --- the permission matrix --------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    permission: str
    success: int
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return self.name


ENDPOINTS = [
    Endpoint("members", "get", "/members", "org.member", 200),
    Endpoint("member", "get", "/members/{member_id}", "org.member", 200),
    Endpoint("member-change", "patch", "/members/{member_id}", "org.admin", 200, {"roles": ["analyst"]}),
    Endpoint("member-remove", "delete", "/members/{member_id}", "org.admin", 204),
    Endpoint("invitations", "get", "/invitations", "org.admin", 200),
    Endpoint("invite", "post", "/invitations", "org.admin", 201, {"email": "new@example.com"}),
    Endpoint("invitation-revoke", "delete", "/invitations/{invitation_id}", "org.admin", 204),
    Endpoint("roles", "get", "/roles", "org.member", 200),
    Endpoint("role-create", "post", "/roles", "org.admin", 201, {"name": "Trainee"}),
    Endpoint("role-change", "patch", "/roles/{role_id}", "org.admin", 200, {"name": "Junior"}),
    Endpoint("role-delete", "delete", "/roles/{role_id}", "org.admin", 204),
    Endpoint("matrix", "get", "/matrix", "org.member", 200),
    Endpoint(
        "matrix-cell",
        "put",
        "/matrix/cells",
        "org.admin",
        200,
        {"area": "analysis", "party_id": "{member_id}", "part": "C"},
    ),
    Endpoint("agencies", "get", "/agency-access", "org.admin", 200),
    Endpoint(
        "agency-grant",
        "post",
        "/agency-access",
        "org.admin",
        201,
        {"agency": "{spare_agency}", "areas": ["analysis"]},
    ),
    Endpoint(
        "agency-change", "patch", "/agency-access/{access_id}", "org.admin", 200, {"areas": ["production"]}
    ),
    Endpoint("agency-revoke", "delete", "/agency-access/{access_id}", "org.admin", 204),
    Endpoint("audit", "get", "/audit", "org.admin", 200),
]
CALLERS = [*BUILTIN_ROLES, "agency", "outsider", "anonymous"]


def expected_status(endpoint: Endpoint, caller: str) -> int:
    if caller == "anonymous":
        return 401
    if caller == "outsider":
        return 404
    if endpoint.permission == "org.member" or caller in ADMIN_ROLES:
        return endpoint.success
    return 403


def fill(value: Any, targets: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**targets)
    if isinstance(value, list):
        return [fill(item, targets) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, targets) for key, item in value.items()}
    return value


def test_every_route_is_in_the_permission_matrix() -> None:
    from flokk.teams.api import router

    routes = {
        (method.lower(), path.removeprefix("/orgs/{org}"))
        for path, path_view in router.path_operations.items()
        if path.startswith("/orgs/")
        for operation in path_view.operations
        for method in operation.methods
    }
    assert routes == {(endpoint.method, endpoint.path) for endpoint in ENDPOINTS}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_permission_matrix(
    endpoint: Endpoint,
    caller: str,
    demo: Organization,
    targets: dict[str, str],
    member: Callable[[str], User],
    api_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
) -> None:
    # Given someone in one of the roles, an agency member, an outsider or no token at all
    if caller == "anonymous":
        client = Client()
    elif caller in ("agency", "outsider"):
        client = api_for(request.getfixturevalue({"agency": "agency_user", "outsider": "outsider"}[caller]))
    else:
        client = api_for(member(caller))
    before = snapshot(demo)

    # When they call the endpoint
    response = call(client, endpoint.method, API + fill(endpoint.path, targets), fill(endpoint.body, targets))

    # Then the allowed succeed, other members get 403, outsiders 404, and no token 401
    expected = expected_status(endpoint, caller)
    if expected < 300:
        assert response.status_code == expected, response.content
    else:
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found"}[expected]
        assert_error(response, expected, code)
        assert snapshot(demo) == before


# --- members ----------------------------------------------------------------------------------------
def test_members_list_shows_each_member_with_role_keys(admin_api: Client, demo: Organization) -> None:
    response = admin_api.get(f"{API}/members")

    assert response.status_code == 200
    assert response.json()["count"] == len(BUILTIN_ROLES)
    by_email = {m["user"]["email"]: m for m in response.json()["items"]}
    assert set(by_email) == {demo_email(key) for key in BUILTIN_ROLES}
    assert by_email[demo_email("copywriter")]["roles"] == ["copywriter"]
    assert by_email[demo_email("head-of-social")]["is_admin"] is True
    assert by_email[demo_email("analyst")]["is_admin"] is False


def test_members_list_query_count_does_not_grow_with_members(
    demo: Organization, head: User, api_for: Callable[[User], Client], django_assert_max_num_queries: Any
) -> None:
    # Given many more members than the demo has, each with several roles
    roles = list(Role.objects.filter(organization=demo, key__in=["analyst", "sales", "copywriter"]))
    for n in range(30):
        user = User.objects.create_user(f"extra{n}@example.com", "extra-password-1")
        add_member(demo, user, roles=roles, actor=head)
    client = api_for(head)

    # When the list is read, the queries stay as few as for a handful of members: the token (read and
    # last use noted), the organization, the caller's membership and roles, the members and their roles
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/members")

    assert response.status_code == 200
    assert len(response.json()["items"]) == len(BUILTIN_ROLES) + 30


def test_members_list_pages(admin_api: Client) -> None:
    first = admin_api.get(f"{API}/members?limit=10").json()
    rest = admin_api.get(f"{API}/members?limit=10&offset=10").json()
    assert first["count"] == rest["count"] == len(BUILTIN_ROLES)
    assert len(first["items"]) == 10 and len(rest["items"]) == len(BUILTIN_ROLES) - 10
    emails = [m["user"]["email"] for m in first["items"] + rest["items"]]
    assert emails == sorted(emails)
    assert_error(admin_api.get(f"{API}/members?limit=0"), 422, "invalid")


def test_member_of_another_organization_is_not_found(admin_api: Client, outsider: User) -> None:
    foreign = Membership.objects.get(user=outsider)

    assert_error(admin_api.get(f"{API}/members/{foreign.pk}"), 404, "not_found")
    assert_error(
        call(admin_api, "patch", f"{API}/members/{foreign.pk}", {"is_admin": True}), 404, "not_found"
    )
    assert_error(admin_api.delete(f"{API}/members/{foreign.pk}"), 404, "not_found")
    assert Membership.objects.get(user=outsider).is_active


def test_change_member_roles_is_audited(admin_api: Client, targets: dict[str, str]) -> None:
    # When the admin gives the copywriter two other roles
    response = call(
        admin_api,
        "patch",
        f"{API}/members/{targets['member_id']}",
        {"roles": ["analyst", "sales", "analyst"]},
    )

    # Then the member carries exactly those, and the audit log says so, newest first
    assert response.status_code == 200
    assert response.json()["roles"] == ["analyst", "sales"]
    audit = admin_api.get(f"{API}/audit", {"action": "teams.member.roles_changed"}).json()
    assert audit["count"] == 1
    entry = audit["items"][0]
    assert entry["action"] == "teams.member.roles_changed"
    assert entry["target_label"] == demo_email("copywriter")
    assert entry["data"] == {"before": ["copywriter"], "after": ["analyst", "sales"]}


def test_change_only_the_admin_flag_keeps_the_roles(admin_api: Client, targets: dict[str, str]) -> None:
    response = call(admin_api, "patch", f"{API}/members/{targets['member_id']}", {"is_admin": True})

    assert response.status_code == 200
    assert response.json()["is_admin"] is True
    assert response.json()["roles"] == ["copywriter"]


def test_last_admin_cannot_be_removed_or_demoted(admin_api: Client, demo: Organization, head: User) -> None:
    own = Membership.objects.get(organization=demo, user=head)
    before = snapshot(demo)

    assert_error(admin_api.delete(f"{API}/members/{own.pk}"), 422, "last_admin")
    assert_error(call(admin_api, "patch", f"{API}/members/{own.pk}", {"is_admin": False}), 422, "last_admin")
    assert snapshot(demo) == before


def test_removed_member_leaves_the_list_and_loses_access(
    admin_api: Client,
    targets: dict[str, str],
    member: Callable[[str], User],
    api_for: Callable[[User], Client],
) -> None:
    copywriter = api_for(member("copywriter"))
    assert copywriter.get(f"{API}/members").status_code == 200

    assert admin_api.delete(f"{API}/members/{targets['member_id']}").status_code == 204

    assert_error(admin_api.get(f"{API}/members/{targets['member_id']}"), 404, "not_found")
    assert_error(admin_api.delete(f"{API}/members/{targets['member_id']}"), 404, "not_found")
    assert_error(copywriter.get(f"{API}/members"), 404, "not_found")


# --- invitations ------------------------------------------------------------------------------------
def test_invite_then_list_shows_it_and_never_the_token(
    admin_api: Client, django_capture_on_commit_callbacks: Any
) -> None:
    # When the admin invites someone as copywriter
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            admin_api,
            "post",
            f"{API}/invitations",
            {"email": "New.Person@Example.com", "roles": ["copywriter"]},
        )

    # Then the invitation is pending, the link went by e-mail only, and the list shows it
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {
        "id",
        "email",
        "roles",
        "is_admin",
        "status",
        "invited_by",
        "created_at",
        "expires_at",
    }
    assert created["email"] == "new.person@example.com"
    assert created["roles"] == ["copywriter"]
    assert created["status"] == "pending"
    assert created["invited_by"] == demo_email("head-of-social")
    assert len(mail.outbox) == 1
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[0].body).group(1)
    assert len(token) > 20
    assert token not in response.content.decode()
    listed = admin_api.get(f"{API}/invitations").json()
    assert [i["id"] for i in listed if i["email"] == "new.person@example.com"] == [created["id"]]
    assert token not in admin_api.get(f"{API}/invitations").content.decode()


def test_revoke_invitation_twice(admin_api: Client, targets: dict[str, str], demo: Organization) -> None:
    path = f"{API}/invitations/{targets['invitation_id']}"

    assert admin_api.delete(path).status_code == 204
    assert targets["invitation_id"] not in admin_api.get(f"{API}/invitations").content.decode()
    before = snapshot(demo)
    assert_error(admin_api.delete(path), 422, "not_pending")
    assert snapshot(demo) == before


def test_invite_an_existing_member_is_refused(admin_api: Client) -> None:
    response = call(admin_api, "post", f"{API}/invitations", {"email": demo_email("copywriter")})

    assert_error(response, 422, "already_member")


def test_invitation_of_another_organization_is_not_found(admin_api: Client, outsider: User) -> None:
    other = Organization.objects.get(slug="other")
    invitation, _token = create_invitation(other, email="someone@example.com", actor=outsider)

    assert_error(admin_api.delete(f"{API}/invitations/{invitation.pk}"), 404, "not_found")
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- roles ------------------------------------------------------------------------------------------
def test_level_names_cover_every_level() -> None:
    assert sorted(LEVEL_OF_NAME.values()) == sorted(Level)
    assert all(LEVEL_OF_NAME[name] == Level[name.upper()] for name in LEVEL_OF_NAME)


def test_roles_list_names_levels(api_for: Callable[[User], Client], member: Callable[[str], User]) -> None:
    response = api_for(member("copywriter")).get(f"{API}/roles")

    assert response.status_code == 200
    by_key = {role["key"]: role for role in response.json()}
    assert set(BUILTIN_ROLES) <= set(by_key)
    copywriter = by_key["copywriter"]
    assert copywriter["name"] == "Copywriter"
    assert copywriter["is_builtin"] is True
    assert copywriter["grants"] == {
        **{area: "none" for area in Area.values},
        "strategy": "view",
        "planning": "view",
        "production": "work",
    }


def test_custom_role_create_change_delete(admin_api: Client, demo: Organization) -> None:
    created = call(
        admin_api,
        "post",
        f"{API}/roles",
        {"name": "Photo editor", "description": "Edits photos", "grants": {"production": "approve"}},
    )
    assert created.status_code == 201
    role = created.json()
    assert role["key"] == "custom-photo-editor"
    assert role["is_builtin"] is False
    assert role["grants"]["production"] == "approve"
    assert role["grants"]["strategy"] == "none"

    changed = call(admin_api, "patch", f"{API}/roles/{role['id']}", {"grants": {"analysis": "view"}})
    assert changed.status_code == 200
    assert changed.json()["name"] == "Photo editor"
    assert changed.json()["description"] == "Edits photos"
    assert changed.json()["grants"]["production"] == "none"
    assert changed.json()["grants"]["analysis"] == "view"
    assert Role.objects.get(pk=role["id"]).grants == {"analysis": Level.VIEW}

    assert admin_api.delete(f"{API}/roles/{role['id']}").status_code == 204
    assert not Role.objects.filter(pk=role["id"]).exists()
    assert_error(admin_api.delete(f"{API}/roles/{role['id']}"), 404, "not_found")


def test_builtin_roles_cannot_be_changed_or_deleted(admin_api: Client, demo: Organization) -> None:
    builtin = Role.objects.get(organization=demo, key="copywriter")
    before = snapshot(demo)

    assert_error(admin_api.delete(f"{API}/roles/{builtin.pk}"), 422, "builtin_role")
    assert_error(
        call(admin_api, "patch", f"{API}/roles/{builtin.pk}", {"name": "Writer"}), 422, "builtin_role"
    )
    assert snapshot(demo) == before


def test_role_of_another_organization_is_not_found(admin_api: Client, outsider: User) -> None:
    foreign = create_custom_role(
        Organization.objects.get(slug="other"), name="Theirs", grants={}, actor=outsider
    )

    assert_error(call(admin_api, "patch", f"{API}/roles/{foreign.pk}", {"name": "Mine"}), 404, "not_found")
    assert_error(admin_api.delete(f"{API}/roles/{foreign.pk}"), 404, "not_found")
    assert Role.objects.get(pk=foreign.pk).custom_name == "Theirs"


# --- matrix -----------------------------------------------------------------------------------------
def put_cell(client: Client, area: str, party_id: str, part: str) -> Any:
    response = call(client, "put", f"{API}/matrix/cells", {"area": area, "party_id": party_id, "part": part})
    assert response.status_code == 200, response.content
    return response


def warnings_of(response: Any) -> set[tuple[str, str | None]]:
    return {(warning["code"], warning["area"]) for warning in response.json()["warnings"]}


def membership_id(demo: Organization, role_key: str) -> str:
    return str(Membership.objects.get(organization=demo, user__email=demo_email(role_key)).pk)


def test_matrix_lists_areas_parties_and_cells(admin_api: Client, demo: Organization) -> None:
    matrix = admin_api.get(f"{API}/matrix").json()

    assert [area["key"] for area in matrix["areas"]] == Area.values
    assert {"id": membership_id(demo, "analyst"), "kind": "member", "label": "Demo Analyst"} in matrix[
        "parties"
    ]
    access = AgencyAccess.objects.get(client=demo)
    assert {"id": str(access.pk), "kind": "agency", "label": "Demo Agency"} in matrix["parties"]
    stored = ResponsibilityAssignment.objects.filter(organization=demo)
    assert len(matrix["cells"]) == stored.count()


def test_matrix_cell_changes_warnings(admin_api: Client, demo: Organization) -> None:
    # Given the analyst is the only one responsible for analysis
    analyst = membership_id(demo, "analyst")
    for cell in admin_api.get(f"{API}/matrix").json()["cells"]:
        if cell["area"] == "analysis" and cell["part"] == "R":
            put_cell(admin_api, "analysis", cell["party_id"], "")
    given = put_cell(admin_api, "analysis", analyst, "R")
    assert {"area": "analysis", "party_id": analyst, "part": "R"} in given.json()["cells"]
    assert ("no_responsible", "analysis") not in warnings_of(given)

    # When the admin clears that cell
    response = put_cell(admin_api, "analysis", analyst, "")

    # Then no one is responsible for analysis, and the matrix as read says the same
    assert ("no_responsible", "analysis") in warnings_of(response)
    assert {"area": "analysis", "party_id": analyst, "part": "R"} not in response.json()["cells"]
    assert response.json() == admin_api.get(f"{API}/matrix").json()


def test_matrix_warns_about_several_accountable(admin_api: Client, demo: Organization) -> None:
    for role_key in ("analyst", "sales"):
        response = put_cell(admin_api, "analysis", membership_id(demo, role_key), "A")

    assert ("several_accountable", "analysis") in warnings_of(response)


def test_matrix_warns_about_a_one_person_show(admin_api: Client, demo: Organization) -> None:
    for area in Area.values[:5]:
        response = put_cell(admin_api, area, membership_id(demo, "analyst"), "R")

    shows = [w for w in response.json()["warnings"] if w["code"] == "one_person_show"]
    assert [w["area"] for w in shows if "Demo Analyst" in w["message"]] == [None]


def test_matrix_cell_for_a_party_of_another_organization(
    admin_api: Client, demo: Organization, outsider: User
) -> None:
    foreign = Membership.objects.get(user=outsider)
    before = snapshot(demo)

    response = call(
        admin_api,
        "put",
        f"{API}/matrix/cells",
        {"area": "analysis", "party_id": str(foreign.pk), "part": "R"},
    )

    error = assert_error(response, 422, "unknown_party")
    assert list(error["fields"]) == ["party_id"]
    assert snapshot(demo) == before


# --- agency access ----------------------------------------------------------------------------------
def test_agency_grant_narrow_revoke(
    admin_api: Client,
    demo: Organization,
    targets: dict[str, str],
    agency_user: User,
    api_for: Callable[[User], Client],
) -> None:
    agency_client = api_for(agency_user)
    assert agency_client.get(f"{API}/matrix").status_code == 200

    # Grant a second agency two areas
    granted = call(
        admin_api, "post", f"{API}/agency-access", {"agency": "Studio", "areas": ["analysis", "strategy"]}
    )
    assert granted.status_code == 201
    assert granted.json()["agency"] == {"slug": "studio", "name": "Studio"}
    assert granted.json()["areas"] == ["strategy", "analysis"]
    assert granted.json()["is_active"] is True
    again = call(admin_api, "post", f"{API}/agency-access", {"agency": "studio", "areas": ["analysis"]})
    assert_error(again, 422, "already_granted")

    # Narrow the demo agency to production: its advertising responsibilities go with it
    put_cell(admin_api, "advertising", targets["access_id"], "C")
    narrowed = call(
        admin_api, "patch", f"{API}/agency-access/{targets['access_id']}", {"areas": ["production"]}
    )
    assert narrowed.status_code == 200
    assert narrowed.json()["areas"] == ["production"]
    assert not ResponsibilityAssignment.objects.filter(
        agency_access_id=targets["access_id"], area="advertising"
    ).exists()

    # Revoke it: the agency's people no longer see the client at all
    assert admin_api.delete(f"{API}/agency-access/{targets['access_id']}").status_code == 204
    assert_error(agency_client.get(f"{API}/matrix"), 404, "not_found")
    assert_error(agency_client.get(f"{API}/members"), 404, "not_found")
    listed = {a["id"]: a for a in admin_api.get(f"{API}/agency-access").json()}
    assert listed[targets["access_id"]]["is_active"] is False
    assert listed[targets["access_id"]]["revoked_at"] is not None

    # A withdrawn access can be neither withdrawn again nor changed
    before = snapshot(demo)
    assert_error(admin_api.delete(f"{API}/agency-access/{targets['access_id']}"), 422, "revoked")
    patch = call(admin_api, "patch", f"{API}/agency-access/{targets['access_id']}", {"areas": ["production"]})
    assert_error(patch, 422, "revoked")
    assert snapshot(demo) == before


@pytest.mark.parametrize(("agency", "code"), [("no-such-org", "unknown_agency"), ("demo", "self_agency")])
def test_agency_grant_rejected(admin_api: Client, demo: Organization, agency: str, code: str) -> None:
    before = snapshot(demo)

    response = call(admin_api, "post", f"{API}/agency-access", {"agency": agency, "areas": ["analysis"]})

    assert_error(response, 422, code)
    assert snapshot(demo) == before


def test_agency_access_of_another_client_is_not_found(admin_api: Client, outsider: User) -> None:
    other = Organization.objects.get(slug="other")
    foreign = grant_agency_access(other, agency_slug=AGENCY_SLUG, areas=["analysis"], actor=outsider)

    assert_error(
        call(admin_api, "patch", f"{API}/agency-access/{foreign.pk}", {"areas": ["strategy"]}),
        404,
        "not_found",
    )
    assert_error(admin_api.delete(f"{API}/agency-access/{foreign.pk}"), 404, "not_found")
    assert AgencyAccess.objects.get(pk=foreign.pk).is_active


# --- audit ------------------------------------------------------------------------------------------
def test_audit_is_newest_first_paged_and_filtered(admin_api: Client, demo: Organization) -> None:
    everything = admin_api.get(f"{API}/audit", {"limit": 200}).json()
    assert everything["count"] == AuditEntry.objects.for_org(demo).count()
    times = [item["created_at"] for item in everything["items"]]
    assert times == sorted(times, reverse=True)

    page = admin_api.get(f"{API}/audit", {"limit": 2, "offset": 1}).json()
    assert [item["id"] for item in page["items"]] == [item["id"] for item in everything["items"][1:3]]
    assert page["count"] == everything["count"]

    added = admin_api.get(f"{API}/audit", {"action": "teams.member.add"}).json()
    assert added["count"] == len(BUILTIN_ROLES)
    assert {item["action"] for item in added["items"]} == {"teams.member.added"}

    assert admin_api.get(f"{API}/audit", {"offset": 10**6}).json()["items"] == []


def test_audit_of_another_organization_stays_there(
    api_for: Callable[[User], Client], outsider: User, demo: Organization
) -> None:
    items = api_for(outsider).get("/api/v1/orgs/other/audit", {"limit": 200}).json()["items"]

    assert items
    assert all("demo.example" not in item["actor"] for item in items)


# --- rejected input ---------------------------------------------------------------------------------
BAD_REQUESTS = [
    # (name, method, path, body, field with the error); the code is "invalid" unless the name says
    # otherwise in REJECTED_CODES
    ("roles-not-a-list", "patch", "/members/{member_id}", {"roles": "analyst"}, "roles"),
    ("unknown-role", "patch", "/members/{member_id}", {"roles": ["analyst", "ghost"]}, "roles"),
    ("role-key-not-a-slug", "patch", "/members/{member_id}", {"roles": ["a b"]}, "roles.0"),
    ("admin-not-bool", "patch", "/members/{member_id}", {"is_admin": "maybe"}, "is_admin"),
    ("member-not-uuid", "patch", "/members/42", {"is_admin": True}, "member_id"),
    ("email-invalid", "post", "/invitations", {"email": "not-an-address"}, "email"),
    ("email-missing", "post", "/invitations", {"roles": ["copywriter"]}, "email"),
    ("invite-unknown-role", "post", "/invitations", {"email": "x@example.com", "roles": ["ghost"]}, "roles"),
    ("role-name-empty", "post", "/roles", {"name": ""}, "name"),
    ("role-name-nul", "post", "/roles", {"name": "a\x00b"}, "name"),
    ("role-name-too-long", "post", "/roles", {"name": "x" * 101}, "name"),
    ("unknown-level", "post", "/roles", {"name": "R", "grants": {"strategy": "boss"}}, "grants.strategy"),
    ("level-number", "patch", "/roles/{role_id}", {"grants": {"strategy": 9}}, "grants.strategy"),
    ("unknown-area", "patch", "/roles/{role_id}", {"grants": {"moon": "view"}}, "grants.moon.[key]"),
    ("role-not-uuid", "patch", "/roles/nope", {"name": "X"}, "role_id"),
    (
        "cell-part",
        "put",
        "/matrix/cells",
        {"area": "analysis", "party_id": "{member_id}", "part": "X"},
        "part",
    ),
    ("cell-area", "put", "/matrix/cells", {"area": "moon", "party_id": "{member_id}", "part": "R"}, "area"),
    ("cell-party", "put", "/matrix/cells", {"area": "analysis", "party_id": "nope", "part": "R"}, "party_id"),
    (
        "cell-unknown-party",
        "put",
        "/matrix/cells",
        {"area": "analysis", "party_id": str(uuid.UUID(int=1)), "part": "R"},
        "party_id",
    ),
    ("agency-no-areas", "post", "/agency-access", {"agency": "{spare_agency}", "areas": []}, "areas"),
    ("agency-area", "post", "/agency-access", {"agency": "{spare_agency}", "areas": ["moon"]}, "areas.0"),
    ("agency-slug", "post", "/agency-access", {"agency": "", "areas": ["analysis"]}, "agency"),
    ("agency-narrow-empty", "patch", "/agency-access/{access_id}", {"areas": []}, "areas"),
    ("body-not-object", "post", "/roles", ["name"], "name"),
]

# Well-formed requests the handler rejects after looking things up carry a specific code.
REJECTED_CODES = {
    "unknown-role": "unknown_role",
    "invite-unknown-role": "unknown_role",
    "cell-unknown-party": "unknown_party",
}


@pytest.mark.parametrize(
    ("name", "method", "path", "body", "field"), BAD_REQUESTS, ids=[r[0] for r in BAD_REQUESTS]
)
def test_bad_payload_is_422_and_changes_nothing(
    admin_api: Client,
    demo: Organization,
    targets: dict[str, str],
    name: str,
    method: str,
    path: str,
    body: Any,
    field: str,
) -> None:
    before = snapshot(demo)

    response = call(admin_api, method, API + fill(path, targets), fill(body, targets))

    error = assert_error(response, 422, REJECTED_CODES.get(name, "invalid"))
    assert field in error["fields"], error
    assert snapshot(demo) == before


@pytest.mark.parametrize(
    "query",
    [{"limit": 0}, {"limit": 201}, {"limit": "ten"}, {"limit": 10**30}, {"offset": -1}, {"offset": 10**30}],
    ids=str,
)
def test_bad_audit_query_is_422(admin_api: Client, query: dict[str, Any]) -> None:
    error = assert_error(admin_api.get(f"{API}/audit", query), 422, "invalid")

    assert list(error["fields"]) == list(query)


@pytest.mark.parametrize("slug", ["not a slug", "x" * 61])
def test_malformed_org_slug_is_422(admin_api: Client, slug: str) -> None:
    error = assert_error(admin_api.get(f"/api/v1/orgs/{slug}/members"), 422, "invalid")

    assert list(error["fields"]) == ["org"]


def test_unknown_org_is_404(admin_api: Client) -> None:
    assert_error(admin_api.get("/api/v1/orgs/no-such-org/members"), 404, "not_found")


def test_malformed_json_is_400(admin_api: Client, demo: Organization) -> None:
    before = snapshot(demo)

    response = admin_api.post(f"{API}/roles", data="{not json", content_type="application/json")

    assert_error(response, 400, "error")
    assert snapshot(demo) == before


def test_bad_token_is_401(demo: Organization) -> None:
    client = Client(headers={"Authorization": "Bearer flk_not-a-real-token"})

    assert_error(client.get(f"{API}/members"), 401, "unauthenticated")
