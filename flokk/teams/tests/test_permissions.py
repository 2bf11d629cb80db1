"""The permission module: names, level hierarchy and access through agencies."""

from __future__ import annotations

import pytest

from flokk.teams.models import Membership, Role
from flokk.teams.permissions import UnknownPermission, resolve_access
from flokk.teams.services.agencies import grant_agency_access, revoke_agency_access
from flokk.teams.services.members import add_member
from flokk.teams.services.organizations import create_organization


def test_an_unknown_permission_name_fails_loudly(demo, member):
    access = resolve_access(member("copywriter"), demo)
    with pytest.raises(UnknownPermission):
        access.has("production.write")
    with pytest.raises(UnknownPermission):
        access.has("org.owner")


def test_levels_include_the_ones_below(demo, member):
    content = resolve_access(member("content-manager"), demo)  # approves production
    assert (
        content.has("production.view")
        and content.has("production.work")
        and content.has("production.approve")
    )
    assert not content.has("production.manage")
    assert not content.has("org.admin")


def test_management_only_views(demo, member):
    management = resolve_access(member("management"), demo)
    assert all(management.has(f"{area}.view") for area in management.levels)
    assert not any(management.has(f"{area}.work") for area in management.levels)


def test_someone_in_two_agencies_gets_the_higher_level_per_granted_area(demo, member, agency_user):
    head = member("head-of-social")
    # Given a second agency, where the same person is a paid-media manager, with access to production+analysis
    second = create_organization(name="Second Agency", slug="second-agency", owner=member("analyst"))
    add_member(
        second,
        agency_user,
        roles=Role.objects.filter(organization=second, key="paid-media-manager"),
        actor=member("analyst"),
    )
    access = grant_agency_access(
        demo, agency_slug="second-agency", areas=["production", "analysis"], actor=head
    )

    levels = resolve_access(agency_user, demo).levels
    # demo-agency grants production and advertising, where this person (its owner) manages; second-agency
    # grants production again (a paid-media manager only views it) and analysis (works). Strategy: neither.
    assert levels["production"] == 4 and levels["advertising"] == 4 and levels["analysis"] == 2
    assert "strategy" not in levels

    revoke_agency_access(access, actor=head)
    assert "analysis" not in resolve_access(agency_user, demo).levels


def test_a_removed_member_has_no_access(demo, member):
    copywriter = member("copywriter")
    Membership.objects.filter(organization=demo, user=copywriter).update(is_active=False)
    assert resolve_access(copywriter, demo) is None
