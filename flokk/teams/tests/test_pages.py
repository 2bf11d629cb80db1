"""The teams pages as a person uses them: joining, signing in, two-factor, roles, the matrix, agencies."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from django.conf import settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from flokk.core.models import AuditEntry
from flokk.teams.choices import Area
from flokk.teams.models import (
    AgencyAccess,
    Invitation,
    Membership,
    Organization,
    ResponsibilityAssignment,
    Role,
    User,
)
from flokk.teams.services.demo import demo_email
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.members import add_member
from flokk.teams.services.organizations import create_organization

NEW_PASSWORD = "a-long-and-fine-passphrase"


# --- helpers ----------------------------------------------------------------------------------------
def text(response: HttpResponse) -> str:
    return response.content.decode()


def actions(organization: Organization) -> list[str]:
    return list(AuditEntry.objects.for_org(organization).values_list("action", flat=True))


def membership(email: str, org: str = "demo") -> Membership:
    return Membership.objects.get(user__email=email, organization__slug=org)


def role_id(key: str, org: str = "demo") -> str:
    return str(Role.objects.get(organization__slug=org, key=key).pk)


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def sign_in(client: Client, email: str, password: str = settings.DEMO_PASSWORD) -> HttpResponse:
    return client.post("/login/", {"username": email, "password": password})


def access_levels(page: str) -> dict[str, str]:
    """Area label -> level, read from the "Your access" table of the organization's overview."""
    rows = re.findall(r"<tr><td>([^<]+)</td><td>(?:<span class=\"muted\">)?([^<]+)", page)
    return {label.replace("&amp;", "&"): level for label, level in rows}


def matrix_cell(page: str, area: str, party_id: object) -> str:
    """The part selected in one cell of the editable matrix ('' for none)."""
    match = re.search(
        rf'name="area" value="{area}"><input type="hidden" name="party" value="{party_id}">\s*'
        r"<select[^>]*>(.*?)</select>",
        page,
        re.S,
    )
    assert match, f"no cell for {area}/{party_id}"
    selected = re.search(r'<option value="(\w?)" selected', match.group(1))
    return selected.group(1) if selected else ""


def warnings(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<p class="warning" data-code="(\w+)">([^<]*)</p>', page)


def link_in_last_mail(pattern: str) -> str:
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def next_totp_code(secret: str) -> str:
    """The app's next code: each code works once, and turning two-factor on spends the current one."""
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + totp.interval)


