"""Every page a member can open renders for the head of social."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "name", ["org_home", "members", "roles", "matrix", "team_templates", "agencies", "audit", "org_settings"]
)
def test_admin_opens_every_org_page(demo, member, client_for, name):
    response = client_for(member("head-of-social")).get(reverse(f"teams:{name}", kwargs={"org": "demo"}))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["profile", "two_factor", "api_tokens", "home", "create_organization"])
def test_account_pages_render(demo, member, client_for, name):
    response = client_for(member("copywriter")).get(reverse(f"teams:{name}"))
    assert response.status_code in (200, 302)
