"""Writing posts: variants per network, scheduling, versions and their diff, escaping, the live editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from flokk.channels.networks import Network
from flokk.content.models import Post, PostVersion
from flokk.content.services.campaigns import CampaignInput, create_campaign
from flokk.content.services.policy import set_content_policy
from flokk.content.services.posts import PostInput, VariantInput, create_post, post_checks, update_post
from flokk.content.services.versions import as_text, diff_html
from flokk.content.tests.helpers import asset, network_account, sandbox
from flokk.core.models import AuditEntry

XSS = '<script>alert("x")</script>'


@pytest.fixture
def writer(member):
    return member("copywriter")


@pytest.fixture
def accounts(demo, member):
    return {
        "sandbox": demo.accounts.get(network=Network.SANDBOX),
        "bluesky": network_account(demo, Network.BLUESKY),
        "instagram": network_account(demo, Network.INSTAGRAM),
    }


def test_demo_has_content(demo):
    assert demo.accounts.filter(network=Network.SANDBOX).count() == 1
    assert demo.campaigns.count() == 1
    assert Post.objects.for_org(demo).count() == 3
    assert all(p.variants.count() == 1 for p in Post.objects.for_org(demo))


def test_post_gets_one_variant_per_network_with_default_text_and_overrides(demo, writer, accounts):
    post = create_post(
        demo,
        PostInput(
            account_ids=[accounts["sandbox"].pk, accounts["bluesky"].pk],
            text="Hello everyone",
            objective="Awareness",
            variants={"bluesky": VariantInput(text="Hello Bluesky", hashtags=("#spring",))},
        ),
        actor=writer,
    )
    texts = {v.network: (v.text, v.hashtags) for v in post.variants.all()}
    assert texts == {"sandbox": ("Hello everyone", []), "bluesky": ("Hello Bluesky", ["spring"])}
    assert post.status == "draft"
    assert AuditEntry.objects.filter(action="content.post.created", target_id=str(post.pk)).exists()
    assert post.versions.count() == 1


def test_accounts_of_another_org_or_disconnected_are_refused(demo, writer, outsider, accounts):
    from flokk.channels.services.accounts import disconnect_account
    from flokk.teams.models import Organization

    foreign = sandbox(Organization.objects.get(slug="other"), outsider)
    with pytest.raises(ValidationError):
        create_post(demo, PostInput(account_ids=[foreign.pk], text="x"), actor=writer)
    disconnect_account(accounts["bluesky"], actor=writer)
    with pytest.raises(ValidationError):
        create_post(demo, PostInput(account_ids=[accounts["bluesky"].pk], text="x"), actor=writer)
    with pytest.raises(ValidationError):
        create_post(demo, PostInput(account_ids=[], text="x"), actor=writer)


def test_scheduling_in_the_past_is_refused(demo, writer, accounts):
    with pytest.raises(ValidationError) as caught:
        create_post(
            demo,
            PostInput(
                account_ids=[accounts["sandbox"].pk],
                text="x",
                scheduled_at=timezone.now() - dt.timedelta(hours=1),
            ),
            actor=writer,
        )
    assert "already passed" in caught.value.messages[0]
    assert not Post.objects.filter(variants__text="x").exists()


def test_editor_refuses_past_and_nonexistent_times_with_clear_messages(demo, writer, accounts, client_for):
    client = client_for(writer)
    data = {"accounts": [accounts["sandbox"].pk], "text": "Nice", "scheduled_at": "2026-03-29T02:30"}
    response = client.post("/o/demo/posts/new/", data)
    assert response.status_code == 400
    assert "does not exist in Europe/Stockholm" in response.content.decode()
    response = client.post("/o/demo/posts/new/", {**data, "scheduled_at": "2020-01-01T10:00"})
    assert response.status_code == 400
    assert "already passed" in response.content.decode()
    future = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.UTC).replace(second=0, microsecond=0)
    response = client.post("/o/demo/posts/new/", {**data, "scheduled_at": future.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    post = Post.objects.get(variants__text="Nice")
    # typed in Stockholm time, stored in UTC
    assert post.scheduled_at.utcoffset() == dt.timedelta(0)
    # the form's time was read as Stockholm wall time, which is one or two hours ahead of UTC
    assert (future - post.scheduled_at).total_seconds() in (3600, 7200)


def test_expired_asset_refused_in_new_variants(demo, writer, accounts):
    expired = asset(demo, writer, alt_text="x", rights_expire_on=dt.date.today() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as caught:
        create_post(
            demo,
            PostInput(
                account_ids=[accounts["sandbox"].pk],
                text="x",
                variants={"sandbox": VariantInput(asset_ids=[expired.pk])},
            ),
            actor=writer,
        )
    assert "expired" in caught.value.messages[0]


def test_saved_post_checks_use_policy_and_recent_posts(demo, writer, accounts):
    image = asset(demo, writer)  # no alt text
    data = PostInput(
        account_ids=[accounts["instagram"].pk],
        text="The new season is here! Come to the launch evening on Thursday.",  # same as a demo post
        variants={"instagram": VariantInput(asset_ids=[image.pk])},
    )
    post = create_post(demo, data, actor=writer)
    found = {c.code for c in post_checks(post)["instagram"]}
    assert {"alt_text_missing", "repeat"} <= found
    set_content_policy(demo, require_alt_text=False, actor=writer)
    assert "alt_text_missing" not in {c.code for c in post_checks(post)["instagram"]}


def test_every_save_stores_a_version_and_the_diff_is_readable(demo, writer, accounts):
    post = create_post(
        demo, PostInput(account_ids=[accounts["sandbox"].pk], text="Hello old world"), actor=writer
    )
    update_post(
        post,
        PostInput(
            account_ids=[accounts["sandbox"].pk],
            text="",
            variants={"sandbox": VariantInput(text="Hello new world")},
        ),
        actor=writer,
    )
    versions = list(PostVersion.objects.filter(post=post).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    diff = diff_html(as_text(versions[0].snapshot), as_text(versions[1].snapshot))
    assert "<del>old</del>" in diff
    assert "<ins>new</ins>" in diff
    assert AuditEntry.objects.filter(action="content.post.updated").count() == 1


def test_diff_escapes_user_text():
    diff = diff_html("safe", f"safe {XSS}")
    assert "<script>" not in diff
    assert "&lt;script&gt;" in diff


def test_script_in_text_is_escaped_in_detail_preview_list_and_versions(demo, writer, accounts, client_for):
    post = create_post(
        demo,
        PostInput(account_ids=[accounts["sandbox"].pk], text=f"Hi {XSS} #tag", objective=XSS),
        actor=writer,
    )
    update_post(
        post,
        PostInput(
            account_ids=[accounts["sandbox"].pk], variants={"sandbox": VariantInput(text=f"Bye {XSS}")}
        ),
        actor=writer,
    )
    client = client_for(writer)
    for url in [
        f"/o/demo/posts/{post.pk}/",
        "/o/demo/posts/",
        f"/o/demo/posts/{post.pk}/versions/",
    ]:
        html = client.get(url).content.decode()
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url
    live = client.post(
        "/o/demo/posts/check/",
        {"accounts": [accounts["sandbox"].pk], "text": f"{XSS}\n#launch"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert XSS not in live
    assert "&lt;script&gt;" in live
    assert '<span class="hashtag">#launch</span>' in live
    assert "<br>" in live


def test_live_check_reports_per_network(demo, writer, accounts, client_for):
    client = client_for(writer)
    response = client.post(
        "/o/demo/posts/check/",
        {"accounts": [accounts["bluesky"].pk, accounts["instagram"].pk], "text": "x" * 301},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert html.count('data-code="too_long"') == 1  # Bluesky only; Instagram allows 2,200
    assert 'data-code="media_required"' in html
    past = client.post(
        "/o/demo/posts/check/",
        {"accounts": [accounts["bluesky"].pk], "text": "x", "scheduled_at": "2026-03-29T02:30"},
        HTTP_HX_REQUEST="true",
    )
    assert "does not exist" in past.content.decode()


def test_non_editable_post_cannot_be_changed(demo, writer, accounts):
    # Approved and scheduled posts go back to draft when edited (test_approval); published ones stay put.
    post = create_post(demo, PostInput(account_ids=[accounts["sandbox"].pk], text="x"), actor=writer)
    Post.objects.filter(pk=post.pk).update(status="published")
    post.refresh_from_db()
    with pytest.raises(ValidationError):
        update_post(post, PostInput(account_ids=[accounts["sandbox"].pk], text="y"), actor=writer)


def test_content_policy_toggle(demo, member, client_for):
    from flokk.content.services.policy import policy_for

    assert policy_for(demo).require_alt_text  # required unless the organization says otherwise
    client = client_for(member("marketing-coordinator"))
    assert client.post("/o/demo/content-policy/", {}).status_code == 302
    assert not policy_for(demo).require_alt_text
    assert client.post("/o/demo/content-policy/", {"require_alt_text": "on"}).status_code == 302
    assert policy_for(demo).require_alt_text
    assert AuditEntry.objects.filter(action="content.policy.changed").count() == 2


def test_campaign_dates_must_be_in_order(demo, member):
    with pytest.raises(ValidationError) as caught:
        create_campaign(
            demo,
            CampaignInput(name="Oops", starts_on=dt.date(2026, 5, 2), ends_on=dt.date(2026, 5, 1)),
            actor=member("social-media-manager"),
        )
    assert "end before it starts" in caught.value.messages[0]


def test_post_list_queries_do_not_grow_with_posts(demo, writer, accounts, client_for):
    client = client_for(writer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/o/demo/posts/").status_code == 200
        return len(captured)

    before = count()
    image = asset(demo, writer, alt_text="x")
    for n in range(10):
        create_post(
            demo,
            PostInput(
                account_ids=[accounts["sandbox"].pk, accounts["bluesky"].pk],
                text=f"Post {n}",
                variants={"bluesky": VariantInput(asset_ids=[image.pk])},
            ),
            actor=writer,
        )
    assert count() == before


def test_api_post_list_queries_do_not_grow_with_posts(demo, writer, accounts, api_for):
    client = api_for(writer)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/orgs/demo/posts").status_code == 200
        return len(captured)

    count()  # the first request also records the token's use
    before = count()
    for n in range(10):
        create_post(demo, PostInput(account_ids=[accounts["sandbox"].pk], text=f"Post {n}"), actor=writer)
    assert count() == before
