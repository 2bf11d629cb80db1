"""Who may open which page: every organization URL for every built-in role, the agency, an outsider and
an anonymous visitor; objects of another organization; and the pages of one's own account.

The expectations come from the tables below, written from the product rules, not read from the views:
`org.member` pages are open to every member and to agency people; `org.admin` pages only to admins
(403 for everyone else in the organization); outsiders get 404 (the organization might as well not
exist); anonymous visitors are sent to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, reverse

from flokk.core.models import AuditEntry
from flokk.teams import urls as teams_urls
from flokk.teams.choices import BUILTIN_ROLES, Area
from flokk.teams.models import AgencyAccess, Invitation, Membership, Organization, Role, User
from flokk.teams.services.agencies import grant_agency_access
from flokk.teams.services.demo import demo_email
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.organizations import create_organization
from flokk.teams.services.roles import create_custom_role
from flokk.teams.services.tokens import create_api_token

MEMBER, ADMIN = "org.member", "org.admin"
# Outcomes, as a person would see them.
OPEN = "page"  # 200: the page
DONE = "done"  # 302 to somewhere other than the sign-in page: the change was made
LOGIN = "sign-in"  # 302 to the sign-in page
FORBIDDEN = "403"
NOT_FOUND = "404"

ADMIN_ROLES = {"head-of-social"}
SUBJECTS = [*BUILTIN_ROLES, "agency", "outsider", "anonymous"]


@dataclass
class World:
    """The demo plus one object of each kind in the demo and in another organization."""

    demo: Organization
    other: Organization
    role_ids: dict[str, str]  # built-in role key -> id, in the demo
    ids: dict[str, str]  # URL keyword -> id of a demo object
    foreign: dict[str, str] = field(default_factory=dict)  # URL keyword -> id of an object of "other"


@pytest.fixture
def world(demo: Organization, outsider: User) -> World:
    head = User.objects.get(email=demo_email("head-of-social"))
    other = Organization.objects.get(slug="other")
    custom = create_custom_role(demo, name="Reviewer", grants={"strategy": 1}, actor=head)
    invitation, _token = create_invitation(demo, email="invited@demo.example", actor=head)
    studio_owner = User.objects.create_user("owner@studio.example", "studio-password-1")
    create_organization(name="Studio", slug="studio", owner=studio_owner)

    foreign_role = create_custom_role(other, name="Other role", grants={"strategy": 1}, actor=outsider)
    foreign_invitation, _token = create_invitation(other, email="invited@other.example", actor=outsider)
    foreign_access = grant_agency_access(other, agency_slug="studio", areas=["planning"], actor=outsider)
    return World(
        demo=demo,
        other=other,
        role_ids={r.key: str(r.pk) for r in Role.objects.filter(organization=demo, is_builtin=True)},
        ids={
            "member_id": str(
                Membership.objects.get(organization=demo, user__email=demo_email("copywriter")).pk
            ),
            "invitation_id": str(invitation.pk),
            "role_id": str(custom.pk),
            "access_id": str(AgencyAccess.objects.get(client=demo).pk),
            "template_key": "solo",
        },
        foreign={
            "member_id": str(Membership.objects.get(organization=other, user=outsider).pk),
            "invitation_id": str(foreign_invitation.pk),
            "role_id": str(foreign_role.pk),
            "builtin_role_id": str(Role.objects.get(organization=other, key="copywriter").pk),
            "access_id": str(foreign_access.pk),
        },
    )


def _levels(**levels: int) -> dict[str, str]:
    return {f"level_{area}": str(levels.get(area, 0)) for area in Area.values}


Payload = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    permission: str
    objects: tuple[str, ...] = ()  # URL keywords naming objects of the organization
    data: Payload | None = None  # a valid form, for POST
    allowed: str = OPEN  # what someone who may sees

    @property
    def label(self) -> str:
        return f"{self.method} {self.name}"


# Every URL under /o/<org>/: who may use it, and what a permitted request does.
ORG_ENDPOINTS = [
    Endpoint("org_home", "GET", MEMBER),
    Endpoint("members", "GET", MEMBER),
    Endpoint("member_edit", "GET", ADMIN, ("member_id",)),
    Endpoint(
        "member_edit",
        "POST",
        ADMIN,
        ("member_id",),
        lambda w: {"roles": [w.role_ids["copywriter"], w.role_ids["analyst"]]},
        DONE,
    ),
    Endpoint("member_remove", "POST", ADMIN, ("member_id",), lambda w: {}, DONE),
    Endpoint(
        "invite",
        "POST",
        ADMIN,
        (),
        lambda w: {"email": "newcomer@demo.example", "roles": [w.role_ids["copywriter"]]},
        DONE,
    ),
    Endpoint("invitation_revoke", "POST", ADMIN, ("invitation_id",), lambda w: {}, DONE),
    Endpoint("invitation_resend", "POST", ADMIN, ("invitation_id",), lambda w: {}, DONE),
    Endpoint("roles", "GET", MEMBER),
    Endpoint("role_create", "GET", ADMIN),
    Endpoint("role_create", "POST", ADMIN, (), lambda w: {"name": "Editor", **_levels(planning=2)}, DONE),
    Endpoint("role_edit", "GET", ADMIN, ("role_id",)),
    Endpoint("role_edit", "POST", ADMIN, ("role_id",), lambda w: {"name": "Critic", **_levels()}, DONE),
    Endpoint("role_delete", "POST", ADMIN, ("role_id",), lambda w: {}, DONE),
    Endpoint("matrix", "GET", MEMBER),
    Endpoint(
        "matrix_cell",
        "POST",
        ADMIN,
        (),
        lambda w: {"area": "strategy", "party": w.ids["member_id"], "part": "C"},
        DONE,
    ),
    Endpoint("team_templates", "GET", MEMBER),
    Endpoint("team_template_apply", "GET", ADMIN, ("template_key",)),
    Endpoint(
        "team_template_apply", "POST", ADMIN, ("template_key",), lambda w: {"owner": w.ids["member_id"]}, DONE
    ),
    Endpoint("agencies", "GET", ADMIN),
    Endpoint("agencies", "POST", ADMIN, (), lambda w: {"agency_slug": "studio", "areas": ["planning"]}, DONE),
    Endpoint("agency_edit", "GET", ADMIN, ("access_id",)),
    Endpoint("agency_edit", "POST", ADMIN, ("access_id",), lambda w: {"areas": ["production"]}, DONE),
    Endpoint("agency_revoke", "POST", ADMIN, ("access_id",), lambda w: {}, DONE),
    Endpoint("audit", "GET", ADMIN),
    Endpoint("org_settings", "GET", ADMIN),
    Endpoint(
        "org_settings",
        "POST",
        ADMIN,
        (),
        lambda w: {"name": "Demo renamed", "time_zone": "Europe/Oslo", "language": "en"},
        DONE,
    ),
]


def expected(subject: str, endpoint: Endpoint) -> str:
    if subject == "anonymous":
        return LOGIN
    if subject == "outsider":
        return NOT_FOUND
    if endpoint.permission == MEMBER or subject in ADMIN_ROLES:
        return endpoint.allowed
    return FORBIDDEN


def outcome(response: HttpResponse) -> str:
    if response.status_code == 200:
        return OPEN
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("teams:login") + "?next=") else DONE
    return str(response.status_code)


def client_of(subject: str, client_for: Callable[[User], Client]) -> Client:
    if subject == "anonymous":
        return Client()
    email = {"agency": "producer@demo-agency.example", "outsider": "outsider@other.example"}.get(
        subject, demo_email(subject)
    )
    return client_for(User.objects.get(email=email))


def send(client: Client, endpoint: Endpoint, world: World, org: str = "demo", **ids: str) -> HttpResponse:
    kwargs = {"org": org, **{key: ids.get(key, world.ids[key]) for key in endpoint.objects}}
    url = reverse(f"teams:{endpoint.name}", kwargs=kwargs)
    if endpoint.method == "POST":
        data = endpoint.data(world) if endpoint.data else {}
        return client.post(url, data)
    return client.get(url)


def test_the_table_covers_every_organization_url():
    org_urls = {
        p.name
        for p in teams_urls.urlpatterns
        if isinstance(p, URLPattern) and str(p.pattern).startswith(teams_urls.org)
    }
    assert org_urls == {e.name for e in ORG_ENDPOINTS}


@pytest.mark.parametrize("subject", SUBJECTS)
def test_organization_pages_by_role(world, client_for, subject):
    # Given a person with one built-in role (or the agency's producer, an outsider, nobody signed in)
    client = client_of(subject, client_for)
    wrong = []
    for endpoint in ORG_ENDPOINTS:
        # When they open the page or send its form (each request is undone, so the next starts clean)
        with transaction.atomic():
            audit_before = AuditEntry.objects.count()
            response = send(client, endpoint, world)
            written = AuditEntry.objects.count() - audit_before
            transaction.set_rollback(True)
        # Then they see what the rules say, and a refused request changes nothing
        want, got = expected(subject, endpoint), outcome(response)
        if got != want:
            wrong.append(f"{endpoint.label}: expected {want}, got {got}")
        elif want in (LOGIN, FORBIDDEN, NOT_FOUND) and written:
            wrong.append(f"{endpoint.label}: refused, but wrote {written} audit entries")
    assert not wrong, "\n".join(wrong)


def test_a_refused_page_says_why(world, member, client_for):
    response = client_for(member("copywriter")).get(reverse("teams:audit", kwargs={"org": "demo"}))
    assert response.status_code == 403
    assert "Your roles in this organization do not allow this" in response.content.decode()


def test_outsiders_cannot_tell_an_existing_organization_from_a_missing_one(world, outsider, client_for):
    client = client_for(outsider)
    existing = client.get("/o/demo/members/")
    missing = client.get("/o/no-such-org/members/")
    assert existing.status_code == missing.status_code == 404
    assert "Demo" not in existing.content.decode()
    assert existing.content.decode().count("Not found") == missing.content.decode().count("Not found") > 0


def test_anonymous_visitors_come_back_to_the_page_after_signing_in(world):
    response = Client().get("/o/demo/matrix/")
    assert response.status_code == 302
    assert response["Location"] == reverse("teams:login") + "?next=/o/demo/matrix/"


def test_a_removed_member_is_an_outsider(world, member, client_for):
    copywriter = member("copywriter")
    Membership.objects.filter(user=copywriter, organization=world.demo).update(is_active=False)
    assert client_for(copywriter).get("/o/demo/").status_code == 404


def test_a_revoked_agency_is_an_outsider(world, agency_user, client_for):
    AgencyAccess.objects.filter(client=world.demo).update(revoked_at="2020-01-01T00:00:00Z")
    assert client_for(agency_user).get("/o/demo/").status_code == 404


# Object URLs with the id of an object that belongs to another organization: 404 even for the admin.
FOREIGN_OBJECT_REQUESTS = [
    ("member_edit", "GET", "member_id", "member_id", None),
    ("member_edit", "POST", "member_id", "member_id", lambda w: {"roles": [w.role_ids["analyst"]]}),
    ("member_remove", "POST", "member_id", "member_id", None),
    ("invitation_revoke", "POST", "invitation_id", "invitation_id", None),
    ("invitation_resend", "POST", "invitation_id", "invitation_id", None),
    ("role_edit", "GET", "role_id", "role_id", None),
    ("role_edit", "GET", "role_id", "builtin_role_id", None),
    ("role_edit", "POST", "role_id", "role_id", lambda w: {"name": "Taken over", **_levels()}),
    ("role_delete", "POST", "role_id", "role_id", None),
    ("agency_edit", "GET", "access_id", "access_id", None),
    ("agency_edit", "POST", "access_id", "access_id", lambda w: {"areas": ["production"]}),
    ("agency_revoke", "POST", "access_id", "access_id", None),
]


@pytest.mark.parametrize(
    ("name", "method", "keyword", "foreign_key", "data"),
    FOREIGN_OBJECT_REQUESTS,
    ids=[f"{r[1]}-{r[0]}-{r[3]}" for r in FOREIGN_OBJECT_REQUESTS],
)
def test_objects_of_another_organization_are_not_found(
    world, member, client_for, name, method, keyword, foreign_key, data
):
    # Given the demo's admin, and an object of the organization "other"
    client = client_for(member("head-of-social"))
    snapshot = _snapshot(world.other)
    audit_before = AuditEntry.objects.count()
    # When they use it through a demo address
    endpoint = Endpoint(name, method, ADMIN, (keyword,), data)
    response = send(client, endpoint, world, **{keyword: world.foreign[foreign_key]})
    # Then it does not exist for them, and nothing changed in the other organization
    assert response.status_code == 404
    assert _snapshot(world.other) == snapshot
    assert AuditEntry.objects.count() == audit_before


def _snapshot(organization: Organization) -> dict[str, Any]:
    return {
        "members": sorted(
            (str(m.pk), m.is_active, m.is_admin, sorted(r.key for r in m.roles.all()))
            for m in Membership.objects.filter(organization=organization)
        ),
        "roles": sorted(
            (str(r.pk), r.custom_name, r.grants) for r in Role.objects.filter(organization=organization)
        ),
        "invitations": sorted(
            (str(i.pk), i.revoked_at is None) for i in Invitation.objects.filter(organization=organization)
        ),
        "grants": sorted(
            (str(a.pk), a.areas, a.revoked_at is None)
            for a in AgencyAccess.objects.filter(client=organization)
        ),
    }


def test_the_admin_of_the_other_organization_cannot_reach_demo_objects_through_their_own(
    world, outsider, client_for
):
    client = client_for(outsider)
    member_id = world.ids["member_id"]
    assert client.get(f"/o/other/members/{member_id}/").status_code == 404
    assert client.post(f"/o/other/members/{member_id}/remove/").status_code == 404
    assert client.get(f"/o/other/roles/{world.ids['role_id']}/").status_code == 404
    assert client.get(f"/o/other/agencies/{world.ids['access_id']}/").status_code == 404
    assert Membership.objects.get(pk=member_id).is_active


# Pages outside any organization: which need a signed-in person.
ACCOUNT_ENDPOINTS = {
    # name: (method, needs sign-in)
    "home": ("GET", True),
    "switch_organization": ("GET", True),
    "create_organization": ("GET", True),
    "profile": ("GET", True),
    "two_factor": ("GET", True),
    "api_tokens": ("GET", True),
    "revoke_token": ("POST", True),
    "login": ("GET", False),
    "login_verify": ("GET", False),
    "logout": ("POST", False),
    "password_reset": ("GET", False),
    "password_reset_done": ("GET", False),
    "password_reset_confirm": ("GET", False),
    "password_reset_complete": ("GET", False),
    "accept_invitation": ("GET", False),
}
URL_ARGS = {
    "revoke_token": {"token_id": "00000000-0000-0000-0000-000000000000"},
    "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
    "accept_invitation": {"token": "no-such-token"},
}


def test_the_account_table_covers_every_other_url():
    names = {
        p.name
        for p in teams_urls.urlpatterns
        if isinstance(p, URLPattern) and not str(p.pattern).startswith(teams_urls.org)
    }
    assert names == set(ACCOUNT_ENDPOINTS)


@pytest.mark.parametrize("name", sorted(n for n, (_m, needs) in ACCOUNT_ENDPOINTS.items() if needs))
def test_account_pages_need_sign_in(db, name):
    method, _needs = ACCOUNT_ENDPOINTS[name]
    url = reverse(f"teams:{name}", kwargs=URL_ARGS.get(name))
    response = Client().post(url) if method == "POST" else Client().get(url)
    assert outcome(response) == LOGIN


@pytest.mark.parametrize("name", sorted(n for n, (_m, needs) in ACCOUNT_ENDPOINTS.items() if not needs))
def test_public_pages_do_not_ask_for_sign_in(db, name):
    method, _needs = ACCOUNT_ENDPOINTS[name]
    url = reverse(f"teams:{name}", kwargs=URL_ARGS.get(name))
    response = Client().post(url) if method == "POST" else Client().get(url)
    assert outcome(response) != LOGIN
    assert response.status_code < 500


def test_nobody_revokes_someone_elses_token(world, member, client_for):
    token, _clear = create_api_token(member("copywriter"), name="laptop")
    response = client_for(member("head-of-social")).post(
        reverse("teams:revoke_token", kwargs={"token_id": token.pk})
    )
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
