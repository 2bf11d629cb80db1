"""The content pages as a person uses them: campaigns with a budget, editing a post and an asset."""

from __future__ import annotations

from decimal import Decimal

from flokk.channels.networks import Network
from flokk.content.models import Campaign, Post
from flokk.content.tests.helpers import asset


def test_campaign_with_budget_lines(demo, member, client_for):
    client = client_for(member("content-manager"))
    data = {
        "name": "Summer",
        "starts_on": "2026-06-01",
        "ends_on": "2026-05-01",
        "objective": "More newsletter sign-ups",
        "budget_0_category": "tools",
        "budget_0_amount": "1200",
        "budget_0_currency": "NOK",
        "budget_1_category": "ads",
        "budget_1_amount": "3000",
    }
    refused = client.post("/o/demo/campaigns/new/", data)
    assert refused.status_code == 400
    assert "cannot end before it starts" in refused.content.decode()
    assert client.post("/o/demo/campaigns/new/", {**data, "ends_on": "2026-08-31"}).status_code == 302
    campaign = Campaign.objects.get(name="Summer")
    assert [
        (b.category, b.planned_amount, b.currency) for b in campaign.budget_lines.order_by("category")
    ] == [
        ("ads", Decimal("3000.00"), "SEK"),
        ("tools", Decimal("1200.00"), "NOK"),
    ]
    page = client.get("/o/demo/campaigns/").content.decode()
    assert "Summer" in page
    assert "1200.00 NOK" in page


def test_edit_post_keeps_variants_and_adds_a_version(demo, member, client_for):
    writer = member("copywriter")
    client = client_for(writer)
    post = Post.objects.for_org(demo).first()
    account = demo.accounts.get(network=Network.SANDBOX)
    form = client.get(f"/o/demo/posts/{post.pk}/edit/").content.decode()
    assert post.variants.get().text in form
    response = client.post(
        f"/o/demo/posts/{post.pk}/edit/",
        {"accounts": [account.pk], "sandbox_text": "Rewritten text", "objective": "Awareness"},
    )
    assert response.status_code == 302
    assert post.variants.get().text == "Rewritten text"
    assert post.versions.count() == 2
    history = client.get(f"/o/demo/posts/{post.pk}/versions/").content.decode()
    assert "<ins>Rewritten" in history


def test_detail_shows_checks_and_thumbnails(demo, member, client_for):
    writer = member("copywriter")
    image = asset(demo, writer)  # no alt text, and the demo policy requires it
    post = Post.objects.for_org(demo).first()
    post.variants.get().assets.add(image)
    html = client_for(writer).get(f"/o/demo/posts/{post.pk}/").content.decode()
    assert 'data-code="alt_text_missing"' in html
    assert f"/o/demo/assets/{image.pk}/file/" in html
    assert "Sandbox — nothing is published" in html


def test_asset_edit(demo, member, client_for):
    writer = member("graphic-designer")
    image = asset(demo, writer)
    response = client_for(writer).post(
        f"/o/demo/assets/{image.pk}/",
        {"alt_text": "Two people laughing", "tags": "people, summer", "rights_expire_on": "2020-01-01"},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert image.alt_text == "Two people laughing"
    assert image.tags == ["people", "summer"]
    assert image.rights_expired()
    assert "Rights expired" in client_for(writer).get("/o/demo/assets/").content.decode()
