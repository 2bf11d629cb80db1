"""The monthly report for management: its figures are the events counted, the PDF says what the page says
(in the reader's language), the e-mail goes once a month, and nothing in it runs as markup or formula."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from flokk.analytics.choices import EventKind, EventSource
from flokk.analytics.models import NONE, ReportSchedule
from flokk.analytics.services.report import monthly_report, send_due_reports, send_scheduled_report
from flokk.analytics.services.rollups import NewEvent, record_events, refresh_all
from flokk.content.models import Campaign
from flokk.strategy.models import Resource
from flokk.teams.models import Organization, User

pytestmark = pytest.mark.django_db

MONTH = dt.date(2025, 3, 1)  # long before the demo's history, so only this test's events count
EVIL = "<script>window.__xss=1</script>"


def _events(org: Organization, campaign: Campaign | None = None) -> None:
    """1,000 impressions, 30 likes and 5 comments (3.5 % engagement), 12 followers, in March 2025."""
    at = dt.datetime(2025, 3, 10, 12, tzinfo=dt.UTC)
    campaign_id = campaign.pk if campaign else NONE
    record_events(
        [
            NewEvent(
                org.pk,
                at,
                EventKind.IMPRESSION,
                1000,
                "bluesky",
                EventSource.NETWORK,
                campaign_id=campaign_id,
            ),
            NewEvent(org.pk, at, EventKind.LIKE, 30, "bluesky", EventSource.NETWORK, campaign_id=campaign_id),
            NewEvent(
                org.pk, at, EventKind.COMMENT, 5, "bluesky", EventSource.NETWORK, campaign_id=campaign_id
            ),
            NewEvent(org.pk, at, EventKind.FOLLOWER, 12, "bluesky", EventSource.NETWORK),
            # the last hour of February and the first of April (Stockholm) stay out of March
            NewEvent(
                org.pk,
                dt.datetime(2025, 2, 28, 22, 30, tzinfo=dt.UTC),
                EventKind.LIKE,
                7,
                "bluesky",
                "network",
            ),
            NewEvent(
                org.pk,
                dt.datetime(2025, 3, 31, 22, 30, tzinfo=dt.UTC),
                EventKind.LIKE,
                9,
                "bluesky",
                "network",
            ),
        ]
    )
    refresh_all()


def _danish(user: User) -> User:
    user.language = "da"
    user.save(update_fields=["language"])
    return user


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as WeasyPrint writes it (Flate streams, object streams, Identity-H fonts with
    ToUnicode maps). Neither pdftotext nor pypdf is on the machine; this reads what a PDF viewer shows."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    for number, body in re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S):
        match = re.match(rb"^(.*?)stream\r?\n(.*)\r?\nendstream\s*$", body, re.S)
        if match:
            head, data = match.groups()
            objects[int(number)] = (head, zlib.decompress(data) if b"/FlateDecode" in head else data)
        else:
            objects[int(number)] = (body, None)
    for head, data in list(objects.values()):
        if data is not None and b"/ObjStm" in head:
            found = re.search(rb"/First (\d+)", head)
            assert found
            first = int(found.group(1))
            numbers = [int(n) for n in data[:first].split()]
            offsets = list(zip(numbers[::2], numbers[1::2], strict=True))
            for i, (number, offset) in enumerate(offsets):
                end = first + offsets[i + 1][1] if i + 1 < len(offsets) else len(data)
                objects.setdefault(number, (data[first + offset : end], None))

    def to_unicode(font: int) -> dict[int, str]:
        found = re.search(rb"/ToUnicode (\d+) 0 R", objects[font][0])
        cmap = (objects[int(found.group(1))][1] or b"") if found else b""
        table: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for source, target in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
                table[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, target in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    table[code] = chr(int(target, 16) + offset)
        return table

    lines: list[str] = []
    for head, _data in objects.values():
        if b"/Type /Page" not in head or b"/Type /Pages" in head:
            continue
        resources = re.search(rb"/Resources (\d+) 0 R", head)
        font_list = re.search(rb"/Font (\d+) 0 R", objects[int(resources.group(1))][0]) if resources else None
        fonts = (
            {
                name: to_unicode(int(ref))
                for name, ref in re.findall(rb"/(\w+) (\d+) 0 R", objects[int(font_list.group(1))][0])
            }
            if font_list
            else {}
        )
        contents = re.search(rb"/Contents (\[[^\]]*\]|\d+ 0 R)", head)
        assert contents
        for content in re.findall(rb"(\d+) 0 R", contents.group(1)):
            table: dict[int, str] = {}
            for name, array in re.findall(rb"/(\w+) [\d.]+ Tf|\[(.*?)\] TJ", objects[int(content)][1] or b""):
                if name:
                    table = fonts.get(name, {})
                    continue
                lines.append(
                    "".join(
                        table.get(int(glyphs[i : i + 4], 16), "")
                        for glyphs in re.findall(rb"<([0-9a-fA-F]+)>", array)
                        for i in range(0, len(glyphs), 4)
                    )
                )
    return "\n".join(lines)


def kpi_values(html: str) -> dict[str, str]:
    """The KPI cards' values as the page shows them, by card key."""
    found = re.findall(
        r'data-kpi="([\w-]+)">.*?class="[^"]*report-kpi-value[^"]*">([^<]*)</div>', html, flags=re.S
    )
    return {key: unescape(value).strip() for key, value in found}