def totp_code(secret: str, wrong: bool = False) -> str:
    totp = pyotp.TOTP(secret)
    if not wrong:
        return totp.now()
    valid = {totp.at(time.time() + offset) for offset in (-60, -30, 0, 30, 60)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


# --- invitations ------------------------------------------------------------------------------------
def test_an_invited_person_joins_with_the_invited_roles(
    demo, member, client_for, django_capture_on_commit_callbacks
):
    # Given the head of social invites Nora as copywriter and analyst
    admin = client_for(member("head-of-social"))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/o/demo/invitations/",
            {"email": "Nora@New.example", "roles": [role_id("copywriter"), role_id("analyst")]},
        )
    assert response.status_code == 302
    assert "nora@new.example" in text(admin.get("/o/demo/members/"))

    # Then Nora gets an e-mail with a link
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nora@new.example"]
    assert "Demo" in mail.outbox[0].subject
    link = link_in_last_mail(r"https?://[^/\s]+(/invitations/[^/\s]+/)")

    # When she opens it, chooses a name and a password
    nora = Client()
    page = nora.get(link)
    assert page.status_code == 200
    assert "Join Demo" in text(page)
    response = nora.post(link, {"name": "Nora New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    # Then she is signed in, in the demo, with exactly the invited roles
    assert response.status_code == 302
    assert response["Location"] == "/o/demo/"
    home = nora.get("/o/demo/")
    assert home.status_code == 200
    assert "Nora New" in text(home)
    joined = membership("nora@new.example")
    assert sorted(r.key for r in joined.roles.all()) == ["analyst", "copywriter"]
    assert not joined.is_admin
    assert {"teams.member.invited", "teams.invitation.accepted"} <= set(actions(demo))
    assert User.objects.get(email="nora@new.example").check_password(NEW_PASSWORD)

    # And the link does not work a second time
    again = Client().get(link)
    assert again.status_code == 404
    assert "Invitation not valid" in text(again)
    assert "No pending invitations." in text(admin.get("/o/demo/members/"))


def test_an_admin_invitation_makes_an_admin(demo, member):
    _invitation, token = create_invitation(
        demo, email="co-admin@demo.example", is_admin=True, actor=member("head-of-social")
    )
    Client().post(
        f"/invitations/{token}/", {"name": "Co Admin", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert membership("co-admin@demo.example").is_admin


@pytest.mark.parametrize("state", ["expired", "revoked", "accepted", "replaced", "unknown"])
def test_a_link_that_no_longer_works_shows_the_invalid_page(demo, member, state):
    # Given an invitation that expired, was withdrawn, was used, or was replaced by a newer one
    head = member("head-of-social")
    invitation, token = create_invitation(demo, email="late@demo.example", actor=head)
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    elif state == "revoked":
        admin = Client()
        admin.force_login(head)
        assert admin.post(f"/o/demo/invitations/{invitation.pk}/revoke/").status_code == 302
    elif state == "accepted":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    elif state == "replaced":
        create_invitation(demo, email="late@demo.example", actor=head)
    else:
        token = "not-a-real-token"
    # When the person opens the link, or sends the form anyway
    client = Client()
    opened = client.get(f"/invitations/{token}/")
    sent = client.post(
        f"/invitations/{token}/", {"name": "Late", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    # Then they see that it is not valid, and no account is made
    assert opened.status_code == sent.status_code == 404
    assert "Invitation not valid" in text(opened)
    assert not User.objects.filter(email="late@demo.example").exists()
    assert signed_in_user(client) is None


def test_someone_with_an_account_signs_in_and_then_accepts(demo, member, outsider, client_for):
    # Given the outsider (who runs another organization) is invited to the demo as analyst
    invitation, token = create_invitation(
        demo,
        email="outsider@other.example",
        roles=[Role.objects.get(organization=demo, key="analyst")],
        actor=member("head-of-social"),
    )
    link = f"/invitations/{token}/"
    # When they open the link without being signed in, they are asked to sign in first
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200
    assert "Sign in to accept" in text(page)
    assert f"/login/?next={link}" in text(page).replace("%2F", "/")
    assert visitor.post(link).status_code == 200
    assert not Membership.objects.filter(organization=demo, user=outsider).exists()

    # When someone else who is signed in tries to accept it, it is refused
    wrong = client_for(member("copywriter")).post(link)
    assert wrong.status_code == 400
    assert "sent to another e-mail address" in text(wrong)
    assert not Membership.objects.filter(organization=demo, user=outsider).exists()

    # When they sign in, they come back to the link and accept
    response = visitor.post(
        "/login/", {"username": "outsider@other.example", "password": "outsider-password-1", "next": link}
    )
    assert response["Location"] == link
    accepted = visitor.post(link)
    assert accepted.status_code == 302
    assert accepted["Location"] == "/o/demo/"
    # Then they are in both organizations, with the invited role in the demo
    joined = membership("outsider@other.example")
    assert [r.key for r in joined.roles.all()] == ["analyst"]
    assert membership("outsider@other.example", org="other").is_admin
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


# --- signing in and out -----------------------------------------------------------------------------
def test_sign_in_and_out(demo, member):
    client = Client()
    assert client.get("/login/").status_code == 200
    # When the copywriter signs in with the right password
    response = sign_in(client, demo_email("copywriter"))
    # Then they land in their only organization, and the sign-in is in its audit log
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] == "/o/demo/"
    assert signed_in_user(client) == member("copywriter")
    entry = AuditEntry.objects.for_org(demo).filter(action="teams.auth.signed_in").first()
    assert entry is not None
    assert entry.actor == member("copywriter")
    assert entry.ip_address == "127.0.0.1"
    # When they sign out, pages ask for sign-in again
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/")["Location"] == "/login/"
    assert signed_in_user(client) is None
    assert client.get("/o/demo/")["Location"].startswith("/login/")
    assert "teams.auth.signed_out" in actions(demo)


def test_a_wrong_password_is_refused_with_a_clear_message(demo):
    client = Client()
    response = sign_in(client, demo_email("copywriter"), "not-the-password")
    assert response.status_code == 400
    assert "That e-mail and password do not match" in text(response)
    assert signed_in_user(client) is None
    assert "teams.auth.sign_in_failed" in actions(demo)


def test_sign_in_does_not_send_people_to_other_sites(demo):
    client = Client()
    response = client.post(
        "/login/",
        {
            "username": demo_email("copywriter"),
            "password": settings.DEMO_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_after_too_many_failures_even_the_right_password_is_refused(demo, member):
    email = demo_email("copywriter")
    client = Client()
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        assert sign_in(client, email, "guess").status_code == 400
    # The right password now gets the same refusal
    response = sign_in(client, email, settings.DEMO_PASSWORD)
    assert response.status_code == 429
    assert "Too many failed attempts" in text(response)
    assert signed_in_user(client) is None
    # ... also from another address and with other capitals: the limit is per e-mail
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert sign_in(elsewhere, email.upper(), settings.DEMO_PASSWORD).status_code == 429
    assert signed_in_user(elsewhere) is None
    # ... while another person (from another address) still signs in
    other = Client(REMOTE_ADDR="10.9.8.6")
    assert sign_in(other, demo_email("analyst")).status_code == 302
    assert signed_in_user(other) == member("analyst")


# --- two-factor -------------------------------------------------------------------------------------
def _turn_on_two_factor(client: Client) -> str:
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    secret = re.search(r'<code id="totp-secret">(\w+)</code>', text(page))
    assert secret
    response = client.post("/account/two-factor/", {"code": totp_code(secret.group(1))})
    assert response.status_code == 302
    return secret.group(1)


def test_two_factor_sign_in(demo, member, client_for):
    copywriter = member("copywriter")
    client = client_for(copywriter)
    # A wrong code does not turn it on
    client.get("/account/two-factor/")
    secret = client.session["flokk_totp_setup"]
    refused = client.post("/account/two-factor/", {"code": totp_code(secret, wrong=True)})
    assert refused.status_code == 400
    assert "That code is not right" in text(refused)
    copywriter.refresh_from_db()
    assert not copywriter.totp_enabled
    # When the copywriter confirms a code from the app, two-factor is on
    secret = _turn_on_two_factor(client)
    copywriter.refresh_from_db()
    assert copywriter.totp_enabled
    assert "teams.auth.two_factor_enabled" in actions(demo)
    assert "Two-factor sign-in is on." in text(client.get("/account/"))

    # Then signing in takes a second step
    browser = Client()
    response = sign_in(browser, copywriter.email)
    assert response["Location"] == "/login/verify/"
    assert signed_in_user(browser) is None
    assert browser.get("/o/demo/")["Location"].startswith("/login/")
    # ... a wrong code is refused
    wrong = browser.post("/login/verify/", {"code": totp_code(secret, wrong=True)})
    assert wrong.status_code == 400
    assert "That code is not right" in text(wrong)
    assert signed_in_user(browser) is None
    # ... the right one signs in
    right = browser.post("/login/verify/", {"code": next_totp_code(secret)})
    assert right.status_code == 302
    assert signed_in_user(browser) == copywriter
    assert browser.get("/o/demo/").status_code == 200
    # ... and that code cannot be used again
    again = Client()
    sign_in(again, copywriter.email)
    replay = again.post("/login/verify/", {"code": next_totp_code(secret)})
    assert replay.status_code == 400
    assert signed_in_user(again) is None


def test_wrong_codes_at_the_second_step_count_as_failed_sign_ins(demo, member, client_for):
    secret = _turn_on_two_factor(client_for(member("copywriter")))
    browser = Client()
    sign_in(browser, demo_email("copywriter"))
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT):
        assert browser.post("/login/verify/", {"code": totp_code(secret, wrong=True)}).status_code == 400
    blocked = browser.post("/login/verify/", {"code": totp_code(secret)})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in text(blocked)
    assert signed_in_user(browser) is None


def test_the_second_step_cannot_be_skipped(demo, member, client_for):
    _turn_on_two_factor(client_for(member("copywriter")))
    browser = Client()
    sign_in(browser, demo_email("copywriter"))
    assert browser.get("/o/demo/members/")["Location"].startswith("/login/")
    assert browser.get("/account/")["Location"].startswith("/login/")


def test_an_organization_that_requires_two_factor_sends_members_to_set_it_up(demo, member, client_for):
    # Given the admin requires two-factor sign-in for the demo
    admin = client_for(member("head-of-social"))
    response = admin.post(
        "/o/demo/settings/",
        {"name": "Demo", "time_zone": "Europe/Stockholm", "language": "en", "require_two_factor": "on"},
    )
    assert response.status_code == 302
    # When a member without two-factor opens any page, they are sent to the setup page
    copywriter = client_for(member("copywriter"))
    for path in ("/o/demo/", "/o/demo/matrix/", "/account/", "/"):
        response = copywriter.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/account/two-factor/?required=1"
    page = copywriter.get("/account/two-factor/?required=1")
    assert "Your organization requires two-factor sign-in" in text(page)
    # Once set up, pages open again, and two-factor cannot be turned off while required
    secret = _turn_on_two_factor(copywriter)
    assert copywriter.get("/o/demo/").status_code == 200
    refused = copywriter.post("/account/two-factor/", {"code": next_totp_code(secret)})
    assert refused.status_code == 400
    assert "requires two-factor sign-in" in text(refused)
    assert User.objects.get(email=demo_email("copywriter")).totp_enabled


# --- password reset ---------------------------------------------------------------------------------
def test_password_reset_by_email(demo, member):
    client = Client()
    response = client.post("/password/reset/", {"email": demo_email("copywriter")})
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [demo_email("copywriter")]
    link = link_in_last_mail(r"https?://[^/\s]+(/password/reset/[^/\s]+/[^/\s]+/)")
    # The link leads to the form for a new password
    form_url = client.get(link)["Location"]
    assert client.get(form_url).status_code == 200
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/password/reset/complete/"
    # The new password works, the old one does not, and the link is spent
    assert sign_in(Client(), demo_email("copywriter"), settings.DEMO_PASSWORD).status_code == 400
    assert sign_in(Client(), demo_email("copywriter"), NEW_PASSWORD).status_code == 302
    spent = Client().get(link, follow=True)
    assert "This link has been used or has expired" in text(spent)


def test_password_reset_does_not_reveal_who_has_an_account(db):
    response = Client().post("/password/reset/", {"email": "nobody@nowhere.example"})
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


# --- organizations ----------------------------------------------------------------------------------
def test_the_switcher_lists_every_organization_of_the_person(demo, member, outsider, client_for):
    # Given the head of social is also a member of another organization
    head = member("head-of-social")
    add_member(Organization.objects.get(slug="other"), head, actor=outsider)
    client = client_for(head)
    # Then the switcher and the start page list both
    page = text(client.get("/o/demo/"))
    switcher = re.search(r'<select id="org-switch".*?</select>', page, re.S)
    assert switcher
    assert re.findall(r">([^<]+)</option>", switcher.group(0)) == ["Demo", "Other Org"]
    assert 'value="demo" selected' in switcher.group(0)
    start = client.get("/")
    assert start.status_code == 200
    assert "Demo" in text(start) and "Other Org" in text(start)
    # When they switch, they land in the other organization
    assert client.get("/switch/?org=other")["Location"] == "/o/other/"
    # ... but not in one they do not belong to
    create_organization(
        name="Not Mine", slug="not-mine", owner=User.objects.create_user("x@not-mine.example")
    )
    assert client.get("/switch/?org=not-mine")["Location"] == "/"
    assert client.get("/o/not-mine/").status_code == 404


def test_someone_in_one_organization_goes_straight_there(demo, member, client_for):
    assert client_for(member("analyst")).get("/")["Location"] == "/o/demo/"


def test_creating_an_organization(demo, member, client_for):
    client = client_for(member("copywriter"))
    response = client.post("/orgs/new/", {"name": "Side Project", "slug": "", "time_zone": "Europe/Oslo"})
    assert response["Location"] == "/o/side-project/matrix/templates/"
    organization = Organization.objects.get(slug="side-project")
    assert organization.time_zone == "Europe/Oslo"
    assert membership(demo_email("copywriter"), org="side-project").is_admin
    assert client.get("/o/side-project/audit/").status_code == 200
    assert "teams.organization.created" in actions(organization)


# --- members ----------------------------------------------------------------------------------------
def test_changing_a_members_roles(demo, member, client_for):
    copywriter = membership(demo_email("copywriter"))
    admin = client_for(member("head-of-social"))
    response = admin.post(f"/o/demo/members/{copywriter.pk}/", {"roles": [role_id("analyst")]})
    assert response.status_code == 302
    assert [r.key for r in copywriter.roles.all()] == ["analyst"]
    row = re.search(
        rf'<tr data-email="{demo_email("copywriter")}">\s*<td>.*?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>',
        text(admin.get("/o/demo/members/")),
        re.S,
    )
    assert row and row.group(1) == "Analyst"
    assert "teams.member.roles_changed" in actions(demo)
    # The person's access follows: the analyst role manages analysis
    levels = access_levels(text(client_for(member("copywriter")).get("/o/demo/")))
    assert levels["Analysis"] == "Manage"
    assert levels["Production"] == "View"


def test_removing_a_member(demo, member, client_for):
    copywriter = membership(demo_email("copywriter"))
    ResponsibilityAssignment.objects.create(
        organization=demo, area="production", membership=copywriter, part="C"
    )
    admin = client_for(member("head-of-social"))
    response = admin.post(f"/o/demo/members/{copywriter.pk}/remove/", follow=True)
    assert "was removed" in text(response)
    assert demo_email("copywriter") not in text(response)
    assert client_for(member("copywriter")).get("/o/demo/").status_code == 404
    assert not ResponsibilityAssignment.objects.filter(membership=copywriter).exists()
    assert "teams.member.removed" in actions(demo)


def test_the_last_admin_cannot_remove_themselves(demo, member, client_for):
    head = membership(demo_email("head-of-social"))
    admin = client_for(member("head-of-social"))
    response = admin.post(f"/o/demo/members/{head.pk}/remove/", follow=True)
    assert "An organization needs at least one admin." in text(response)
    head.refresh_from_db()
    assert head.is_active and head.is_admin
    assert [r.key for r in head.roles.all()] == ["head-of-social"]
    assert "teams.member.removed" not in actions(demo)


def test_the_last_admin_cannot_step_down(demo, member, client_for):
    head = membership(demo_email("head-of-social"))
    admin = client_for(member("head-of-social"))
    before = AuditEntry.objects.count()
    # When the only admin unticks "admin" and also swaps their roles
    response = admin.post(f"/o/demo/members/{head.pk}/", {"roles": [role_id("copywriter")]})
    # Then they get a clear error, and nothing changed: neither the flag nor the roles
    assert response.status_code == 400
    assert "An organization needs at least one admin." in text(response)
    head.refresh_from_db()
    assert head.is_admin
    assert [r.key for r in head.roles.all()] == ["head-of-social"]
    assert AuditEntry.objects.count() == before


def test_an_admin_steps_down_once_there_is_another(demo, member, client_for):
    head = membership(demo_email("head-of-social"))
    admin = client_for(member("head-of-social"))
    analyst = membership(demo_email("analyst"))
    assert (
        admin.post(
            f"/o/demo/members/{analyst.pk}/", {"roles": [role_id("analyst")], "is_admin": "on"}
        ).status_code
        == 302
    )
    response = admin.post(f"/o/demo/members/{head.pk}/", {"roles": [role_id("head-of-social")]})
    assert response.status_code == 302
    head.refresh_from_db()
    assert not head.is_admin
    assert admin.get("/o/demo/audit/").status_code == 403


# --- roles ------------------------------------------------------------------------------------------
def _levels(**levels: int) -> dict[str, str]:
    return {f"level_{area}": str(levels.get(area, 0)) for area in Area.values}


def test_custom_roles_are_created_changed_and_deleted(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    copywriter = membership(demo_email("copywriter"))
    # Create
    response = admin.post(
        "/o/demo/roles/new/", {"name": "Reviewer", "description": "Reads it all", **_levels(strategy=3)}
    )
    assert response.status_code == 302
    role = Role.objects.get(organization=demo, custom_name="Reviewer")
    assert not role.is_builtin
    roles_page = text(admin.get("/o/demo/roles/"))
    assert "Reviewer" in roles_page and "Reads it all" in roles_page
    copywriter.roles.add(role)
    assert access_levels(text(client_for(member("copywriter")).get("/o/demo/")))["Strategy"] == "Approve"
    # Change
    response = admin.post(f"/o/demo/roles/{role.pk}/", {"name": "Critic", **_levels(strategy=4, analysis=1)})
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.name == "Critic"
    assert role.grants == {"strategy": 4, "analysis": 1}
    levels = access_levels(text(client_for(member("copywriter")).get("/o/demo/")))
    assert levels["Strategy"] == "Manage" and levels["Analysis"] == "View"
    # Delete
    response = admin.post(f"/o/demo/roles/{role.pk}/delete/", follow=True)
    assert "Role deleted." in text(response)
    assert not Role.objects.filter(pk=role.pk).exists()
    assert [r.key for r in copywriter.roles.all()] == ["copywriter"]
    assert access_levels(text(client_for(member("copywriter")).get("/o/demo/")))["Strategy"] == "View"
    assert {"teams.role.created", "teams.role.permissions_changed", "teams.role.deleted"} <= set(
        actions(demo)
    )


def test_built_in_roles_are_read_only(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    builtin = Role.objects.get(organization=demo, key="copywriter")
    grants = dict(builtin.grants)
    # No edit or delete links for them
    roles_page = text(admin.get("/o/demo/roles/"))
    assert f"/o/demo/roles/{builtin.pk}/" not in roles_page
    # Opening the edit address explains why not
    response = admin.get(f"/o/demo/roles/{builtin.pk}/", follow=True)
    assert "Built-in roles cannot be changed" in text(response)
    # Sending the forms anyway changes nothing
    admin.post(f"/o/demo/roles/{builtin.pk}/", {"name": "Hacked", **_levels(strategy=4)})
    deleted = admin.post(f"/o/demo/roles/{builtin.pk}/delete/", follow=True)
    assert "Built-in roles cannot be deleted" in text(deleted)
    builtin.refresh_from_db()
    assert builtin.grants == grants
    assert builtin.custom_name == ""
    assert membership(demo_email("copywriter")).roles.filter(pk=builtin.pk).exists()


# --- the matrix -------------------------------------------------------------------------------------
def test_setting_a_matrix_cell(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    copywriter = membership(demo_email("copywriter"))
    # A plain form post goes back to the matrix page, showing the new value
    response = admin.post("/o/demo/matrix/cell/", {"area": "strategy", "party": copywriter.pk, "part": "C"})
    assert response["Location"] == "/o/demo/matrix/"
    assert matrix_cell(text(admin.get("/o/demo/matrix/")), "strategy", copywriter.pk) == "C"
    # htmx gets only the refreshed matrix
    partial = admin.post(
        "/o/demo/matrix/cell/",
        {"area": "strategy", "party": copywriter.pk, "part": "I"},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert text(partial).lstrip().startswith('<div id="matrix">')
    assert "<html" not in text(partial)
    assert matrix_cell(text(partial), "strategy", copywriter.pk) == "I"
    # Choosing "-" clears the cell
    admin.post("/o/demo/matrix/cell/", {"area": "strategy", "party": copywriter.pk, "part": ""})
    assert not ResponsibilityAssignment.objects.filter(membership=copywriter).exists()
    assert actions(demo).count("teams.matrix.changed") == 3


def test_an_agency_cannot_be_given_a_part_in_an_area_it_may_not_work_in(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    access = AgencyAccess.objects.get(client=demo)
    # The matrix offers the agency only the areas it may work in (production and advertising)
    page = text(admin.get("/o/demo/matrix/"))
    assert matrix_cell(page, "production", access.pk) == "R"
    with pytest.raises(AssertionError, match="no cell"):
        matrix_cell(page, "strategy", access.pk)
    # Sending the form anyway is refused with a reason
    before = set(ResponsibilityAssignment.objects.values_list("area", "part", "membership", "agency_access"))
    response = admin.post("/o/demo/matrix/cell/", {"area": "strategy", "party": access.pk, "part": "R"})
    assert response.status_code == 400
    assert "Demo Agency has no access to Strategy" in text(response)
    after = set(ResponsibilityAssignment.objects.values_list("area", "part", "membership", "agency_access"))
    assert after == before


def test_members_see_the_matrix_but_cannot_change_it(demo, member, client_for):
    page = text(client_for(member("copywriter")).get("/o/demo/matrix/"))
    assert 'name="part"' not in page
    assert "Demo Social media manager" in page
    assert "Responsibility matrix" in page


def test_matrix_warnings_come_and_go(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    manager = membership(demo_email("social-media-manager"))
    analyst = membership(demo_email("analyst"))

    def set_cell(area: str, party: Membership, part: str) -> str:
        response = admin.post(
            "/o/demo/matrix/cell/",
            {"area": area, "party": party.pk, "part": part},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        return text(response)

    # Given the demo, where every area has someone responsible
    page = text(admin.get("/o/demo/matrix/"))
    assert warnings(page) == []
    assert "Every area has someone responsible." in page
    # When the analyst is only consulted on analysis, no one is responsible for it
    page = set_cell("analysis", analyst, "C")
    assert warnings(page) == [("no_responsible", "No one is responsible for Analysis.")]
    assert "No one is responsible for Analysis." in text(admin.get("/o/demo/"))
    # When the social media manager takes it, they carry 5 of 9 areas: a one-person show
    page = set_cell("analysis", manager, "R")
    assert [code for code, _message in warnings(page)] == ["one_person_show"]
    assert "Demo Social media manager is responsible for 5 of 9 areas" in page
    assert "Demo Social media manager is responsible for 5 of 9 areas" in text(admin.get("/o/demo/"))
    # When the analyst takes it back, both warnings are gone
    set_cell("analysis", manager, "A")
    page = set_cell("analysis", analyst, "R")
    assert warnings(page) == []
    assert warnings(text(admin.get("/o/demo/matrix/"))) == []


# --- team templates ---------------------------------------------------------------------------------
# Parts per slot in the order of Area: strategy, production management, planning, production,
# administration, community, advertising, analysis, influencers ("-": nothing).
TEMPLATE_TABLE: dict[str, list[tuple[str, str | None, str]]] = {
    "solo": [("owner", "social-media-manager", "RRRRRRRRR")],
    "small-team": [
        ("manager", "head-of-social", "RAAAAARAA"),
        ("coordinator", "marketing-coordinator", "CRR-R--R-"),
        ("content", "content-manager", "--CR-R--R"),
    ],
    "customer-service": [
        ("lead", "social-media-manager", "RARARARAA"),
        ("care", "care-manager", "-----R--R"),
        ("support", "customer-support", "-----C---"),
        ("content", "content-manager", "-R-R-----"),
        ("analyst", "analyst", "-------R-"),
    ],
    "sales": [
        ("lead", "social-media-manager", "RARARRAAA"),
        ("sales", "sales", "C----C--R"),
        ("content", "content-manager", "-R-R-----"),
        ("paid", "paid-media-manager", "------RR-"),
    ],
    "hybrid-department": [
        ("lead", "social-media-manager", "RARARARAA"),
        ("care", "care-manager", "-----R---"),
        ("sales", "sales", "-----C--R"),
        ("content", "content-manager", "-R-R-----"),
        ("analyst", "analyst", "-------R-"),
    ],
    "agency-run": [
        ("owner", "head-of-social", "RRAAAAAAA"),
        ("agency", None, "C-RRRRRRR"),
    ],
    "in-house-agency": [
        ("lead", "social-media-manager", "RRRARAAAA"),
        ("community", "community-manager", "-----R--R"),
        ("analyst", "analyst", "-------R-"),
        ("agency", None, "---R--RC-"),
    ],
}
# People whose own roles none of the templates hands out, so added roles are visible.
CAST = ["copywriter", "graphic-designer", "video-producer", "management", "communications-lead"]


@pytest.mark.parametrize("template_key", list(TEMPLATE_TABLE))
def test_applying_a_team_template(demo, member, client_for, template_key):
    # Given an agency that may work in every area, and one person per slot
    access = AgencyAccess.objects.get(client=demo)
    access.areas = list(Area.values)
    access.save()
    people = iter(CAST)
    parties: dict[str, Membership | AgencyAccess] = {}
    for slot, _role, _parts in TEMPLATE_TABLE[template_key]:
        parties[slot] = access if slot == "agency" else membership(demo_email(next(people)))
    admin = client_for(member("head-of-social"))
    form = admin.get(f"/o/demo/matrix/templates/{template_key}/")
    assert form.status_code == 200
    # When the admin applies the template
    response = admin.post(
        f"/o/demo/matrix/templates/{template_key}/", {slot: party.pk for slot, party in parties.items()}
    )
    assert response["Location"] == "/o/demo/matrix/"
    # Then the matrix is exactly the template's, and each person got the slot's role on top of their own
    expected = set()
    for slot, role, parts in TEMPLATE_TABLE[template_key]:
        for area, part in zip(Area.values, parts, strict=True):
            if part != "-":
                expected.add((str(parties[slot].pk), area, part))
        if role is not None:
            keys = set(parties[slot].roles.values_list("key", flat=True))  # type: ignore[union-attr]
            assert role in keys
            assert len(keys) == 2, keys
    actual = {
        (str(row.membership_id or row.agency_access_id), row.area, row.part)
        for row in ResponsibilityAssignment.objects.filter(organization=demo)
    }
    assert actual == expected
    assert "teams.matrix.template_applied" in actions(demo)


def test_slots_left_empty_are_skipped(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    analyst = membership(demo_email("analyst"))
    response = admin.post("/o/demo/matrix/templates/small-team/", {"coordinator": analyst.pk})
    assert response.status_code == 302
    assert set(ResponsibilityAssignment.objects.values_list("membership", flat=True)) == {analyst.pk}
    page = text(admin.get("/o/demo/matrix/"))
    assert "No one is responsible for Strategy." in page


def test_an_agency_gets_only_the_template_parts_in_areas_it_may_work_in(demo, member, client_for):
    # The demo agency may work in production and advertising only
    admin = client_for(member("head-of-social"))
    access = AgencyAccess.objects.get(client=demo)
    owner = membership(demo_email("analyst"))
    admin.post("/o/demo/matrix/templates/agency-run/", {"owner": owner.pk, "agency": access.pk})
    agency_cells = set(
        ResponsibilityAssignment.objects.filter(agency_access=access).values_list("area", "part")
    )
    assert agency_cells == {("production", "R"), ("advertising", "R")}
    assert "No one is responsible for Planning." in text(admin.get("/o/demo/matrix/"))


# --- agencies ---------------------------------------------------------------------------------------
def test_granting_an_agency_by_its_short_name(demo, member, client_for):
    # Given an agency "Studio" run by Sam
    sam = User.objects.create_user("sam@studio.example", "sam-password-1", name="Sam Studio")
    create_organization(name="Studio", slug="studio", owner=sam)
    assert client_for(sam).get("/o/demo/").status_code == 404
    # When the demo's admin gives Studio planning and analysis
    admin = client_for(member("head-of-social"))
    response = admin.post(
        "/o/demo/agencies/", {"agency_slug": "Studio", "areas": ["planning", "analysis"]}, follow=True
    )
    assert "Studio now has access." in text(response)
    assert "Planning, Analysis" in text(response)
    # Then Sam reaches the demo with his agency role, limited to those areas
    home = text(client_for(sam).get("/o/demo/"))
    assert "You work here through the agency Studio" in home
    levels = access_levels(home)
    assert levels["Planning"] == levels["Analysis"] == "Manage"
    assert {area: level for area, level in levels.items() if level != "No access"} == {
        "Planning": "Manage",
        "Analysis": "Manage",
    }
    assert client_for(sam).get("/o/demo/agencies/").status_code == 403
    assert "teams.agency_access.granted" in actions(demo)
    assert "teams.agency_access.granted" in actions(Organization.objects.get(slug="studio"))


def test_the_agency_producer_sees_only_the_granted_areas(demo, agency_user, client_for):
    levels = access_levels(text(client_for(agency_user).get("/o/demo/")))
    # In their agency they manage everything; here the grant covers only these two areas
    assert {area: level for area, level in levels.items() if level != "No access"} == {
        "Production": "Manage",
        "Advertising": "Manage",
    }
    assert len(levels) == len(Area)


def test_narrowing_an_agencys_areas_removes_its_matrix_rows(demo, member, agency_user, client_for):
    access = AgencyAccess.objects.get(client=demo)
    assert set(access.responsibilities.values_list("area", flat=True)) == {"production", "advertising"}
    admin = client_for(member("head-of-social"))
    assert admin.get(f"/o/demo/agencies/{access.pk}/").status_code == 200
    response = admin.post(f"/o/demo/agencies/{access.pk}/", {"areas": ["production"]})
    assert response.status_code == 302
    assert set(access.responsibilities.values_list("area", "part")) == {("production", "R")}
    assert "No one is responsible for Advertising." in text(admin.get("/o/demo/matrix/"))
    assert access_levels(text(client_for(agency_user).get("/o/demo/")))["Advertising"] == "No access"
    assert "teams.agency_access.changed" in actions(demo)


def test_revoking_an_agency(demo, member, agency_user, client_for):
    access = AgencyAccess.objects.get(client=demo)
    producer = client_for(agency_user)
    assert "Demo" in re.findall(r">([^<]+)</option>", text(producer.get("/o/demo/")))
    admin = client_for(member("head-of-social"))
    response = admin.post(f"/o/demo/agencies/{access.pk}/revoke/", follow=True)
    assert "Access withdrawn from Demo Agency." in text(response)
    assert "Withdrawn" in text(response)
    assert producer.get("/o/demo/").status_code == 404
    assert producer.get("/o/demo/matrix/").status_code == 404
    assert not ResponsibilityAssignment.objects.filter(agency_access=access).exists()
    assert "Demo Agency" not in text(admin.get("/o/demo/matrix/"))
    # The agency's own switcher no longer offers the demo
    assert re.findall(r">([^<]+)</option>", text(producer.get("/o/demo-agency/"))) == ["Demo Agency"]
    assert "teams.agency_access.revoked" in actions(demo)


# --- audit log and settings -------------------------------------------------------------------------
def test_the_audit_log_filters_by_action(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    page = text(admin.get("/o/demo/audit/"))
    assert "<code>teams.member.added</code>" in page
    assert "<code>teams.agency_access.granted</code>" in page
    filtered = text(admin.get("/o/demo/audit/?action=teams.agency"))
    assert "<code>teams.agency_access.granted</code>" in filtered
    assert "<code>teams.member.added</code>" not in filtered
    assert 'value="teams.agency"' in filtered
    nothing = text(admin.get("/o/demo/audit/?action=no.such"))
    assert "Nothing recorded yet." in nothing


def test_the_audit_log_is_kept_per_organization(demo, member, outsider, client_for):
    page = text(client_for(member("head-of-social")).get("/o/demo/audit/?action=teams.organization"))
    assert "outsider@other.example" not in page
    assert "teams.organization.created" in page


def test_changing_organization_settings_is_audited(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    response = admin.post(
        "/o/demo/settings/", {"name": "Demo AB", "time_zone": "Europe/Oslo", "language": "sv"}, follow=True
    )
    assert "Settings saved." in text(response)
    assert "<strong>Demo AB</strong>" in text(response)
    demo.refresh_from_db()
    assert (demo.name, demo.time_zone, demo.language) == ("Demo AB", "Europe/Oslo", "sv")
    entry = AuditEntry.objects.for_org(demo).get(action="teams.organization.settings_changed")
    assert entry.actor == member("head-of-social")
    assert entry.data["before"] == {"name": "Demo", "time_zone": "Europe/Stockholm", "language": "en"}
    assert entry.data["after"] == {"name": "Demo AB", "time_zone": "Europe/Oslo", "language": "sv"}


def test_saving_unchanged_settings_records_nothing(demo, member, client_for):
    admin = client_for(member("head-of-social"))
    admin.post("/o/demo/settings/", {"name": "Demo", "time_zone": "Europe/Stockholm", "language": "en"})
    assert "teams.organization.settings_changed" not in actions(demo)


# --- the person's own settings ----------------------------------------------------------------------
def test_choosing_a_language_switches_the_interface(demo, member, client_for):
    client = client_for(member("copywriter"))
    before = client.get("/account/")
    assert before["Content-Language"] == "en"
    assert '<html lang="en">' in text(before)
    assert "<h1>Your settings</h1>" in text(before)
    response = client.post("/account/", {"name": "Carl Copy", "language": "sv", "time_zone": ""})
    assert response["Location"] == "/account/"
    after = client.get("/account/", headers={"accept-language": "en"})
    assert after["Content-Language"] == "sv"
    assert '<html lang="sv">' in text(after)
    assert "<h1>Dina inställningar</h1>" in text(after)
    assert "Carl Copy" in text(after)
    # Empty again: follow the browser
    client.post("/account/", {"name": "Carl Copy", "language": "", "time_zone": ""})
    assert client.get("/account/", headers={"accept-language": "da"})["Content-Language"] == "da"


def test_api_tokens_are_shown_once_and_can_be_revoked(demo, member, client_for):
    client = client_for(member("copywriter"))
    page = text(client.post("/account/tokens/", {"name": "Laptop"}))
    clear = re.search(r'<code class="token" id="new-token">(flk_[^<]+)</code>', page)
    assert clear
    again = text(client.get("/account/tokens/"))
    assert "Laptop" in again and clear.group(1) not in again
    api = Client(headers={"Authorization": f"Bearer {clear.group(1)}"})
    assert api.get("/api/v1/me").status_code == 200
    token_id = re.search(r"/account/tokens/([0-9a-f-]+)/revoke/", again)
    assert token_id
    client.post(f"/account/tokens/{token_id.group(1)}/revoke/")
    assert "No tokens yet." in text(client.get("/account/tokens/"))
    assert api.get("/api/v1/me").status_code == 401


def test_a_failed_invitation_email_is_shown_and_can_be_sent_again(
    demo, member, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    admin = client_for(member("head-of-social"))

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    # Given the mail server is down when the admin invites someone
    monkeypatch.setattr("flokk.teams.services.invitations.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post("/o/demo/invitations/", {"email": "mia@new.example"})
    # Then the invitation is kept (no error page) and the members page says the e-mail failed
    assert response.status_code == 302
    page = text(admin.get("/o/demo/members/"))
    assert "mia@new.example" in page and "The e-mail could not be sent." in page

    # When the server is back and the admin sends it again, a new link goes out and the old one stops working
    monkeypatch.undo()
    first = Invitation.objects.get(email="mia@new.example", organization=demo)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(f"/o/demo/invitations/{first.pk}/resend/")
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@new.example"]
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert "The e-mail could not be sent." not in text(admin.get("/o/demo/members/"))
