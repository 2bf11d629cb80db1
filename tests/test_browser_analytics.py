"""In a real browser, in Danish: the analytics dashboard draws its charts and shows its key figures.

The organization's figures are seeded once per test by `analytics_org` (published posts with their events,
followers, a campaign with a hostile name), and `danish_analyst` signs the demo's analyst in, in Danish:
tests of other analytics pages (the monthly report) use the same two fixtures.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import timezone, translation
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.services.dashboard import Period, kpi_cards, local_today
from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all
from flokk.channels.models import Account
from flokk.channels.networks import Network
from flokk.content.models import Campaign, Post, Variant
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization, User
from flokk.teams.services.demo import demo_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = "<script>window.__xss=1</script>"
ANALYST = "analyst"

# The whole document fits the viewport's width: nothing makes the page scroll sideways.
NO_SIDEWAYS_SCROLL = (
    "() => document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth + 1"
)
CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return canvases.length > 0 && canvases.every((canvas) => {
    const chart = window.Chart && window.Chart.getChart(canvas);
    return chart && canvas.width > 0 && canvas.height > 0 && chart.data.datasets.length > 0;
  });
}"""


@dataclass(frozen=True)
class AnalyticsOrg:
    org: Organization
    analyst: User
    period: Period  # the dashboard's default period: the last 28 days
    impressions: int  # the impressions card's figure for that period


@pytest.fixture
def analytics_org(demo: Organization) -> AnalyticsOrg:
    """The demo organization with three posts of the last days on its sandbox account, their impressions
    and engagements, followers, and a campaign named like a script. The analyst reads Danish."""
    User.objects.filter(email=demo_email(ANALYST)).update(language="da")
    account = Account.objects.create(organization=demo, network=Network.SANDBOX, handle="analytics-demo")
    campaign = Campaign.objects.create(
        organization=demo,
        name=HOSTILE,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        ends_on=timezone.localdate() + dt.timedelta(days=30),
    )
    now = timezone.now()
    events = []
    for number, (days_ago, content_type, impressions, likes) in enumerate(
        [(9, "video", 2400, 130), (5, "image", 1800, 45), (2, "text", 900, 20)]
    ):
        at = now - dt.timedelta(days=days_ago)
        post = Post.objects.create(
            organization=demo, content_type=content_type, tags=["launch"], status="published",
            campaign=campaign if number != 1 else None,
        )  # fmt: skip
        variant = Variant.objects.create(
            post=post, network=Network.SANDBOX, text=f"Opslag nummer {number + 1}"
        )
        delivery = Delivery.objects.create(
            organization=demo, post=post, variant=variant, account=account, idempotency_key=uuid.uuid4().hex,
            status="published", due_at=at, next_attempt_at=at, published_at=at, remote_id=f"x-{number}",
        )  # fmt: skip
        for kind, count in ((EventKind.IMPRESSION, impressions), (EventKind.LIKE, likes)):
            events.append(
                NewEvent(
                    demo.pk,
                    at + dt.timedelta(hours=1),
                    kind,
                    count,
                    Network.SANDBOX,
                    EventSource.NETWORK,
                    account_id=account.pk,
                    delivery_id=delivery.pk,
                    post_id=post.pk,
                    campaign_id=post.campaign_id or uuid.UUID(int=0),
                )
            )
    for days_ago in range(20):
        events.append(
            NewEvent(
                demo.pk,
                now - dt.timedelta(days=days_ago),
                EventKind.FOLLOWER,
                3 + days_ago % 4,
                Network.SANDBOX,
                EventSource.NETWORK,
                account_id=account.pk,
            )
        )
    record_events(events)
    refresh_all()
    period = Period.last_days(28, local_today(demo))
    cards = {card.key: card for card in kpi_cards(demo, period)}
    shown = cards["impressions"].value
    assert shown is not None and shown >= 5100
    return AnalyticsOrg(demo, User.objects.get(email=demo_email(ANALYST)), period, int(shown))


