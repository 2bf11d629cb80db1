"""Every content page and endpoint for every role, the agency, an outsider and anonymous (table in
`flokk/channels/tests/matrix.py`): production work writes posts and assets, production view reads them,
planning work writes campaigns, planning view reads them. Members lacking get 403, outsiders 404.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from flokk.channels.tests.matrix import check_matrix
from flokk.content.models import Campaign, Post
from flokk.content.services.campaigns import CampaignInput, create_campaign
from flokk.content.tests.helpers import asset, image_upload


@pytest.fixture
def ids(demo, member):
    return {
        "post": str(Post.objects.for_org(demo).first().pk),
        "campaign": str(Campaign.objects.for_org(demo).first().pk),
        "asset": str(asset(demo, member("copywriter"), alt_text="x").pk),
    }


PAGES = [
    ("production.view", "get", "/o/demo/posts/"),
    ("production.view", "get", "/o/demo/posts/{post}/"),
    ("production.view", "get", "/o/demo/posts/{post}/versions/"),
    ("production.work", "get", "/o/demo/posts/new/"),
    ("production.work", "post", "/o/demo/posts/new/"),
    ("production.work", "get", "/o/demo/posts/{post}/edit/"),
    ("production.work", "post", "/o/demo/posts/check/"),
    ("production.view", "get", "/o/demo/assets/"),
    ("production.view", "get", "/o/demo/assets/{asset}/file/"),
    ("production.work", "post", "/o/demo/assets/upload/"),
    ("production.work", "get", "/o/demo/assets/{asset}/"),
    ("production_management.manage", "post", "/o/demo/content-policy/"),
    ("planning.view", "get", "/o/demo/campaigns/"),
    ("planning.work", "get", "/o/demo/campaigns/new/"),
    ("planning.work", "get", "/o/demo/campaigns/{campaign}/"),
]


@pytest.mark.parametrize(("permission", "method", "path"), PAGES)
def test_page_permissions(demo, outsider, ids, client_for, api_for, permission, method, path):
    url = path.format(**ids)
    wrong = check_matrix(
        permission, lambda c: getattr(c, method)(url), api=False, client_for=client_for, api_for=api_for
    )
    assert wrong == []


def _json(method, url, body):
    return lambda c: getattr(c, method)(url, json.dumps(body), content_type="application/json")


CAMPAIGN = {"name": "C", "starts_on": "2026-09-01", "ends_on": "2026-09-02"}
ENDPOINTS = [
    ("production.view", lambda ids: lambda c: c.get("/api/v1/orgs/demo/posts")),
    ("production.view", lambda ids: lambda c: c.get(f"/api/v1/orgs/demo/posts/{ids['post']}")),
    (
        "production.work",
        lambda ids: _json("post", "/api/v1/orgs/demo/posts", {"text": "x", "account_ids": [ids["account"]]}),
    ),
    ("planning.view", lambda ids: lambda c: c.get("/api/v1/orgs/demo/campaigns")),
    ("planning.view", lambda ids: lambda c: c.get(f"/api/v1/orgs/demo/campaigns/{ids['campaign']}")),
    ("planning.work", lambda ids: _json("post", "/api/v1/orgs/demo/campaigns", CAMPAIGN)),
    ("planning.work", lambda ids: _json("put", f"/api/v1/orgs/demo/campaigns/{ids['campaign']}", CAMPAIGN)),
    ("production.view", lambda ids: lambda c: c.get("/api/v1/orgs/demo/assets")),
    ("production.work", lambda ids: lambda c: c.post("/api/v1/orgs/demo/assets", {"file": image_upload()})),
]


@pytest.mark.parametrize(("permission", "make"), ENDPOINTS)
def test_api_permissions(demo, outsider, ids, client_for, api_for, permission, make):
    ids["account"] = str(demo.accounts.first().pk)
    wrong = check_matrix(permission, make(ids), api=True, client_for=client_for, api_for=api_for)
    assert wrong == []


@pytest.mark.parametrize("api", [False, True])
def test_delete_campaign_permissions(demo, outsider, client_for, api_for, member, api):
    # Each subject gets its own campaign, so every allowed call has something to delete.
    def delete(c):
        campaign = create_campaign(
            demo,
            CampaignInput(name="x", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 2)),
            actor=member("head-of-social"),
        )
        if api:
            response = c.delete(f"/api/v1/orgs/demo/campaigns/{campaign.pk}")
        else:
            response = c.post(f"/o/demo/campaigns/{campaign.pk}/delete/")
        gone = not Campaign.objects.filter(pk=campaign.pk).exists()
        assert gone == (response.status_code in (204, 302) and "/login/" not in response.get("Location", ""))
        return response

    assert check_matrix("planning.work", delete, api=api, client_for=client_for, api_for=api_for) == []
