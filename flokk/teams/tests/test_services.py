"""The teams services' promises: what they refuse, what they leave untouched, and what they record."""

from __future__ import annotations

import time

import pyotp
import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction

from flokk.core.models import AuditEntry
from flokk.teams.choices import BUILTIN_ROLES, Level
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
from flokk.teams.permissions import resolve_access
from flokk.teams.services import auth as auth_service
from flokk.teams.services.agencies import change_agency_areas, grant_agency_access, revoke_agency_access
from flokk.teams.services.demo import AGENCY_SLUG, seed_demo
from flokk.teams.services.invitations import accept_invitation, create_invitation, find_invitation
from flokk.teams.services.matrix import apply_team_template, matrix_warnings, set_responsibility
from flokk.teams.services.members import add_member, change_member_roles, remove_member
from flokk.teams.services.organizations import create_organization, update_organization_settings
from flokk.teams.services.roles import create_custom_role, delete_custom_role, update_custom_role
from flokk.teams.services.tokens import authenticate_api_token, create_api_token, revoke_api_token


@pytest.fixture
def head(member) -> User:
    return member("head-of-social")


def membership_of(user: User, organization: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=organization)


def role(organization: Organization, key: str) -> Role:
    return Role.objects.get(organization=organization, key=key)


def matrix_rows(organization: Organization) -> set[tuple[str, str, str]]:
    return {
        (row.area, str(row.membership_id or row.agency_access_id), row.part)
        for row in ResponsibilityAssignment.objects.filter(organization=organization)
    }


def codes(error: pytest.ExceptionInfo[ValidationError]) -> list[str | None]:
    return [e.code for e in error.value.error_list]


# --- organizations ----------------------------------------------------------------------------------
def test_a_new_organization_has_every_builtin_role_and_its_owner_as_admin(db):
    owner = User.objects.create_user("founder@new.example", "pw")
    organization = create_organization(name="New Co", owner=owner, time_zone="Europe/Oslo")
    assert organization.slug == "new-co"
    assert organization.time_zone == "Europe/Oslo"
    assert set(Role.objects.filter(organization=organization).values_list("key", flat=True)) == set(
        BUILTIN_ROLES
    )
    owner_membership = membership_of(owner, organization)
    assert owner_membership.is_admin
    assert [r.key for r in owner_membership.roles.all()] == ["head-of-social"]
    # A second organization with the same name gets its own short name
    assert create_organization(name="New Co", owner=owner).slug == "new-co-2"


def test_settings_changes_are_recorded_with_before_and_after(demo, head):
    update_organization_settings(demo, actor=head, name="Demo", require_two_factor=True)
    entry = AuditEntry.objects.get(organization=demo, action="teams.organization.settings_changed")
    assert entry.data == {"before": {"require_two_factor": False}, "after": {"require_two_factor": True}}
    with pytest.raises(ValueError, match="slug"):
        update_organization_settings(demo, actor=head, slug="taken-over")
    assert Organization.objects.get(pk=demo.pk).slug == "demo"


def test_the_demo_is_seeded_once_and_never_in_production(demo, settings):
    assert seed_demo().pk == demo.pk
    assert Membership.objects.filter(organization=demo).count() == len(BUILTIN_ROLES)
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        seed_demo()


# --- members ----------------------------------------------------------------------------------------
def test_the_last_admin_stays_admin_and_keeps_their_roles(demo, head):
    admin = membership_of(head, demo)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        change_member_roles(admin, roles=[role(demo, "copywriter")], is_admin=False, actor=head)
    assert codes(error) == ["last_admin"]
    admin = membership_of(head, demo)
    assert admin.is_admin
    assert [r.key for r in admin.roles.all()] == ["head-of-social"]
    assert AuditEntry.objects.count() == audit_before


def test_the_last_admin_cannot_be_removed(demo, head):
    with pytest.raises(ValidationError) as error:
        remove_member(membership_of(head, demo), actor=head)
    assert codes(error) == ["last_admin"]
    assert membership_of(head, demo).is_active


def test_a_removed_member_loses_roles_and_responsibilities_and_can_come_back(demo, head, member):
    copywriter = member("copywriter")
    set_responsibility(demo, area="production", party=membership_of(copywriter, demo), part="C", actor=head)
    remove_member(membership_of(copywriter, demo), actor=head)
    gone = membership_of(copywriter, demo)
    assert not gone.is_active
    assert not gone.roles.exists()
    assert not gone.responsibilities.exists()
    assert resolve_access(copywriter, demo) is None
    # Re-adding them brings back exactly the new roles
    add_member(demo, copywriter, roles=[role(demo, "analyst")], actor=head)
    back = membership_of(copywriter, demo)
    assert back.is_active
    assert [r.key for r in back.roles.all()] == ["analyst"]


