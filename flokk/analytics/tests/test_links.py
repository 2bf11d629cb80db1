"""Short links and the UTM builder: links are tagged by the organization's conventions, short links send
people on and count them per post, network and campaign, bots are sent on without being counted."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import AnalyticsSettings, Link, PendingEvent
from flokk.analytics.services import links as link_service
from flokk.analytics.services.conversions import save_analytics_settings
from flokk.analytics.services.links import create_link, is_bot, short_url
from flokk.analytics.services.rollups import refresh_all
from flokk.analytics.services.utm import tag_links, tagged_for_publishing
from flokk.channels.networks import Network
from flokk.content.choices import PostStatus
from flokk.content.models import Campaign, Post
from flokk.content.services.posts import PostInput, create_post
from flokk.content.tests.helpers import network_account
from flokk.core import ratelimit
from flokk.core.models import AuditEntry
from flokk.publishing.models import Delivery
from flokk.publishing.services.claiming import claim_jobs, publication_of
from flokk.publishing.services.planning import plan_due_deliveries

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
DEFAULTS = {
    "metrics_every_minutes": 60,
    "utm_source": "{network}",
    "utm_medium": "social",
    "utm_campaign": "{campaign}",
    "utm_content": "{post}",
}


@pytest.fixture
def campaign(demo):
    return Campaign.objects.create(
        organization=demo,
        name="Spring Sale 2026",
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 4, 30),
    )


@pytest.fixture
def post(demo, campaign):
    return Post.objects.create(organization=demo, campaign=campaign, objective="Sell")


def configure(demo, *, shorten: bool) -> AnalyticsSettings:
    return save_analytics_settings(demo, actor=None, shorten_links=shorten, **DEFAULTS)


# Creating links


def test_a_link_gets_an_unguessable_code_and_an_audit_entry(demo, member, campaign):
    link = create_link(
        demo, "https://example.com/spring", network="bluesky", campaign=campaign, actor=member("analyst")
    )

    assert len(link.code) == 8 and link.code.isalnum()
    assert short_url(link) == f"http://127.0.0.1:8000/l/{link.code}"
    assert AuditEntry.objects.filter(action="analytics.link.created", target_id=str(link.pk)).exists()


@pytest.mark.parametrize(
    "target",
    [
        "ftp://example.com/file",
        "javascript:alert(1)",
        "https://user:secret@example.com/",
        "https://example.com/a b",
        "https://example.com/\x00",
        "https://example.com/" + "a" * 2000,
        "example.com",
        "http://127.0.0.1:8000/l/abcdefgh",
    ],
)
def test_targets_that_are_not_plain_web_addresses_are_refused(demo, target):
    with pytest.raises(ValidationError):
        create_link(demo, target, actor=None)
    assert not Link.objects.exists()


def test_a_code_collision_is_retried_with_a_new_code(demo, monkeypatch):
    create_link(demo, "https://example.com/one", actor=None)
    taken = Link.objects.get().code
    codes = iter([taken, "Fresh123"])
    monkeypatch.setattr(link_service, "new_code", lambda: next(codes))

    link = create_link(demo, "https://example.com/two", actor=None)

    assert link.code == "Fresh123"


def test_a_post_of_another_organization_is_refused(demo, outsider):
    other_post = Post.objects.create(organization=outsider.memberships.get().organization)
    with pytest.raises(ValidationError):
        create_link(demo, "https://example.com/", post=other_post, actor=None)


# Following links


def test_a_person_is_sent_on_and_counted_per_post_network_and_campaign(client, demo, post, campaign):
    link = create_link(
        demo, "https://example.com/spring?utm_source=bluesky", post=post, network="bluesky", actor=None
    )

    response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    assert response["Location"] == "https://example.com/spring?utm_source=bluesky"
    event = PendingEvent.objects.get()
    assert (event.kind, event.source, event.count) == (EventKind.CLICK, EventSource.LINK, 1)
    assert (event.link_id, event.post_id, event.campaign_id, event.network) == (
        link.pk,
        post.pk,
        campaign.pk,
        "bluesky",
    )
    refresh_all()
    link.refresh_from_db()
    assert link.clicks == 1


def test_one_client_clicking_again_and_again_is_sent_on_but_counted_up_to_a_limit(
    client, demo, settings, monkeypatch
) -> None:
    settings.FLOKK_COUNTED_CLICKS_PER_HOUR = 3
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)  # one window, whenever it runs
    link = create_link(demo, "https://example.com/", actor=None)
    other = create_link(demo, "https://example.com/other", actor=None)

    answers = [client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER).status_code for _ in range(5)]
    client.get(f"/l/{other.code}", HTTP_USER_AGENT=BROWSER)  # another link: a count of its own
    client.get(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="192.0.2.7")  # another client

    assert answers == [302] * 5
    assert sorted(PendingEvent.objects.values_list("link_id", flat=True)) == sorted(
        [link.pk] * 4 + [other.pk]
    )


@pytest.mark.parametrize(
    "agent",
    [
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "TelegramBot (like TwitterBot)",
        "WhatsApp/2.23.20.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
    ],
)
def test_bots_and_link_previews_are_sent_on_but_not_counted(client, demo, agent):
    link = create_link(demo, "https://example.com/", actor=None)

    response = client.get(f"/l/{link.code}", HTTP_USER_AGENT=agent)

    assert response.status_code == 302
    assert not PendingEvent.objects.exists()
    assert is_bot(agent)


def test_a_head_request_is_not_a_click(client, demo):
    link = create_link(demo, "https://example.com/", actor=None)

    response = client.head(f"/l/{link.code}", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 302
    assert not PendingEvent.objects.exists()


@pytest.mark.parametrize("code", ["nothere1", "a" * 17, "bad-code", "%3Cscript%3E"])
def test_an_unknown_code_is_a_not_found_page(client, demo, code):
    response = client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER)

    assert response.status_code == 404
    assert not PendingEvent.objects.exists()


def test_the_short_link_address_does_not_collide_with_other_pages():
    assert reverse("analytics:short_link", args=["abc"]) == "/l/abc"
    assert reverse("analytics:conversion", args=["k" * 32]) == "/c/" + "k" * 32


# The UTM builder


def test_links_in_a_text_get_the_conventions_without_losing_their_own_parameters(demo, post):
    configure(demo, shorten=False)
    text = (
        "Spring is here: https://example.com/sale?ref=nl&utm_source=newsletter. And (https://example.com/b)!"
    )

    tagged = tag_links(text, organization=demo, post=post, network="bluesky")

    first = tagged.split(": ")[1].split(". And")[0]
    query = parse_qs(urlsplit(first).query)
    assert (
        query
        == {
            "ref": ["nl"],
            "utm_source": ["newsletter"],  # already there: never overridden
            "utm_medium": ["social"],
            "utm_campaign": ["spring-sale-2026"],
            "utm_content": [post.pk.hex[:8]],
        }
    )
    assert tagged.endswith(f"utm_content={post.pk.hex[:8]})!")  # the closing bracket and ! stay outside
    assert "utm_source=bluesky" in tagged.split("(")[1]


def test_with_shortening_each_link_becomes_one_flokk_short_link(demo, post):
    configure(demo, shorten=True)
    text = "See https://example.com/a and https://example.com/a again, or https://example.com/b."

    tagged = tag_links(text, organization=demo, post=post, network="mastodon")

    assert Link.objects.count() == 2
    link_a = Link.objects.get(target_url__startswith="https://example.com/a")
    assert tagged.count(short_url(link_a)) == 2
    assert tagged.endswith(".")
    assert "utm_source=mastodon" in link_a.target_url and link_a.post == post and link_a.network == "mastodon"
    # Tagging again (a retry) changes nothing and makes no new links.
    assert tag_links(text, organization=demo, post=post, network="mastodon") == tagged
    assert tag_links(tagged, organization=demo, post=post, network="mastodon") == tagged
    assert Link.objects.count() == 2


def test_posts_go_out_as_written_until_the_settings_are_saved(demo, post):
    text, link = tagged_for_publishing(
        organization=demo, post=post, network="bluesky", text="Hi https://example.com/", link="", hashtags=()
    )
    assert (text, link) == ("Hi https://example.com/", "")

    configure(demo, shorten=True)
    text, link = tagged_for_publishing(
        organization=demo,
        post=post,
        network="bluesky",
        text="Hi https://example.com/",
        link="https://example.com/",
        hashtags=(),
    )
    assert text.startswith("Hi http://127.0.0.1:8000/l/") and link == text.removeprefix("Hi ")


def test_tagging_never_breaks_the_networks_length_limit(demo, post):
    configure(demo, shorten=False)
    text = "x" * 260 + " https://example.com/"  # fits Bluesky's 300; with UTM parameters it would not

    assert tagged_for_publishing(
        organization=demo, post=post, network="bluesky", text=text, link="", hashtags=()
    ) == (text, "")


def test_links_that_cannot_be_clicked_are_left_alone(demo, post):
    configure(demo, shorten=True)

    assert tagged_for_publishing(
        organization=demo,
        post=post,
        network="instagram",
        text="Bio: https://example.com/",
        link="",
        hashtags=(),
    ) == ("Bio: https://example.com/", "")


# Pages


def test_links_page_for_viewers_and_outsiders(client_for, member, outsider, demo):
    create_link(
        demo,
        "https://example.com/<script>alert(1)</script>".replace("<", "%3C").replace(">", "%3E"),
        actor=None,
    )
    url = reverse("analytics:links", args=[demo.slug])

    page = client_for(member("community-manager")).get(url)
    assert page.status_code == 200
    assert "/l/" in page.content.decode()
    assert client_for(member("copywriter")).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_making_a_link_on_the_page_needs_analysis_work(client_for, member, demo):
    url = reverse("analytics:add_link", args=[demo.slug])
    data = {"target_url": "https://example.com/page", "network": "linkedin", "campaign": ""}

    assert client_for(member("community-manager")).post(url, data).status_code == 403
    response = client_for(member("marketing-coordinator")).post(url, data)
    assert response.status_code == 302
    assert Link.objects.get().network == "linkedin"

    refused = client_for(member("marketing-coordinator")).post(url, {"target_url": "ftp://example.com/"})
    assert refused.status_code == 422
    assert Link.objects.count() == 1


def test_settings_page_saves_the_conventions_and_shows_the_snippet_escaped(
    client_for, member, outsider, demo
):
    url = reverse("analytics:settings", args=[demo.slug])
    analyst = client_for(member("analyst"))

    assert client_for(member("marketing-coordinator")).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert "flokkConversion" not in analyst.get(url).content.decode()

    response = analyst.post(
        url,
        {**DEFAULTS, "utm_medium": "organic-social", "shorten_links": "on", "metrics_every_minutes": "30"},
    )
    assert response.status_code == 302
    saved = AnalyticsSettings.objects.get(organization=demo)
    assert saved.utm_medium == "organic-social" and saved.shorten_links and len(saved.conversion_key) >= 16
    page = analyst.get(url).content.decode()
    assert "flokkConversion" in page and f"/c/{saved.conversion_key}" in page
    assert "&lt;script&gt;" in page and "<script>\n(function" not in page

    bad = analyst.post(url, {**DEFAULTS, "utm_medium": "<b>", "metrics_every_minutes": "30"})
    assert bad.status_code == 422


# API


def test_api_lists_and_makes_links(api_for, member, outsider, demo, post):
    url = f"/api/v1/orgs/{demo.slug}/links"
    worker = api_for(member("marketing-coordinator"))

    made = worker.post(
        url,
        {"target_url": "https://example.com/x", "network": "bluesky", "post_id": str(post.pk)},
        content_type="application/json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["short_url"].endswith("/l/" + body["code"]) and body["campaign_id"] == str(post.campaign_id)

    listed = api_for(member("community-manager")).get(url)
    assert listed.status_code == 200 and [item["code"] for item in listed.json()] == [body["code"]]

    refused = worker.post(url, {"target_url": "https://a:b@example.com/"}, content_type="application/json")
    assert refused.status_code == 422
    assert (
        api_for(member("community-manager"))
        .post(url, {"target_url": "https://example.com/"}, content_type="application/json")
        .status_code
        == 403
    )
    assert api_for(member("copywriter")).get(url).status_code == 403
    assert api_for(outsider).get(url).status_code == 404


def test_a_published_post_carries_tagged_short_links_and_keeps_them_on_retry(demo, member, post):
    configure(demo, shorten=True)
    account = network_account(demo, Network.MASTODON)
    written = create_post(
        demo,
        PostInput(account_ids=[account.pk], text="Spring sale: https://shop.example/spring"),
        actor=member("copywriter"),
    )
    Post.objects.filter(pk=written.pk).update(
        status=PostStatus.SCHEDULED,
        scheduled_at=timezone.now() - dt.timedelta(seconds=1),
        campaign=post.campaign,
    )
    now = timezone.now()
    assert plan_due_deliveries(now) == 1

    [job] = claim_jobs(now, worker="w", limit=10, lease=dt.timedelta(minutes=2))

    link = Link.objects.get(post=written)
    assert job.publication.text == f"Spring sale: {short_url(link)}"
    assert link.network == "mastodon" and link.campaign == post.campaign
    assert "utm_source=mastodon" in link.target_url and "utm_campaign=spring-sale-2026" in link.target_url
    again = publication_of(
        Delivery.objects.select_related("account", "variant", "post").get(pk=job.delivery_id)
    )
    assert again.text == job.publication.text and Link.objects.count() == 1
