"""The organization's network apps: write-only secrets, the LinkedIn version, audit, who may."""

from __future__ import annotations

import pytest

from flokk.channels.models import NetworkApp
from flokk.channels.services.apps import redirect_uri
from flokk.channels.tests.matrix import check_matrix
from flokk.channels.vault import unseal
from flokk.core.models import AuditEntry

SECRET = "s3cret-never-shown-again"


@pytest.fixture
def admin(member):
    return member("social-media-manager")


def save(client, network="linkedin", **fields):
    data = {f"{network}-{key}": value for key, value in fields.items()}
    return client.post(f"/o/demo/network-apps/{network}/", data)


def test_page_shows_the_redirect_uri_and_the_app_networks_but_not_mastodon(demo, admin, client_for):
    html = client_for(admin).get("/o/demo/network-apps/").content.decode()
    assert redirect_uri().endswith("/oauth/callback/")
    assert f"<code>{redirect_uri()}</code>" in html
    for label in ("Facebook", "Instagram", "LinkedIn", "X"):
        assert f"<h2>{label}</h2>" in html
    assert "Mastodon</h2>" not in html
    assert 'value="202510"' in html  # the LinkedIn version defaults to the setting


def test_saving_seals_the_secret_and_audits_without_it(demo, admin, client_for):
    client = client_for(admin)
    response = save(client, client_id="86abc", client_secret=SECRET, linkedin_version="202511")
    assert response.status_code == 302
    app = NetworkApp.objects.get(organization=demo, network="linkedin")
    assert (app.client_id, app.options["linkedin_version"]) == ("86abc", "202511")
    assert SECRET not in app.client_secret
    assert unseal(app.client_secret) == {"client_secret": SECRET}
    entry = AuditEntry.objects.get(action="channels.network_app.saved")
    assert SECRET not in str(entry.data)
    assert entry.data["secret_changed"] is True
    assert SECRET not in client.get("/o/demo/network-apps/").content.decode()


def test_a_blank_secret_keeps_the_stored_one(demo, admin, client_for):
    client = client_for(admin)
    save(client, "x", client_id="first", client_secret=SECRET)
    assert save(client, "x", client_id="second", client_secret="").status_code == 302
    app = NetworkApp.objects.get(organization=demo, network="x")
    assert app.client_id == "second"
    assert unseal(app.client_secret) == {"client_secret": SECRET}
    assert (
        AuditEntry.objects.filter(action="channels.network_app.saved")
        .latest("created_at")
        .data["secret_changed"]
        is False
    )


def test_a_new_app_needs_a_secret_and_a_valid_version(demo, admin, client_for):
    client = client_for(admin)
    response = save(client, client_id="86abc", client_secret="")
    assert response.status_code == 400
    assert "Enter the app&#x27;s client secret." in response.content.decode()
    response = save(client, client_id="86abc", client_secret=SECRET, linkedin_version="2025-10")
    assert response.status_code == 400
    assert "YYYYMM" in response.content.decode()
    assert not NetworkApp.objects.filter(organization=demo).exists()


def test_mastodon_and_unknown_networks_are_not_set_up_here(demo, admin, client_for):
    assert save(client_for(admin), "mastodon", client_id="a", client_secret="b").status_code == 404
    assert save(client_for(admin), "myspace", client_id="a", client_secret="b").status_code == 404


def test_client_ids_are_escaped(demo, admin, client_for):
    client = client_for(admin)
    save(client, "facebook", client_id="<script>alert(1)</script>", client_secret=SECRET)
    html = client.get("/o/demo/network-apps/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_removing_an_app_is_audited(demo, admin, client_for):
    client = client_for(admin)
    save(client, "instagram", client_id="ig", client_secret=SECRET)
    assert client.post("/o/demo/network-apps/instagram/delete/").status_code == 302
    assert not NetworkApp.objects.filter(organization=demo, network="instagram").exists()
    entry = AuditEntry.objects.get(action="channels.network_app.deleted")
    assert entry.data == {"network": "instagram", "client_id": "ig"}
    assert client.post("/o/demo/network-apps/instagram/delete/").status_code == 404


def test_another_organizations_app_is_not_reachable(demo, admin, client_for, outsider):
    save(client_for(outsider), "x", client_id="theirs", client_secret=SECRET)  # outsider: 404, nothing saved
    assert not NetworkApp.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/o/demo/network-apps/"),
        ("post", "/o/demo/network-apps/x/"),
        ("post", "/o/demo/network-apps/x/delete/"),
    ],
)
def test_only_administration_managers_may(demo, outsider, client_for, api_for, method, path):
    NetworkApp.objects.create(organization=demo, network="x", client_id="id")

    def request(client):
        if method == "get":
            return client.get(path)
        if path.endswith("delete/"):
            NetworkApp.objects.get_or_create(organization=demo, network="x", defaults={"client_id": "id"})
        return client.post(path, {"x-client_id": "id", "x-client_secret": "s"})

    assert (
        check_matrix("administration.manage", request, api=False, client_for=client_for, api_for=api_for)
        == []
    )
