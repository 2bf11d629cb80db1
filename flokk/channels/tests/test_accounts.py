"""Accounts: sandbox only for now, rename, disconnect; the page, the API, and who may do what."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from flokk.channels.choices import AccountStatus
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.channels.services.accounts import add_sandbox_account, disconnect_account, rename_account
from flokk.channels.tests.matrix import check_matrix
from flokk.core.models import AuditEntry


@pytest.fixture
def admin(member):
    return member("social-media-manager")


def test_add_rename_disconnect_with_audit(demo, admin):
    account = add_sandbox_account(demo, handle="@brand", display_name="Brand", actor=admin)
    assert (account.network, account.handle, account.status) == (
        Network.SANDBOX,
        "brand",
        AccountStatus.CONNECTED,
    )
    rename_account(account, display_name="Brand Sverige", actor=admin)
    disconnect_account(account, actor=admin)
    account.refresh_from_db()
    assert account.display_name == "Brand Sverige"
    assert account.status == AccountStatus.DISCONNECTED
    assert list(
        AuditEntry.objects.filter(target_id=str(account.pk))
        .order_by("created_at")
        .values_list("action", flat=True)
    ) == ["channels.account.added", "channels.account.renamed", "channels.account.disconnected"]


def test_duplicate_and_empty_handles_refused(demo, admin):
    add_sandbox_account(demo, handle="brand", actor=admin)
    with pytest.raises(ValidationError):
        add_sandbox_account(demo, handle="brand", actor=admin)
    with pytest.raises(ValidationError):
        add_sandbox_account(demo, handle="  @ ", actor=admin)


def test_page_labels_the_sandbox_and_adds_only_sandbox_accounts(demo, admin, client_for):
    client = client_for(admin)
    html = client.get("/o/demo/accounts/").content.decode()
    assert "Sandbox — nothing is published" in html
    response = client.post("/o/demo/accounts/sandbox/", {"handle": "second", "network": "x"})
    assert response.status_code == 302
    assert Account.objects.get(handle="second").network == Network.SANDBOX


def test_viewer_sees_no_manage_controls(demo, member, client_for):
    html = client_for(member("analyst")).get("/o/demo/accounts/").content.decode()
    assert "Add sandbox account" not in html
    assert "Disconnect" not in html


def test_foreign_account_is_404(demo, admin, client_for, outsider):
    from flokk.teams.models import Organization

    foreign = add_sandbox_account(Organization.objects.get(slug="other"), handle="x", actor=outsider)
    assert client_for(admin).post(f"/o/demo/accounts/{foreign.pk}/disconnect/").status_code == 404


def account_id(demo) -> str:
    return str(demo.accounts.get(network=Network.SANDBOX).pk)


@pytest.mark.parametrize(
    ("permission", "method", "path"),
    [
        ("administration.view", "get", "/o/demo/accounts/"),
        ("administration.manage", "post", "/o/demo/accounts/sandbox/"),
        ("administration.manage", "post", "/o/demo/accounts/{account}/rename/"),
        ("administration.manage", "post", "/o/demo/accounts/{account}/disconnect/"),
    ],
)
def test_view_permissions(demo, outsider, client_for, api_for, permission, method, path):
    url = path.format(account=account_id(demo))
    wrong = check_matrix(
        permission, lambda c: getattr(c, method)(url), api=False, client_for=client_for, api_for=api_for
    )
    assert wrong == []


def test_api_permissions(demo, outsider, client_for, api_for):
    wrong = check_matrix(
        "org.member",
        lambda c: c.get("/api/v1/orgs/demo/accounts"),
        api=True,
        client_for=client_for,
        api_for=api_for,
    )
    assert wrong == []
