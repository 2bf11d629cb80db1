"""Every form, sent empty, too long, of the wrong type, with unknown or foreign ids, or with markup.

Each bad request must answer 400 (404 for objects that are not there), say what is wrong, change nothing,
never fail with a 500, and show any submitted markup as text.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from flokk.core.models import AuditEntry
from flokk.teams.choices import Area
from flokk.teams.models import (
    AgencyAccess,
    ApiToken,
    Invitation,
    Membership,
    Organization,
    ResponsibilityAssignment,
    Role,
    User,
)
from flokk.teams.services.demo import demo_email
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.organizations import create_organization

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
PASSWORD = "a-long-and-fine-passphrase"
REQUIRED = "This field is required."
INVALID_CHOICE = "Select a valid choice."


@pytest.fixture
def ids(demo: Organization, outsider: User) -> dict[str, str]:
    """Ids the forms refer to: demo objects, and look-alikes from the organization "other"."""
    head = User.objects.get(email=demo_email("head-of-social"))
    other = Organization.objects.get(slug="other")
    custom = Role.objects.create(organization=demo, key="custom-reviewer", custom_name="Reviewer")
    _invitation, token = create_invitation(demo, email="new@demo.example", actor=head)
    create_organization(name="Studio", slug="studio", owner=User.objects.create_user("sam@studio.example"))
    return {
        "copywriter": str(Membership.objects.get(organization=demo, user__email=demo_email("copywriter")).pk),
        "role": str(Role.objects.get(organization=demo, key="analyst").pk),
        "custom_role": str(custom.pk),
        "foreign_role": str(Role.objects.get(organization=other, key="analyst").pk),
        "foreign_member": str(Membership.objects.get(organization=other).pk),
        "access": str(AgencyAccess.objects.get(client=demo).pk),
        "token": token,
        "unknown": str(uuid.uuid4()),
    }


def snapshot() -> dict[str, Any]:
    """Every row a form could change (sign-in failures are recorded on purpose, so they are left out)."""
    tables: dict[str, Any] = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (User, Organization, Membership, Role, Invitation, AgencyAccess, ApiToken)
    }
    tables["ResponsibilityAssignment"] = list(ResponsibilityAssignment.objects.order_by("pk").values())
    tables["Membership.roles"] = sorted(Membership.roles.through.objects.values_list("membership", "role"))
    tables["Invitation.roles"] = sorted(Invitation.roles.through.objects.values_list("invitation", "role"))
    tables["audit"] = sorted(
        AuditEntry.objects.exclude(action="teams.auth.sign_in_failed").values_list("action", "target_id")
    )
    return tables


ADMIN = "head-of-social"
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example"  # valid, but 255 characters
NOT_SAVED = "That change could not be saved"
BAD_SLUG = "Enter a valid “slug”"
ZONE = {"time_zone": "Europe/Oslo"}
LEVELS = {f"level_{area}": "0" for area in Area.values}
PASSWORDS = {"password1": PASSWORD, "password2": PASSWORD}


@dataclass(frozen=True)
class Case:
    """One bad request. Strings in `data` and `url` may name ids of the `ids` fixture: "{copywriter}"."""

    name: str
    data: dict[str, Any]
    status: int
    says: str | tuple[str, ...] = ()  # text the page must show
    url: str = ""  # when not the form's own address
    headers: dict[str, str] | None = None


# form: (who sends it, its address, the bad requests)
# fmt: off
BAD_INPUT: dict[str, tuple[str, str, list[Case]]] = {
    "login": ("anonymous", "/login/", [
        Case("empty", {}, 400, REQUIRED),
        Case("not-an-email", {"username": "bob", "password": "x"}, 400, "Enter a valid email address."),
        Case("markup", {"username": SCRIPT, "password": "x"}, 400, "Enter a valid email address."),
        Case("too-long", {"username": "a" * 400 + "@x.example", "password": "x"}, 400, "at most 320"),
        Case("nul", {"username": "copywriter@demo.example\x00", "password": "x"}, 400, "Null characters"),
        Case("no-password", {"username": "copywriter@demo.example"}, 400, REQUIRED),
    ]),
    "invite": (ADMIN, "/o/demo/invitations/", [
        Case("empty", {}, 400, REQUIRED),
        Case("markup", {"email": SCRIPT}, 400, "Enter a valid email address."),
        Case("too-long", {"email": LONG_EMAIL}, 400, "at most 254 characters"),
        Case("foreign-role", {"email": "x@demo.example", "roles": ["{foreign_role}"]}, 400, INVALID_CHOICE),
        Case("unknown-role", {"email": "x@demo.example", "roles": ["{unknown}"]}, 400, INVALID_CHOICE),
        Case("role-not-an-id", {"email": "x@demo.example", "roles": ["1"]}, 400, "“1” is not a valid value."),
        Case("a-member", {"email": "COPYWRITER@demo.example"}, 400,
             "copywriter@demo.example is already a member."),
        Case("revoke-unknown", {}, 404, url="/o/demo/invitations/{unknown}/revoke/"),
    ]),
    "member": (ADMIN, "/o/demo/members/{copywriter}/", [
        Case("foreign-role", {"roles": ["{role}", "{foreign_role}"]}, 400, INVALID_CHOICE),
        Case("unknown-role", {"roles": ["{unknown}"]}, 400, INVALID_CHOICE),
        Case("role-not-an-id", {"roles": [SCRIPT]}, 400, "is not a valid value."),
        Case("unknown", {"roles": ["{role}"]}, 404, url="/o/demo/members/{unknown}/"),
        Case("foreign", {"roles": ["{role}"]}, 404, url="/o/demo/members/{foreign_member}/"),
        Case("remove-unknown", {}, 404, url="/o/demo/members/{unknown}/remove/"),
    ]),
    "role": (ADMIN, "/o/demo/roles/new/", [
        Case("empty", {}, 400, REQUIRED),
        Case("blank-name", {"name": "   ", **LEVELS}, 400, REQUIRED),
        Case("name-too-long", {"name": "x" * 101, **LEVELS}, 400, "at most 100 characters"),
        Case("text-too-long", {"name": "Ok", "description": "x" * 301, **LEVELS}, 400,
             "at most 300 characters"),
        Case("level-too-high", {"name": "Ok", **LEVELS, "level_strategy": "9"}, 400, INVALID_CHOICE),
        Case("level-a-word", {"name": "Ok", **LEVELS, "level_strategy": "manage"}, 400, INVALID_CHOICE),
        Case("edit-bad-level", {"name": "X", **LEVELS, "level_analysis": "-1"}, 400, INVALID_CHOICE,
             url="/o/demo/roles/{custom_role}/"),
        Case("edit-blank-name", {"name": "", **LEVELS}, 400, REQUIRED, url="/o/demo/roles/{custom_role}/"),
        Case("edit-unknown", {"name": "X", **LEVELS}, 404, url="/o/demo/roles/{unknown}/"),
        Case("edit-foreign", {"name": "X", **LEVELS}, 404, url="/o/demo/roles/{foreign_role}/"),
        Case("delete-foreign", {}, 404, url="/o/demo/roles/{foreign_role}/delete/"),
    ]),
    "matrix-cell": (ADMIN, "/o/demo/matrix/cell/", [
        Case("empty", {}, 400, NOT_SAVED),
        Case("unknown-area", {"area": "gardening", "party": "{copywriter}", "part": "R"}, 400, NOT_SAVED),
        Case("unknown-part", {"area": "strategy", "party": "{copywriter}", "part": "Z"}, 400, NOT_SAVED),
        Case("party-not-an-id", {"area": "strategy", "party": SCRIPT, "part": "R"}, 400, NOT_SAVED),
        Case("party-unknown", {"area": "strategy", "party": "{unknown}", "part": "R"}, 404),
        Case("party-foreign", {"area": "strategy", "party": "{foreign_member}", "part": "R"}, 404),
        Case("agency-outside-its-areas", {"area": "strategy", "party": "{access}", "part": "R"}, 400,
             "Demo Agency has no access to Strategy"),
        Case("htmx", {"area": "strategy", "party": "{copywriter}", "part": "Z"}, 400, NOT_SAVED,
             headers={"HX-Request": "true"}),
    ]),
    "team-template": (ADMIN, "/o/demo/matrix/templates/solo/", [
        Case("unknown-template", {}, 404, url="/o/demo/matrix/templates/no-such-template/"),
        Case("unknown-person", {"owner": "{unknown}"}, 400, INVALID_CHOICE),
        Case("foreign-person", {"owner": "{foreign_member}"}, 400, INVALID_CHOICE),
        Case("markup", {"owner": SCRIPT}, 400, INVALID_CHOICE),
        Case("agency-as-person", {"owner": "{access}"}, 400, INVALID_CHOICE,
             url="/o/demo/matrix/templates/agency-run/"),
        Case("person-as-agency", {"agency": "{copywriter}"}, 400, INVALID_CHOICE,
             url="/o/demo/matrix/templates/agency-run/"),
    ]),
    "agency-grant": (ADMIN, "/o/demo/agencies/", [
        Case("empty", {}, 400, REQUIRED),
        Case("unknown", {"agency_slug": "nobody", "areas": ["planning"]}, 400,
             "No organization has the short name nobody."),
        Case("itself", {"agency_slug": "demo", "areas": ["planning"]}, 400,
             "An organization cannot be its own agency."),
        Case("twice", {"agency_slug": "demo-agency", "areas": ["planning"]}, 400,
             "Demo Agency already has access"),
        Case("no-areas", {"agency_slug": "studio"}, 400, REQUIRED),
        Case("unknown-area", {"agency_slug": "studio", "areas": ["planning", "x"]}, 400, INVALID_CHOICE),
        Case("markup", {"agency_slug": SCRIPT, "areas": ["planning"]}, 400, BAD_SLUG),
        Case("too-long", {"agency_slug": "s" * 61, "areas": ["planning"]}, 400, "at most 60 characters"),
        Case("revoke-unknown", {}, 404, url="/o/demo/agencies/{unknown}/revoke/"),
    ]),
    "agency-edit": (ADMIN, "/o/demo/agencies/{access}/", [
        Case("empty", {}, 400, REQUIRED),
        Case("unknown-area", {"areas": ["gardening"]}, 400, INVALID_CHOICE),
        Case("unknown", {"areas": ["planning"]}, 404, url="/o/demo/agencies/{unknown}/"),
    ]),
    "org-settings": (ADMIN, "/o/demo/settings/", [
        Case("empty", {}, 400, REQUIRED),
        Case("name-too-long", {"name": "x" * 151, "language": "en", **ZONE}, 400, "at most 150 characters"),
        Case("unknown-zone", {"name": "Demo", "language": "en", "time_zone": "Mars"}, 400, INVALID_CHOICE),
        Case("unknown-language", {"name": "Demo", "language": "xx", **ZONE}, 400, INVALID_CHOICE),
    ]),
    "profile": ("copywriter", "/account/", [
        Case("name-too-long", {"name": "x" * 151}, 400, "at most 150 characters"),
        Case("unknown-language", {"name": "C", "language": "klingon"}, 400, INVALID_CHOICE),
        Case("unknown-zone", {"name": "C", "time_zone": SCRIPT}, 400, INVALID_CHOICE),
    ]),
    "token": ("copywriter", "/account/tokens/", [
        Case("empty", {}, 400, REQUIRED),
        Case("blank", {"name": "   "}, 400, REQUIRED),
        Case("too-long", {"name": "x" * 101}, 400, "at most 100 characters"),
        Case("revoke-unknown", {}, 404, url="/account/tokens/{unknown}/revoke/"),
    ]),
    "new-organization": ("copywriter", "/orgs/new/", [
        Case("empty", {}, 400, REQUIRED),
        Case("name-too-long", {"name": "x" * 151, **ZONE}, 400, "at most 150 characters"),
        Case("bad-slug", {"name": "Acme", "slug": "acme corp!", **ZONE}, 400, BAD_SLUG),
        Case("slug-taken", {"name": "Acme", "slug": "DEMO", **ZONE}, 400, "That short name is taken."),
        Case("slug-too-long", {"name": "Acme", "slug": "a" * 61, **ZONE}, 400, "at most 60 characters"),
        Case("unknown-zone", {"name": "Acme", "time_zone": "Nowhere"}, 400, INVALID_CHOICE),
    ]),
    "accept-invitation": ("anonymous", "/invitations/{token}/", [
        Case("empty", {}, 400, REQUIRED),
        Case("passwords-differ", {"name": "New", "password1": PASSWORD, "password2": PASSWORD + "!"}, 400,
             "The two passwords differ."),
        Case("weak-password", {"name": "New", "password1": "password", "password2": "password"}, 400,
             ("This password is too short.", "This password is too common.")),
        Case("name-too-long", {"name": "x" * 151, **PASSWORDS}, 400, "at most 150 characters"),
        Case("blank-name", {"name": "  ", **PASSWORDS}, 400, REQUIRED),
        Case("unknown-link", {"name": "New", **PASSWORDS}, 404, "Invitation not valid",
             url="/invitations/x/"),
    ]),
}
# fmt: on


def client_of(who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(User.objects.get(email=demo_email(who)))
    return client


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return {key: fill(v, ids) for key, v in value.items()}


def check(client: Client, url: str, case: Case, ids: dict[str, str]) -> list[str]:
    """Send one bad request; what went wrong, if anything."""
    before = snapshot()
    response: HttpResponse = client.post(
        fill(case.url or url, ids), fill(case.data, ids), headers=case.headers or {}
    )  # a 500 would raise here
    page = response.content.decode()
    problems = []
    if response.status_code != case.status:
        problems.append(f"status {response.status_code}, expected {case.status}")
    for says in (case.says,) if isinstance(case.says, str) else case.says:
        if says not in html.unescape(page):
            problems.append(f"the page does not say {says!r}")
    if snapshot() != before:
        problems.append("the database changed")
    if SCRIPT in page or "<script>alert" in page:
        problems.append("markup from the request is in the page unescaped")
    return [f"{case.name}: {problem}" for problem in problems]


@pytest.mark.parametrize("form", list(BAD_INPUT))
def test_bad_input_is_refused_and_changes_nothing(ids, form):
    # Given someone who may use the form
    who, url, cases = BAD_INPUT[form]
    client = client_of(who)
    problems = []
    for case in cases:
        cache.clear()  # failed sign-ins from the previous case must not block this one
        # When they send it with bad content (each request is undone, so every case starts alike)
        with transaction.atomic():
            problems += check(client, url, case, ids)
            transaction.set_rollback(True)
    # Then it is refused with a reason, nothing changed, and what they typed is shown as text
    assert not problems, "\n".join(problems)


def test_a_wrong_code_at_the_second_step(demo, member):
    user = member("copywriter")
    user.totp_secret, user.totp_enabled = "JBSWY3DPEHPK3PXP", True
    user.save()
    client = Client()
    client.post("/login/", {"username": user.email, "password": settings.DEMO_PASSWORD})
    for code in ("", SCRIPT, "12345678901", "abcdef"):
        response = client.post("/login/verify/", {"code": code})
        assert response.status_code == 400
        assert "Two-factor sign-in" in response.content.decode()
        assert SCRIPT not in response.content.decode()
        assert client.session.get("_auth_user_id") is None


def test_query_strings_with_odd_characters_do_not_break_pages(demo, member):
    admin = client_of(ADMIN)
    for path in (
        "/o/demo/audit/?action=%00",
        "/o/demo/audit/?action=" + "x" * 5000,
        "/o/demo/audit/?page=-1",
        "/o/demo/audit/?page=" + SCRIPT,
        "/switch/?org=%00",
        "/switch/?org=" + SCRIPT,
        "/login/?next=%00",
    ):
        response = admin.get(path)
        assert response.status_code in (200, 302), path
        assert SCRIPT not in response.content.decode()
    assert SCRIPT not in admin.get("/o/demo/audit/", {"action": SCRIPT}).content.decode()


# --- markup in names is shown as text --------------------------------------------------------------
def assert_escaped(page: str) -> None:
    assert ESCAPED in page
    assert SCRIPT not in page


def test_a_person_named_script_is_shown_as_text(demo, member, ids):
    # Given someone who joins with markup as their name
    newcomer = Client()
    response = newcomer.post(
        f"/invitations/{ids['token']}/", {"name": SCRIPT, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    # Then every page that shows their name shows the text
    assert_escaped(newcomer.get("/o/demo/").content.decode())  # the top bar
    admin = client_of(ADMIN)
    new_member = Membership.objects.get(user__email="new@demo.example")
    for path in ("/o/demo/members/", "/o/demo/matrix/", f"/o/demo/members/{new_member.pk}/"):
        assert_escaped(admin.get(path).content.decode())
    admin.post("/o/demo/matrix/cell/", {"area": "strategy", "party": new_member.pk, "part": "R"})
    assert_escaped(admin.get("/o/demo/matrix/templates/solo/").content.decode())
    removed = admin.post(f"/o/demo/members/{new_member.pk}/remove/", follow=True)
    assert_escaped(removed.content.decode())  # "... was removed."


def test_markup_in_a_profile_name_is_shown_as_text(demo, member):
    client = client_of("copywriter")
    client.post("/account/", {"name": SCRIPT, "language": "", "time_zone": ""})
    assert_escaped(client.get("/account/").content.decode())
    assert_escaped(client_of(ADMIN).get("/o/demo/members/").content.decode())


def test_markup_in_role_organization_and_token_names_is_shown_as_text(demo, member):
    admin = client_of(ADMIN)
    # A custom role
    assert (
        admin.post("/o/demo/roles/new/", {"name": SCRIPT, "description": SCRIPT, **LEVELS}).status_code == 302
    )
    assert_escaped(admin.get("/o/demo/roles/").content.decode())
    copywriter = Membership.objects.get(user__email=demo_email("copywriter"))
    assert_escaped(admin.get(f"/o/demo/members/{copywriter.pk}/").content.decode())  # a role to tick
    # The organization's name
    admin.post("/o/demo/settings/", {"name": SCRIPT, "time_zone": "Europe/Oslo", "language": "en"})
    for path in ("/o/demo/", "/o/demo/settings/", "/o/demo/audit/"):
        assert_escaped(admin.get(path).content.decode())
    # A token
    tokens = client_of("copywriter")
    assert_escaped(tokens.post("/account/tokens/", {"name": SCRIPT}).content.decode())


def test_markup_in_a_new_organization_and_agency_name_is_shown_as_text(demo, member):
    # Given an agency whose name is markup
    founder = client_of("copywriter")
    response = founder.post("/orgs/new/", {"name": SCRIPT, "time_zone": "Europe/Oslo"})
    assert response.status_code == 302
    agency = Organization.objects.get(name=SCRIPT)
    assert_escaped(founder.get(response["Location"]).content.decode())
    # When the demo gives it access
    admin = client_of(ADMIN)
    granted = admin.post(
        "/o/demo/agencies/", {"agency_slug": agency.slug, "areas": ["planning"]}, follow=True
    )
    # Then its name is text on the agencies page, the message, the matrix and the agency's side
    assert_escaped(granted.content.decode())
    assert_escaped(admin.get("/o/demo/matrix/").content.decode())
    assert_escaped(admin.get("/o/demo/audit/").content.decode())
    assert_escaped(founder.get(f"/o/{agency.slug}/agencies/").content.decode())