# --- figures ----------------------------------------------------------------------------------------
def test_the_report_counts_exactly_the_events_of_its_month(demo: Organization) -> None:
    before = {card.key: card.value for card in monthly_report(demo, MONTH).kpis}
    assert before["impressions"] == 0 and before["engagements"] == 0

    _events(demo)
    report = monthly_report(demo, MONTH)

    cards = {card.key: card for card in report.kpis}
    assert cards["impressions"].value == 1000
    assert cards["engagements"].value == 35
    assert cards["engagement_rate"].value == pytest.approx(3.5)
    assert cards["followers"].value == 12
    assert cards["engagements"].previous_value == 7  # February's last hour, Stockholm time
    assert report.period.start == MONTH and report.period.end == dt.date(2025, 4, 1)


def test_the_team_needs_what_the_plan_adds_after_the_month(demo: Organization) -> None:
    Resource.objects.create(
        organization=demo, name="Video editor", kind="person", arrives_on=dt.date(2025, 5, 1)
    )
    Resource.objects.create(organization=demo, name="Old tool", kind="tool", arrives_on=dt.date(2024, 1, 1))

    needs = monthly_report(demo, MONTH).tables()["needs"]

    assert [row[0] for row in needs.rows] == ["Video editor"]


# --- the page, the PDF and the CSV ------------------------------------------------------------------
def test_the_pdf_shows_the_kpi_values_of_the_page_in_danish(
    demo: Organization, member: object, client_for: object
) -> None:
    _events(demo)
    client: Client = client_for(_danish(member("analyst")))  # type: ignore[operator]
    url = reverse("analytics:report", args=[demo.slug])

    page = client.get(url, {"month": "2025-03"})
    values = kpi_values(page.content.decode())
    pdf = client.get(reverse("analytics:report_pdf", args=[demo.slug]), {"month": "2025-03"})

    assert page.status_code == 200
    assert len(values) == 6
    assert values["engagement_rate"] == "3,5 %"  # Danish: a decimal comma
    assert values["impressions"] == "1.000"  # and a thousands point
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="flokk-report-{demo.slug}-2025-03.pdf"'
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Visninger" in text or "Impressions" in text
    for value in values.values():
        assert value in text
    assert "marts 2025" in text  # the month, in Danish