@pytest.fixture
def danish_analyst(browser: Browser, live_server: LiveServer, analytics_org: AnalyticsOrg) -> Iterator[Page]:
    """A Danish browser at 1280 px in which the analyst has signed in; it fails the test on script errors."""
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):  # Flokk has no icon (yet)
            errors.append(f"{message.text} ({where})")

    page.on("console", console)

    def refuse(dialog: Dialog) -> None:
        errors.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto("/login/")
    page.get_by_label("E-mail").fill(analytics_org.analyst.email)
    page.get_by_label(re.compile(r"^Adgangskode:?$")).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    yield page
    assert errors == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    context.close()


def in_danish(value: float, arg: str) -> str:
    with translation.override("da"):
        return str(floatformat(value, arg))


def test_dashboard_in_danish_draws_its_charts(danish_analyst: Page, analytics_org: AnalyticsOrg) -> None:
    page = danish_analyst
    # When the analyst opens analytics from the menu
    page.get_by_role("link", name="Analyseværktøj").click()
    expect(page).to_have_url(re.compile(rf"/o/{analytics_org.org.slug}/analytics/$"))

    # Then the page speaks Danish, and the key figures show the period's impressions, Danish style
    expect(page.locator("html")).to_have_attribute("lang", "da")
    impressions = page.locator('[data-kpi="impressions"]')
    expect(impressions.locator("h3")).to_have_text("Visninger")
    expect(impressions.locator(".kpi-value")).to_have_text(in_danish(analytics_org.impressions, "0g"))
    expect(page.locator('[data-kpi="engagement_rate"] h3')).to_have_text("Engagementsrate")
    expect(page.locator('[data-kpi="conversions"] h3')).to_have_text("Konverteringer")

    # ... every chart is drawn by Chart.js, with a point per day of the period in the audience chart
    page.wait_for_function(CHARTS_DRAWN)
    days = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-chart=\"audience\"]')).data.labels.length"
    )
    assert days == analytics_org.period.days
    assert page.locator("canvas[data-chart]").count() >= 7

    # ... the campaign's script-like name is text, in its table, and never ran
    expect(page.locator('[data-table="campaigns"]')).to_contain_text(HOSTILE)

    # ... and nothing makes the page scroll sideways at 1280 pixels
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    # When the analyst narrows the dashboard to the sandbox network, the charts are drawn again
    page.get_by_label("Netværk").first.select_option(Network.SANDBOX)
    page.locator("form.dashboard-filters").first.locator("button").click()
    expect(page).to_have_url(re.compile(r"network=sandbox"))
    page.wait_for_function(CHARTS_DRAWN)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)


def test_monthly_report_in_danish_and_its_pdf_show_the_same_key_figures(
    danish_analyst: Page, analytics_org: AnalyticsOrg
) -> None:
    from pathlib import Path

    from flokk.analytics.tests.test_report import pdf_text

    page = danish_analyst
    month = (timezone.localtime() - dt.timedelta(days=2)).strftime("%Y-%m")  # holds the newest post
    # When the analyst opens the month's report for management
    page.goto(f"/o/{analytics_org.org.slug}/analytics/report/?month={month}")

    # Then it speaks Danish: six key figures, Danish style, and the campaign's script-like name as text
    expect(page.locator("html")).to_have_attribute("lang", "da")
    cards = page.locator(".report-kpi")
    expect(cards).to_have_count(6)
    shown = {
        cards.nth(i).get_attribute("data-kpi"): cards.nth(i).locator(".report-kpi-value").inner_text().strip()
        for i in range(6)
    }
    assert shown["impressions"] not in ("0", "—")
    assert "," in shown["engagement_rate"]  # a decimal comma
    expect(page.locator('[data-table="spend"]')).to_contain_text(HOSTILE)
    expect(page.locator(".report-chart img").first).to_be_visible()

    # When the analyst downloads the PDF through the page's link
    with page.expect_download() as download:
        page.locator("#report-pdf").click()
    pdf = Path(download.value.path()).read_bytes()

    # Then the PDF renders, and its text holds every key figure exactly as the page shows it
    assert download.value.suggested_filename == f"flokk-report-{analytics_org.org.slug}-{month}.pdf"
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for value in shown.values():
        assert value in text
