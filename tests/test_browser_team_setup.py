"""In a real browser: an invited person joins, signs in, sets up the team and switches to Swedish."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from flokk.core.models import AuditEntry
from flokk.teams.models import Membership, User
from flokk.teams.services.invitations import create_invitation
from flokk.teams.services.organizations import create_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_invited_person_sets_up_the_team(page, live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Given Anna runs Acme in Flokk and invites Bo as a co-admin
    anna = User.objects.create_user("anna@acme.example", "anna-long-password", name="Anna Andersson")
    acme = create_organization(name="Acme", slug="acme", owner=anna)
    _invitation, token = create_invitation(acme, email="bo@acme.example", is_admin=True, actor=anna)

    # When Bo opens the link, chooses a name and a password
    page.goto(f"/invitations/{token}/")
    page.get_by_label("Your name").fill("Bo Berg")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-and-fine-passphrase")
    page.get_by_label("Password again").fill("a-long-and-fine-passphrase")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    # ... signs out and signs in again with that password
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("E-mail").fill("bo@acme.example")
    page.get_by_label(re.compile(r"^Password:?$")).fill("a-long-and-fine-passphrase")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme")

    # ... picks the small-team template: Bo as marketing manager, Anna as coordinator, no content manager
    page.get_by_role("link", name="Responsibilities").click()
    page.get_by_role("link", name="Start from a team template").click()
    page.locator("#template-small-team").get_by_role("link", name="Use this template").click()
    page.get_by_label("Marketing manager").select_option(label="Bo Berg")
    page.get_by_label("Marketing coordinator").select_option(label="Anna Andersson")
    page.get_by_role("button", name="Apply template").click()

    # Then the matrix warns that production, community and influencers have no one responsible
    warnings = page.locator("#matrix-warnings .warning")
    expect(warnings.filter(has_text="No one is responsible for Production.")).to_have_count(1)
    expect(warnings).to_have_count(3)

    # When Bo makes Anna responsible for production too (htmx, no reload), that warning goes away,
    # and Flokk advises against Anna becoming a one-person show (5 of 9 areas)
    anna_column = page.locator("table.matrix thead th").all_inner_texts().index("Anna Andersson")
    production_row = page.locator(
        "table.matrix tbody tr", has=page.get_by_role("rowheader", name="Production", exact=True)
    )
    production_row.locator("td").nth(anna_column - 1).locator("select").select_option("R")
    expect(warnings.filter(has_text="No one is responsible for Production.")).to_have_count(0)
    expect(warnings.filter(has_text="Anna Andersson is responsible for 5 of 9 areas")).to_have_count(1)
    expect(warnings).to_have_count(3)

    # When Bo gives Anna the copywriter role as well
    page.get_by_role("link", name="People").click()
    page.locator("tr[data-email='anna@acme.example']").get_by_role("link", name="Edit roles").click()
    page.get_by_label("Copywriter").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("tr[data-email='anna@acme.example']")).to_contain_text("Copywriter")
    anna_roles = Membership.objects.get(organization=acme, user=anna).roles.values_list("key", flat=True)
    assert set(anna_roles) >= {"copywriter", "marketing-coordinator", "head-of-social"}

    # When Bo switches the interface to Swedish
    page.get_by_role("link", name="Bo Berg").click()
    page.get_by_label("Language").select_option("sv")
    page.get_by_role("button", name="Save").click()

    # Then Flokk speaks Swedish
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dina inställningar")
    page.get_by_role("link", name="Flokk").click()
    page.get_by_role("link", name="Ansvar", exact=True).click()
    expect(page.locator("#matrix-warnings .warning").first).to_contain_text(re.compile("Ingen är ansvarig"))

    # And everything Bo did is in the audit log
    actions = set(AuditEntry.objects.filter(organization=acme).values_list("action", flat=True))
    assert {
        "teams.invitation.accepted",
        "teams.auth.signed_in",
        "teams.matrix.template_applied",
        "teams.matrix.changed",
        "teams.member.roles_changed",
    } <= actions