def test_the_same_pdf_is_printed_once_and_another_language_anew(demo: Organization, monkeypatch) -> None:
    import weasyprint

    from flokk.analytics.services.report import report_pdf

    _events(demo)
    first = report_pdf(monthly_report(demo, dt.date(2025, 3, 1)), "sv")
    monkeypatch.setattr(weasyprint, "HTML", None)  # printing again would fail
    assert report_pdf(monthly_report(demo, dt.date(2025, 3, 1)), "sv") == first
    with pytest.raises(TypeError):  # another language is another PDF, printed anew
        report_pdf(monthly_report(demo, dt.date(2025, 3, 1)), "da")


def test_a_campaign_called_script_is_text_on_the_page_in_the_csv_and_in_the_api(
    demo: Organization, member: object, client_for: object, api_for: object
) -> None:
    campaign = Campaign.objects.create(
        organization=demo, name=EVIL, starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 31)
    )
    Campaign.objects.create(
        organization=demo, name="=HYPERLINK(1)", starts_on=dt.date(2025, 3, 1), ends_on=dt.date(2025, 3, 31)
    )
    _events(demo, campaign)
    analyst = member("analyst")  # type: ignore[operator]
    client: Client = client_for(analyst)  # type: ignore[operator]

    page = client.get(reverse("analytics:report", args=[demo.slug]), {"month": "2025-03"}).content.decode()
    csv = client.get(reverse("analytics:report_csv", args=[demo.slug, "spend"]), {"month": "2025-03"})
    data = api_for(analyst).get(f"/api/v1/orgs/{demo.slug}/reports/monthly", {"month": "2025-03"})  # type: ignore[operator]

    assert EVIL not in page
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert csv.status_code == 200
    body = csv.content.decode("utf-8-sig")
    assert EVIL in body and "'=HYPERLINK(1)" in body
    assert data.status_code == 200
    spend = next(table for table in data.json()["tables"] if table["key"] == "spend")
    clicks, conversions, engagements = next(row for row in spend["rows"] if row[0] == EVIL)[3:6]
    assert (clicks, conversions, engagements) == (0, 0, 35)  # the campaign's likes and comments
    assert {card["key"]: card["value"] for card in data.json()["kpis"]}["impressions"] == 1000


FULLWIDTH_YEAR = "\uff12\uff10\uff12\uff15"  # "2025" in full-width digits, which int() would read


@pytest.mark.parametrize(
    "month", ["2025-13", "march", "2025-3", "0000-01", "2025-03-01", "2025-03\n", f"{FULLWIDTH_YEAR}-03"]
)
def test_a_bad_month_is_not_found_on_the_page_and_unprocessable_in_the_api(
    demo: Organization, member: object, client_for: object, api_for: object, month: str
) -> None:
    analyst = member("analyst")  # type: ignore[operator]
    client: Client = client_for(analyst)  # type: ignore[operator]
    api = api_for(analyst)  # type: ignore[operator]

    assert client.get(reverse("analytics:report", args=[demo.slug]), {"month": month}).status_code == 404
    assert client.get(reverse("analytics:report_pdf", args=[demo.slug]), {"month": month}).status_code == 404
    assert api.get(f"/api/v1/orgs/{demo.slug}/reports/monthly", {"month": month}).status_code == 422
    assert api.get(f"/api/v1/orgs/{demo.slug}/reports/monthly.pdf", {"month": month}).status_code == 422


def test_an_unknown_table_is_not_found(demo: Organization, member: object, client_for: object) -> None:
    client: Client = client_for(member("analyst"))  # type: ignore[operator]
    assert client.get(reverse("analytics:report_csv", args=[demo.slug, "passwords"])).status_code == 404