def test_roles_of_another_organization_are_refused(demo, head, member, outsider):
    foreign = role(Organization.objects.get(slug="other"), "analyst")
    copywriter = membership_of(member("copywriter"), demo)
    with pytest.raises(ValidationError) as error:
        change_member_roles(copywriter, roles=[foreign], actor=head)
    assert codes(error) == ["foreign_role"]
    assert [r.key for r in copywriter.roles.all()] == ["copywriter"]
    with pytest.raises(ValidationError):
        create_invitation(demo, email="x@demo.example", roles=[foreign], actor=head)
    assert not Invitation.objects.filter(email="x@demo.example").exists()


# --- invitations ------------------------------------------------------------------------------------
def test_inviting_a_member_again_is_refused(demo, head):
    with pytest.raises(ValidationError) as error:
        create_invitation(demo, email=" Copywriter@Demo.example ", actor=head)
    assert codes(error) == ["already_member"]


def test_a_new_invitation_replaces_the_pending_one(demo, head):
    _first, old_token = create_invitation(demo, email="twice@demo.example", actor=head)
    _second, new_token = create_invitation(demo, email="TWICE@demo.example", actor=head)
    assert find_invitation(old_token) is None
    assert find_invitation(new_token) is not None
    assert Invitation.objects.filter(email="twice@demo.example", revoked_at=None).count() == 1


