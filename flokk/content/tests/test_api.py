"""The content API: posts with variants and checks, campaigns CRUD, the asset library."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from flokk.channels.networks import Network
from flokk.content.models import Asset, Campaign, Post
from flokk.content.tests.helpers import image_upload, network_account


@pytest.fixture
def writer(member):
    return member("copywriter")


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_create_and_read_a_post(demo, writer, api_for):
    client = api_for(writer)
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    bluesky = network_account(demo, Network.BLUESKY)
    campaign = demo.campaigns.get()
    # At a good hour for Bluesky (else an off-hours warning joins the checks, whatever the time of the run).
    at = (
        (timezone.now() + dt.timedelta(days=2)).astimezone(ZoneInfo(demo.time_zone)).replace(hour=9, minute=0)
    )
    response = post_json(
        client,
        "/api/v1/orgs/demo/posts",
        {
            "text": "Hello from the API " + "x" * 290,
            "account_ids": [str(sandbox.pk), str(bluesky.pk)],
            "scheduled_at": at.isoformat(),
            "campaign_id": str(campaign.pk),
            "objective": "Awareness",
            "variants": {"sandbox": {"text": "Short sandbox text", "hashtags": ["demo"]}},
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    post = Post.objects.get(pk=body["id"])
    assert body["status"] == "draft"
    assert post.campaign == campaign
    detail = client.get(f"/api/v1/orgs/demo/posts/{body['id']}").json()
    variants = {v["network"]: v for v in detail["variants"]}
    assert variants["sandbox"]["text"] == "Short sandbox text"
    assert variants["sandbox"]["hashtags"] == ["demo"]
    assert [c["code"] for c in variants["bluesky"]["checks"]] == ["too_long"]
    assert variants["bluesky"]["checks"][0]["level"] == "error"
    listed = client.get("/api/v1/orgs/demo/posts").json()
    assert body["id"] in [p["id"] for p in listed]


def test_naive_time_is_read_in_the_org_zone_and_dst_gap_refused(demo, writer, api_for):
    client = api_for(writer)
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    body = {"text": "x", "account_ids": [str(sandbox.pk)], "scheduled_at": "2027-03-28T02:30:00"}
    response = post_json(client, "/api/v1/orgs/demo/posts", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "nonexistent_time"
    response = post_json(client, "/api/v1/orgs/demo/posts", {**body, "scheduled_at": "2027-06-01T09:00:00"})
    assert response.status_code == 201
    assert Post.objects.get(pk=response.json()["id"]).scheduled_at == dt.datetime(
        2027, 6, 1, 7, tzinfo=dt.UTC
    )


def test_past_time_refused(demo, writer, api_for):
    sandbox = demo.accounts.get(network=Network.SANDBOX)
    response = post_json(
        api_for(writer),
        "/api/v1/orgs/demo/posts",
        {"text": "x", "account_ids": [str(sandbox.pk)], "scheduled_at": "2020-01-01T10:00:00Z"},
    )
    assert response.status_code == 422
    assert "already passed" in response.json()["error"]["message"]
    assert "scheduled_at" in response.json()["error"]["fields"]


def test_foreign_post_is_404(demo, writer, api_for, outsider):
    post = Post.objects.for_org(demo).first()
    assert api_for(outsider).get(f"/api/v1/orgs/other/posts/{post.pk}").status_code == 404


def test_campaign_crud(demo, member, api_for):
    client = api_for(member("marketing-coordinator"))
    body = {
        "name": "Autumn",
        "starts_on": "2026-09-01",
        "ends_on": "2026-09-30",
        "budget_lines": [{"category": "ads", "planned_amount": "5000.00"}],
    }
    created = post_json(client, "/api/v1/orgs/demo/campaigns", body)
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]
    assert created.json()["budget_lines"][0]["currency"] == "SEK"
    bad = post_json(client, "/api/v1/orgs/demo/campaigns", {**body, "ends_on": "2026-08-01"})
    assert bad.status_code == 422
    changed = client.put(
        f"/api/v1/orgs/demo/campaigns/{campaign_id}",
        json.dumps({**body, "name": "Autumn 2026", "budget_lines": []}),
        content_type="application/json",
    )
    assert changed.status_code == 200
    assert Campaign.objects.get(pk=campaign_id).budget_lines.count() == 0
    assert client.get(f"/api/v1/orgs/demo/campaigns/{campaign_id}").json()["name"] == "Autumn 2026"
    assert client.delete(f"/api/v1/orgs/demo/campaigns/{campaign_id}").status_code == 204
    assert not Campaign.objects.filter(pk=campaign_id).exists()


def test_asset_upload_multipart(demo, writer, api_for):
    client = api_for(writer)
    response = client.post(
        "/api/v1/orgs/demo/assets",
        {"file": image_upload("pic.gif"), "alt_text": "A red square", "tags": "red, square"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["mime_type"] == "image/png"
    assert response.json()["tags"] == ["red", "square"]
    bad = client.post("/api/v1/orgs/demo/assets", {"file": image_upload("x.jpg", b"not an image at all")})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "unknown_type"
    assert Asset.objects.count() == 1
    assert [a["id"] for a in client.get("/api/v1/orgs/demo/assets").json()] == [response.json()["id"]]


def test_accounts_list(demo, member, api_for):
    accounts = api_for(member("copywriter")).get("/api/v1/orgs/demo/accounts").json()
    assert [(a["network"], a["is_sandbox"]) for a in accounts] == [("sandbox", True)]


def test_openapi_declares_every_status(client):
    schema = client.get("/api/v1/openapi.json").json()
    ops = {
        op["operationId"]: op
        for path, methods in schema["paths"].items()
        if "/posts" in path or "/campaigns" in path or "/assets" in path or "/accounts" in path
        for op in methods.values()
    }
    assert "flokk_content_api_create_post" in ops
    assert {"201", "400", "401", "403", "404", "422"} <= set(
        ops["flokk_content_api_create_post"]["responses"]
    )
    assert {"200", "401", "404"} <= set(ops["flokk_channels_api_list_accounts"]["responses"])