def test_who_may_read_the_report(
    demo: Organization, member: object, client_for: object, outsider: User, api_for: object
) -> None:
    url = reverse("analytics:report", args=[demo.slug])
    assert client_for(member("management")).get(url).status_code == 200  # type: ignore[operator]
    assert client_for(member("copywriter")).get(url).status_code == 403  # type: ignore[operator]
    assert client_for(outsider).get(url).status_code == 404  # type: ignore[operator]
    api = f"/api/v1/orgs/{demo.slug}/reports/monthly"
    assert api_for(member("copywriter")).get(api).status_code == 403  # type: ignore[operator]
    assert api_for(outsider).get(api).status_code == 404  # type: ignore[operator]
    pdf = api_for(member("management")).get(api + ".pdf", {"month": "2025-03"})  # type: ignore[operator]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# --- the schedule -----------------------------------------------------------------------------------
def test_schedules_are_kept_by_analysts_for_readers_only(
    demo: Organization, member: object, client_for: object
) -> None:
    url = reverse("analytics:report_schedules", args=[demo.slug])
    boss, writer = member("management"), member("copywriter")  # type: ignore[operator]
    form = {"action": "add", "recipient": str(boss.pk), "language": "da", "day_of_month": "3"}

    refused = client_for(member("management")).post(url, form)  # type: ignore[operator]
    analyst = client_for(member("analyst"))  # type: ignore[operator]
    analyst.post(url, form)
    analyst.post(url, {**form, "recipient": str(writer.pk)})  # may not read analytics: refused

    assert refused.status_code == 403
    schedule = ReportSchedule.objects.get(organization=demo)
    assert (schedule.recipient, schedule.language, schedule.day_of_month) == (boss, "da", 3)
    page = analyst.get(reverse("analytics:report", args=[demo.slug])).content.decode()
    assert boss.display_name in page

    analyst.post(url, {"action": "remove", "schedule": str(schedule.pk)})
    assert not ReportSchedule.objects.filter(organization=demo).exists()


def test_the_report_is_mailed_once_on_its_day_in_the_readers_language(
    demo: Organization, member: object
) -> None:
    _events(demo)
    boss = member("management")  # type: ignore[operator]
    ReportSchedule.objects.create(organization=demo, recipient=boss, language="da", day_of_month=2)
    before_the_day = dt.datetime(2025, 4, 1, 12, tzinfo=dt.UTC)
    on_the_day = dt.datetime(2025, 4, 2, 6, tzinfo=dt.UTC)

    assert send_due_reports(before_the_day) == 0
    assert send_due_reports(on_the_day) == 1
    assert send_due_reports(on_the_day + dt.timedelta(hours=1)) == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [boss.email]
    assert "marts 2025" in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF") and name.endswith("2025-03.pdf")
    text = pdf_text(content)
    assert "3,5 %" in text and "3,5 %" in message.body
    assert "Visninger" in text and "Impressions" not in text  # labels too are the reader's
    assert ReportSchedule.objects.get(recipient=boss).last_sent_for == MONTH


def test_a_second_worker_cannot_send_a_month_again(demo: Organization, member: object) -> None:
    boss = member("management")  # type: ignore[operator]
    ReportSchedule.objects.create(organization=demo, recipient=boss, language="en", day_of_month=1)
    now = dt.datetime(2025, 4, 5, 6, tzinfo=dt.UTC)
    # Two workers read the schedule before either sends.
    first, second = (
        ReportSchedule.objects.select_related("organization", "recipient").get() for _ in range(2)
    )

    assert send_scheduled_report(first, now) is True
    assert send_scheduled_report(second, now) is False

    assert len(mail.outbox) == 1


def test_a_failed_send_is_tried_again_on_the_next_run(
    demo: Organization, member: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    boss = member("management")  # type: ignore[operator]
    ReportSchedule.objects.create(organization=demo, recipient=boss, language="sv", day_of_month=1)
    now = dt.datetime(2025, 4, 5, 6, tzinfo=dt.UTC)

    def refuse(self: object, fail_silently: bool = False) -> int:
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        assert send_due_reports(now) == 0
    assert ReportSchedule.objects.get(recipient=boss).last_sent_for is None

    assert send_due_reports(now + dt.timedelta(hours=1)) == 1
    assert len(mail.outbox) == 1