def test_the_invitation_email_goes_out_after_the_commit_in_the_chosen_language(
    demo, head, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_invitation(demo, email="sv@demo.example", actor=head, language="sv")
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Du är inbjuden till Demo på Flokk"


def test_no_email_when_the_invitation_is_rolled_back(demo, head, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        create_invitation(demo, email="never@demo.example", actor=head)
        transaction.set_rollback(True)
    assert mail.outbox == []


def test_an_invitation_is_only_accepted_by_its_addressee(demo, head, member, outsider):
    invitation, token = create_invitation(demo, email="outsider@other.example", actor=head)
    with pytest.raises(ValidationError) as error:
        accept_invitation(invitation, user=member("copywriter"))
    assert codes(error) == ["wrong_user"]
    # Without signing in, an existing account cannot be claimed by setting a password
    with pytest.raises(ValidationError) as error:
        accept_invitation(invitation, name="Mallory", password="new-password-123")
    assert codes(error) == ["sign_in_first"]
    assert outsider.check_password("outsider-password-1")
    assert find_invitation(token) is not None
    # The addressee can
    accept_invitation(invitation, user=outsider)
    assert membership_of(outsider, demo).is_active
    with pytest.raises(ValidationError) as error:
        accept_invitation(invitation, user=outsider)
    assert codes(error) == ["invalid_invitation"]


# --- roles ------------------------------------------------------------------------------------------
def test_custom_roles_get_their_own_keys_and_validated_grants(demo, head):
    first = create_custom_role(demo, name="Reviewer", grants={"strategy": 3, "planning": 0}, actor=head)
    second = create_custom_role(demo, name="Reviewer", grants={}, actor=head)
    assert (first.key, second.key) == ("custom-reviewer", "custom-reviewer-2")
    assert first.grants == {"strategy": 3}
    with pytest.raises(ValidationError) as error:
        create_custom_role(demo, name="Bad", grants={"everything": 4}, actor=head)
    assert codes(error) == ["unknown_area"]
    with pytest.raises(ValidationError) as error:
        update_custom_role(first, name="Reviewer", grants={"strategy": 7}, actor=head)
    assert codes(error) == ["unknown_level"]
    assert Role.objects.get(pk=first.pk).grants == {"strategy": 3}
    with pytest.raises(ValidationError):
        create_custom_role(demo, name="   ", grants={}, actor=head)
    assert not Role.objects.filter(organization=demo, key="custom-bad").exists()


def test_built_in_roles_cannot_be_changed_or_deleted(demo, head):
    builtin = role(demo, "analyst")
    grants = dict(builtin.grants)
    with pytest.raises(ValidationError):
        update_custom_role(builtin, name="Mine", grants={}, actor=head)
    with pytest.raises(ValidationError):
        delete_custom_role(builtin, actor=head)
    unchanged = Role.objects.get(pk=builtin.pk)
    assert (unchanged.custom_name, unchanged.grants) == ("", grants)
    assert unchanged.grants["analysis"] == Level.MANAGE


def test_deleting_a_custom_role_takes_its_access_away(demo, head, member):
    copywriter = member("copywriter")
    custom = create_custom_role(demo, name="Strategist", grants={"strategy": 4}, actor=head)
    membership_of(copywriter, demo).roles.add(custom)
    assert resolve_access(copywriter, demo).level("strategy") == Level.MANAGE  # type: ignore[union-attr]
    delete_custom_role(custom, actor=head)
    assert resolve_access(copywriter, demo).level("strategy") == Level.VIEW  # type: ignore[union-attr]


# --- agencies ---------------------------------------------------------------------------------------
@pytest.fixture
def studio(db) -> Organization:
    owner = User.objects.create_user("sam@studio.example", "pw", name="Sam")
    return create_organization(name="Studio", slug="studio", owner=owner)


@pytest.mark.parametrize(
    ("slug", "areas", "code"),
    [
        ("nobody", ["planning"], "unknown_agency"),
        ("demo", ["planning"], "self_agency"),
        (AGENCY_SLUG, ["planning"], "already_granted"),
        ("studio", [], "no_areas"),
        ("studio", ["planning", "gardening"], "unknown_area"),
    ],
)
def test_agency_grants_that_are_refused(demo, head, studio, slug, areas, code):
    before = AgencyAccess.objects.count()
    with pytest.raises(ValidationError) as error:
        grant_agency_access(demo, agency_slug=slug, areas=areas, actor=head)
    assert codes(error) == [code]
    assert AgencyAccess.objects.count() == before


def test_an_agency_works_in_the_granted_areas_until_revoked(demo, head, studio):
    sam = User.objects.get(email="sam@studio.example")
    assert resolve_access(sam, demo) is None
    access = grant_agency_access(demo, agency_slug=" STUDIO ", areas=["analysis", "planning"], actor=head)
    assert access.areas == ["planning", "analysis"]  # in the areas' own order
    granted = resolve_access(sam, demo)
    assert granted is not None and granted.via_agency
    assert granted.visible_areas() == ["planning", "analysis"]
    assert not granted.has("org.admin")
    # Narrowed: its matrix rows outside the new areas go
    set_responsibility(demo, area="planning", party=access, part="C", actor=head)
    set_responsibility(demo, area="analysis", party=access, part="R", actor=head)
    change_agency_areas(access, areas=["analysis"], actor=head)
    assert set(access.responsibilities.values_list("area", flat=True)) == {"analysis"}
    assert resolve_access(sam, demo).visible_areas() == ["analysis"]  # type: ignore[union-attr]
    # Revoked: no access, no matrix rows, and it cannot be changed or revoked again
    revoke_agency_access(access, actor=head)
    assert resolve_access(sam, demo) is None
    assert not access.responsibilities.exists()
    with pytest.raises(ValidationError):
        change_agency_areas(access, areas=["planning"], actor=head)
    with pytest.raises(ValidationError):
        revoke_agency_access(access, actor=head)
    # ... but the agency can be let in again
    again = grant_agency_access(demo, agency_slug="studio", areas=["strategy"], actor=head)
    assert again.pk != access.pk
    assert resolve_access(sam, demo).visible_areas() == ["strategy"]  # type: ignore[union-attr]
    recorded = AuditEntry.objects.filter(organization=studio).values_list("action", flat=True)
    assert {
        "teams.agency_access.granted",
        "teams.agency_access.changed",
        "teams.agency_access.revoked",
    } <= set(recorded)


# --- the matrix -------------------------------------------------------------------------------------
def test_cells_refuse_strangers_unknown_areas_and_parts(demo, head, member, outsider):
    other = Organization.objects.get(slug="other")
    before = matrix_rows(demo)
    copywriter = membership_of(member("copywriter"), demo)
    refused = [
        ({"area": "strategy", "party": membership_of(outsider, other), "part": "R"}, "foreign_party"),
        ({"area": "gardening", "party": copywriter, "part": "R"}, "unknown_area"),
        ({"area": "strategy", "party": copywriter, "part": "X"}, "unknown_part"),
        (
            {"area": "strategy", "party": AgencyAccess.objects.get(client=demo), "part": "R"},
            "area_not_granted",
        ),
    ]
    for kwargs, code in refused:
        with pytest.raises(ValidationError) as error:
            set_responsibility(demo, actor=head, **kwargs)  # type: ignore[arg-type]
        assert codes(error) == [code]
    remove_member(copywriter, actor=head)
    with pytest.raises(ValidationError):
        set_responsibility(demo, area="strategy", party=copywriter, part="R", actor=head)
    assert matrix_rows(demo) == before


def test_setting_a_cell_to_what_it_is_records_nothing(demo, head, member):
    analyst = membership_of(member("analyst"), demo)
    assert ("analysis", str(analyst.pk), "R") in matrix_rows(demo)
    before = AuditEntry.objects.count()
    set_responsibility(demo, area="analysis", party=analyst, part="R", actor=head)
    assert AuditEntry.objects.count() == before


def test_several_accountable_people_are_warned_about(demo, head, member):
    for key in ("analyst", "copywriter"):
        set_responsibility(
            demo, area="strategy", party=membership_of(member(key), demo), part="A", actor=head
        )
    assert [(w.code, w.area) for w in matrix_warnings(demo)] == [("several_accountable", "strategy")]


def test_a_template_with_a_person_in_an_agency_slot_changes_nothing(demo, head, member):
    before = matrix_rows(demo)
    analyst = membership_of(member("analyst"), demo)
    roles_before = list(analyst.roles.all())
    with pytest.raises(ValidationError) as error:
        apply_team_template(
            demo,
            template_key="in-house-agency",
            assignments={"lead": analyst, "agency": membership_of(member("copywriter"), demo)},
            actor=head,
        )
    assert codes(error) == ["wrong_party"]
    assert matrix_rows(demo) == before
    assert list(analyst.roles.all()) == roles_before
    with pytest.raises(ValidationError):
        apply_team_template(demo, template_key="no-such-template", assignments={}, actor=head)


# --- signing in -------------------------------------------------------------------------------------
def test_failed_sign_ins_are_counted_per_address_whatever_the_spelling(db, settings):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        auth_service.note_failed_sign_in("Someone@Example.com ", "10.0.0.1")
    assert not auth_service.sign_in_blocked("someone@example.com", "10.0.0.2")
    auth_service.note_failed_sign_in("SOMEONE@example.com", "10.0.0.3")
    assert auth_service.sign_in_blocked("someone@example.com", "10.0.0.2")
    assert not auth_service.sign_in_blocked("else@example.com", "10.0.0.2")
    auth_service.clear_failed_sign_ins("someone@example.com")
    assert not auth_service.sign_in_blocked("someone@example.com", "10.0.0.2")


def test_one_ip_address_may_fail_for_several_people_before_it_is_blocked(db, settings):
    # An office shares one address: five people mistyping once each must not lock the office out.
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        auth_service.note_failed_sign_in(f"person{n}@office.example", "10.0.0.9")
    assert not auth_service.sign_in_blocked("new@office.example", "10.0.0.9")
    for n in range(settings.LOGIN_FAILURE_LIMIT_PER_IP):
        auth_service.note_failed_sign_in(f"guess{n}@office.example", "10.0.0.9")
    assert auth_service.sign_in_blocked("new@office.example", "10.0.0.9")
    # ... and signing in successfully as someone does not reset the address's count
    auth_service.clear_failed_sign_ins("new@office.example")
    assert auth_service.sign_in_blocked("new@office.example", "10.0.0.9")


def test_a_two_factor_code_works_only_once(demo, member):
    user = member("copywriter")
    secret = auth_service.new_totp_secret()
    totp = pyotp.TOTP(secret)
    auth_service.enable_two_factor(user, secret=secret, code=totp.now())
    user.refresh_from_db()
    assert not auth_service.use_totp_code(user, totp.now())  # the code that turned it on is spent
    later = totp.at(time.time() + totp.interval)
    assert auth_service.use_totp_code(user, later)
    assert not auth_service.use_totp_code(user, later)


def test_two_factor_needs_a_right_code_to_turn_on_and_off(demo, member):
    user = member("copywriter")
    secret = auth_service.new_totp_secret()
    totp = pyotp.TOTP(secret)
    wrong = next(c for c in ("000000", "111111", "222222") if not totp.verify(c, valid_window=2))
    with pytest.raises(ValidationError):
        auth_service.enable_two_factor(user, secret=secret, code=wrong)
    assert not User.objects.get(pk=user.pk).totp_enabled
    auth_service.enable_two_factor(user, secret=secret, code=totp.now())
    assert User.objects.get(pk=user.pk).totp_enabled
    assert auth_service.totp_code_valid(secret, totp.now()[:3] + " " + totp.now()[3:])
    with pytest.raises(ValidationError):
        auth_service.disable_two_factor(user, code=wrong)
    auth_service.disable_two_factor(user, code=totp.at(time.time() + totp.interval))
    refreshed = User.objects.get(pk=user.pk)
    assert not refreshed.totp_enabled and refreshed.totp_secret == ""


# --- API tokens -------------------------------------------------------------------------------------
def test_tokens_work_until_revoked_and_are_stored_only_as_digests(demo, member):
    user = member("copywriter")
    token, clear = create_api_token(user, name="  CI  ")
    assert token.name == "CI"
    assert clear not in {v for v in ApiToken.objects.values_list("token_hash", "prefix")[0]}
    assert authenticate_api_token(clear) == user
    assert authenticate_api_token(clear + "x") is None
    assert authenticate_api_token("not-a-token") is None
    revoke_api_token(token, actor=user)
    assert authenticate_api_token(clear) is None
    with pytest.raises(ValidationError):
        create_api_token(user, name="   ")


def test_tokens_of_switched_off_people_do_not_work(demo, member):
    user = member("copywriter")
    _token, clear = create_api_token(user, name="CI")
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert authenticate_api_token(clear) is None
