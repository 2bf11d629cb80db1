"""The dashboard: figures equal what was recorded, counted by hand; the page is for analysts of this
organization only; exports and labels are safe with hostile names; the page's query count is pinned."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import NONE, MetricSnapshot
from flokk.analytics.services import dashboard as figures
from flokk.analytics.services.dashboard import Period
from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.models import BudgetLine, Campaign, Post, Variant
from flokk.inbox.choices import Sentiment
from flokk.inbox.models import Message
from flokk.publishing.models import Delivery
from flokk.strategy.models import KPI, Goal
from flokk.teams.models import Organization, User
from flokk.teams.services.organizations import create_organization

pytestmark = pytest.mark.django_db

ZONE = zoneinfo.ZoneInfo("Europe/Stockholm")
PERIOD = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 8))  # Thursday 1 to Wednesday 7 October
HOSTILE = "<script>alert(1)</script>"


def local(day: int, hour: int, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 30, tzinfo=ZONE)


@dataclass
class Seeded:
    org: Organization
    owner: User
    sandbox: Account
    bluesky: Account
    campaign: Campaign
    deliveries: dict[str, Delivery]


def publish(
    org: Organization,
    account: Account,
    at: dt.datetime,
    *,
    text: str,
    content_type: str = "",
    tags: tuple[str, ...] = (),
    campaign: Campaign | None = None,
) -> Delivery:
    post = Post.objects.create(
        organization=org, content_type=content_type, tags=list(tags), campaign=campaign, status="published"
    )
    variant = Variant.objects.create(post=post, network=account.network, text=text)
    return Delivery.objects.create(
        organization=org, post=post, variant=variant, account=account, idempotency_key=uuid.uuid4().hex,
        status="published", due_at=at, next_attempt_at=at, published_at=at, remote_id=uuid.uuid4().hex,
    )  # fmt: skip


def events_of(delivery: Delivery, at: dt.datetime, **counts: int) -> list[NewEvent]:
    return [
        NewEvent(
            delivery.organization_id,
            at,
            kind,
            count,
            delivery.account.network,
            EventSource.NETWORK,
            account_id=delivery.account_id,
            delivery_id=delivery.pk,
            post_id=delivery.post_id,
            campaign_id=delivery.post.campaign_id or NONE,
        )
        for kind, count in counts.items()
    ]


def seed(name: str = "Fjord", slug: str = "fjord", campaign_name: str = HOSTILE) -> Seeded:
    """Three posts in the period (two on the sandbox, one on Bluesky, which reports no impressions), one
    earlier, followers, short-link clicks and conversions of a campaign with a budget, inbox messages."""
    owner = User.objects.create_user(f"owner@{slug}.example", "a-long-password-1", name="Olga Owner")
    org = create_organization(name=name, slug=slug, owner=owner)
    sandbox = Account.objects.create(organization=org, network=Network.SANDBOX, handle="fjord-demo")
    bluesky = Account.objects.create(organization=org, network=Network.BLUESKY, handle="fjord.bsky.social")
    campaign = Campaign.objects.create(
        organization=org, name=campaign_name, starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 31)
    )
    BudgetLine.objects.create(
        campaign=campaign, category="ads", planned_amount=Decimal("1000"), currency="SEK"
    )
    earlier = publish(org, sandbox, local(20, 10, month=9), text="Earlier post", content_type="image")
    first = publish(
        org, sandbox, local(1, 9), text="Launch video", content_type="video", tags=("=cmd", "launch"),
        campaign=campaign,
    )  # fmt: skip
    second = publish(org, sandbox, local(3, 18), text="Launch image", content_type="image", tags=("launch",))
    third = publish(org, bluesky, local(2, 12), text="Skeet", content_type="image", campaign=campaign)

    def account_event(
        account: Account, at: dt.datetime, kind: str, count: int, **keys: uuid.UUID
    ) -> NewEvent:
        return NewEvent(org.pk, at, kind, count, account.network, EventSource.NETWORK, account.pk, **keys)

    record_events(
        [
            *events_of(earlier, local(25, 11, month=9), impression=400, like=20),  # the previous period
            *events_of(first, local(1, 12), impression=1000, like=40, comment=10, link_click=5),
            *events_of(second, local(3, 20), impression=500, like=10),
            *events_of(third, local(2, 14), like=8, share=2),
            account_event(sandbox, local(10, 8, month=9), EventKind.FOLLOWER, 100),
            account_event(sandbox, local(2, 8), EventKind.FOLLOWER, 10),
            account_event(sandbox, local(5, 8), EventKind.FOLLOWER, -2),
            account_event(bluesky, local(1, 8), EventKind.FOLLOWER, 50),
            NewEvent(org.pk, local(4, 10), EventKind.CLICK, 7, "", EventSource.LINK, campaign_id=campaign.pk),
            NewEvent(org.pk, local(4, 11), "conversion", 3, "", EventSource.LANDING, campaign_id=campaign.pk),
        ]
    )  # fmt: skip
    refresh_all()
    return Seeded(
        org, owner, sandbox, bluesky, campaign,
        {"earlier": earlier, "first": first, "second": second, "third": third},
    )  # fmt: skip


@pytest.fixture
def seeded(db: None) -> Seeded:
    return seed()


def test_kpi_cards_are_the_recorded_events_against_the_previous_period_and_the_goals(seeded: Seeded) -> None:
    # Given goals for impressions (3,000 in October) and followers (from 100 to 200)
    goal = Goal.objects.create(organization=seeded.org, title="Be seen", deadline=dt.date(2026, 12, 31))
    for metric, target, baseline in (("impressions", 3000, None), ("followers", 200, 100)):
        KPI.objects.create(
            organization=seeded.org, goal=goal, metric=metric, target_value=target, baseline_value=baseline,
            direction="increase", period_start=dt.date(2026, 10, 1), period_end=dt.date(2026, 10, 31),
        )  # fmt: skip

    cards = {card.key: card for card in figures.kpi_cards(seeded.org, PERIOD)}

    assert (cards["impressions"].value, cards["impressions"].previous_value) == (1500, 400)
    assert cards["impressions"].change == pytest.approx(1100 / 400)
    assert (cards["impressions"].goal_target, cards["impressions"].goal_progress) == (3000, 0.5)
    assert (cards["engagements"].value, cards["engagements"].previous_value) == (75, 20)  # likes, comments...
    # Bluesky reports no impressions: its 10 engagements stay out of the rate
    assert cards["engagement_rate"].value == round(100 * 65 / 1500, 2)
    assert cards["engagement_rate"].previous_value == 5.0
    assert cards["engagement_rate"].unit == "%"
    assert (cards["followers"].value, cards["followers"].previous_value) == (58, 0)
    assert cards["followers"].goal_progress == pytest.approx((158 - 100) / (200 - 100))  # the audience's size
    assert cards["link_clicks"].value == 12  # 5 network link clicks and 7 short-link clicks
    assert cards["conversions"].value == 3
    assert cards["conversions"].goal_target is None

    # ... and on one network, only its figures count
    sandbox = {card.key: card for card in figures.kpi_cards(seeded.org, PERIOD, Network.SANDBOX)}
    assert (sandbox["impressions"].value, sandbox["engagements"].value, sandbox["followers"].value) == (
        1500,
        65,
        8,
    )
    assert sandbox["impressions"].goal_target is None  # the goal is organization-wide


def test_audience_grows_by_the_follower_events_up_to_each_day(seeded: Seeded) -> None:
    growth = figures.audience_growth(seeded.org, PERIOD)
    assert growth.days == PERIOD.dates()
    series = {s.label: s.values for s in growth.networks}
    assert series["Bluesky"] == [50] * 7
    assert series[str(Network.SANDBOX.label)] == [100, 110, 110, 110, 108, 108, 108]


def test_engagement_by_group_uses_impressions_where_they_exist(seeded: Seeded) -> None:
    by_type = {g.key: g for g in figures.engagement_by_content_type(seeded.org, PERIOD)}
    assert by_type["video"].rate == pytest.approx(55 / 1000)
    # the image on Bluesky has no impressions: the group's rate is the sandbox image's
    assert (by_type["image"].posts, by_type["image"].engagements, by_type["image"].impressions) == (
        2,
        20,
        500,
    )
    assert by_type["image"].rate == pytest.approx(10 / 500)

    by_tag = {g.label: g for g in figures.engagement_by_tag(seeded.org, PERIOD)}
    assert set(by_tag) == {"=cmd", "launch"}
    assert by_tag["launch"].rate == pytest.approx((55 + 10) / 1500)

    by_campaign = {g.label: g for g in figures.engagement_by_campaign(seeded.org, PERIOD)}
    assert by_campaign[HOSTILE].posts == 2 and by_campaign[HOSTILE].rate == pytest.approx(55 / 1000)
    assert by_campaign["No campaign"].rate == pytest.approx(10 / 500)

    # Only Bluesky: no impressions anywhere, so engagements per post
    bluesky = figures.engagement_by_campaign(seeded.org, PERIOD, Network.BLUESKY)
    assert [(g.label, g.per_post, g.rate) for g in bluesky] == [(HOSTILE, True, 10.0)]


def test_weekday_and_hour_are_the_local_time_of_publication(seeded: Seeded) -> None:
    grid = figures.engagement_by_weekday_hour(seeded.org, PERIOD)
    # Thursday 09:30, Friday 12:30 (Bluesky), Saturday 18:30, Stockholm time (UTC+2 in October)
    assert set(grid.cells) == {(3, 9), (4, 12), (5, 18)}
    assert grid.cells[(3, 9)].rate == pytest.approx(0.055)
    assert grid.by_weekday[5].posts == 1 and grid.by_hour[18].posts == 1
    levels = {label: [c.level for c in cells if c] for label, cells in grid.rows()}
    assert levels[grid.by_weekday[3].label] == [5]  # the best cell is the darkest


def test_each_post_against_the_earlier_posts_of_its_network(seeded: Seeded) -> None:
    rows = figures.posts_vs_history(seeded.org, PERIOD)
    got = [(row.post.text, row.post.engagements, row.earlier_posts, row.percentile) for row in rows]
    assert got == [
        ("Launch image", 10, 2, 0.0),  # fewer than the earlier post (20) and the launch video (55)
        ("Skeet", 10, 0, None),  # the first post on Bluesky
        ("Launch video", 55, 1, 100.0),
    ]
    assert len(figures.posts_vs_history(seeded.org, PERIOD, limit=1)) == 1


def test_spend_against_results_of_each_campaign(seeded: Seeded) -> None:
    (row,) = figures.spend_vs_results(seeded.org, PERIOD)
    assert (row.campaign, row.planned, row.currency) == (HOSTILE, Decimal("1000"), "SEK")
    assert (row.clicks, row.conversions, row.engagements) == (12, 3, 55 + 10)
    assert row.cost_per_click == Decimal("83.33")
    assert row.cost_per_conversion == Decimal("333.33")
    assert row.cost_per_engagement == Decimal("15.38")


def test_negative_share_and_response_times_come_from_the_inbox(seeded: Seeded) -> None:
    from flokk.channels.connectors.base import InboundAuthor, InboundItem
    from flokk.inbox.services.ingest import ingest

    said = [
        ("This is terrible, I hate it. Worst service ever!", local(2, 9), Sentiment.NEGATIVE),
        ("I love it, wonderful and great!", local(2, 10), Sentiment.POSITIVE),
        ("The shop opens at nine tomorrow.", local(2, 23), Sentiment.NEUTRAL),
        ("Awful. Never again, the worst.", local(4, 1), Sentiment.NEGATIVE),
        ("Horrible and disappointing, very bad.", local(9, 9), Sentiment.NEGATIVE),  # after the period
    ]

    def item(number: int, text: str, at: dt.datetime) -> InboundItem:
        author = InboundAuthor(remote_id=f"p{number}", handle=f"p{number}.bsky.social", display_name="P")
        return InboundItem(
            remote_id=f"m{number}",
            kind="mention",
            text=text,
            author=author,
            created_at=at,
            thread_id=f"m{number}",
        )

    ingest(seeded.bluesky, [item(n, text, at) for n, (text, at, _mood) in enumerate(said)])
    assert [Message.objects.get(remote_id=f"m{n}").sentiment for n in range(len(said))] == [
        mood for _text, _at, mood in said
    ]
    assert figures.negative_share(seeded.org, PERIOD)[1].messages == 0  # counted by the refresh job
    refresh_all()

    shares = {day.day: day for day in figures.negative_share(seeded.org, PERIOD)}
    assert len(shares) == 7
    assert (shares[dt.date(2026, 10, 2)].messages, shares[dt.date(2026, 10, 2)].negative) == (3, 1)
    assert shares[dt.date(2026, 10, 4)].share == 1.0  # 01:30 local is still the 4th, though the 3rd in UTC
    assert shares[dt.date(2026, 10, 5)].share is None

    times_by_network = figures.response_times(seeded.org, PERIOD)["network"]
    assert [(row.label, row.conversations, row.answered) for row in times_by_network] == [("bluesky", 4, 0)]


def test_missing_metrics_and_freshness(seeded: Seeded) -> None:
    MetricSnapshot.objects.create(
        organization=seeded.org, account=seeded.bluesky, taken_at=local(5, 8), values={"like": 8},
        missing=["impression", "save"],
    )  # fmt: skip
    MetricSnapshot.objects.create(
        organization=seeded.org,
        account=seeded.sandbox,
        taken_at=local(5, 8),
        values={},
        missing=[],
        demo=True,
    )
    gaps = {gap.network: gap for gap in figures.missing_metrics(seeded.org)}
    assert gaps["bluesky"].missing == ["Impressions", "Saves"]
    assert gaps["sandbox"].demo and gaps["sandbox"].missing == []
    assert figures.data_as_of(seeded.org) is not None


def test_the_period_in_the_address(seeded: Seeded) -> None:
    from flokk.analytics.views.dashboard import period_from

    today = dt.date(2026, 10, 7)
    assert period_from({}, today) == Period(dt.date(2026, 9, 10), dt.date(2026, 10, 8))
    assert period_from({"days": "7"}, today) == PERIOD
    assert period_from({"from": "2026-10-01", "until": "2026-10-07"}, today) == PERIOD
    assert period_from({"from": "2026-10-07", "until": "2026-10-01"}, today) == PERIOD
    assert period_from({"from": "junk", "until": "2026-10-01"}, today).days == 28
    assert period_from({"days": "100000"}, today).days == 28
    assert period_from({"from": "2000-01-01", "until": "2026-10-07"}, today).days == 366
    assert PERIOD.previous() == Period(dt.date(2026, 9, 24), dt.date(2026, 10, 1))


# --- the page ----------------------------------------------------------------------------------------------
def url(org: Organization, **params: str) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("analytics:dashboard", kwargs={"org": org.slug}) + (f"?{query}" if query else "")


@pytest.fixture
def owner_client(seeded: Seeded, client_for: Callable[[User], Client]) -> Client:
    return client_for(seeded.owner)


def test_the_page_shows_the_figures_with_hostile_names_as_text(seeded: Seeded, owner_client: Client) -> None:
    MetricSnapshot.objects.create(
        organization=seeded.org,
        account=seeded.bluesky,
        taken_at=local(5, 8),
        values={},
        missing=["impression"],
    )
    response = owner_client.get(url(seeded.org, **{"from": "2026-10-01", "until": "2026-10-07"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kpi="impressions"' in html and ">1,500<" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert HOSTILE not in html
    assert html.count("<canvas") >= 6
    assert 'id="chart-audience" type="application/json"' in html
    assert "=cmd" in html
    assert "Bluesky does not report: Impressions." in html
    assert "Data as of" in html
    assert "chart-4.6.1.umd.min.js" in html and "analytics.js" in html
    assert reverse("analytics:dashboard", kwargs={"org": seeded.org.slug}) in html  # the nav link


def test_csv_export_keeps_formulas_from_running(seeded: Seeded, owner_client: Client) -> None:
    october = {"from": "2026-10-01", "until": "2026-10-07"}
    response = owner_client.get(url(seeded.org, **october, export="tags"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().lstrip("\ufeff").splitlines()
    assert any(line.startswith("'=cmd;") for line in lines)
    assert not any(line.startswith("=") for line in lines)
    for table in figures.EXPORTS:
        assert owner_client.get(url(seeded.org, **october, export=table)).status_code == 200
    assert owner_client.get(url(seeded.org, export="nope")).status_code == 404


def test_who_may_see_the_dashboard(
    demo: Organization, member: Callable[[str], User], outsider: User, client_for: Callable[[User], Client]
) -> None:
    assert client_for(member("analyst")).get(url(demo)).status_code == 200
    assert client_for(member("community-manager")).get(url(demo)).status_code == 200  # analysis: view
    assert client_for(member("copywriter")).get(url(demo)).status_code == 403
    assert client_for(outsider).get(url(demo)).status_code == 404
    assert Client().get(url(demo)).status_code == 302


def test_the_nav_link_shows_for_those_who_may_see_analytics(
    demo: Organization, member: Callable[[str], User], client_for: Callable[[User], Client]
) -> None:
    link = reverse("analytics:dashboard", kwargs={"org": demo.slug})
    home = reverse("teams:org_home", kwargs={"org": demo.slug})
    assert link in client_for(member("analyst")).get(home).content.decode()
    assert link not in client_for(member("copywriter")).get(home).content.decode()


def test_the_page_needs_a_fixed_number_of_queries(
    seeded: Seeded, owner_client: Client, django_assert_max_num_queries: Callable[..., object]
) -> None:
    owner_client.get(url(seeded.org))  # sessions and caches warm
    with django_assert_max_num_queries(QUERY_BUDGET):  # type: ignore[attr-defined]
        assert owner_client.get(url(seeded.org, days="90")).status_code == 200
    # More posts, campaigns and messages cost no more queries
    more = seed("Fjord Two", "fjord-two", campaign_name="Second")
    for n in range(5):
        publish(seeded.org, seeded.sandbox, local(4, 8 + n), text=f"More {n}", tags=(f"t{n}",))
        Campaign.objects.create(
            organization=seeded.org,
            name=f"C{n}",
            starts_on=dt.date(2026, 10, 1),
            ends_on=dt.date(2026, 10, 9),
        )
    assert more.org != seeded.org
    with django_assert_max_num_queries(QUERY_BUDGET):  # type: ignore[attr-defined]
        assert owner_client.get(url(seeded.org, days="90")).status_code == 200


QUERY_BUDGET = 28  # 27 on SQLite and PostgreSQL: ~7 for the session, membership and base page
