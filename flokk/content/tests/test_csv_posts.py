"""Posts as CSV: export, import (good rows, each kind of bad row, semicolons, BOM, limits), the pages and the
API with their permissions."""

from __future__ import annotations

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from flokk.channels.networks import Network
from flokk.content.models import Campaign, Post
from flokk.content.services import csv_posts
from flokk.content.services.csv_posts import (
    COLUMNS,
    CsvFileError,
    escape_cell,
    export_posts,
    import_posts,
    posts_for_export,
)
from flokk.content.services.posts import PostInput, VariantInput, create_post
from flokk.content.tests.helpers import network_account
from flokk.core.models import AuditEntry

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HEADER = ",".join(COLUMNS)
NEXT_YEAR = timezone.now().year + 1


@pytest.fixture
def writer(member):
    return member("copywriter")


@pytest.fixture
def accounts(demo):
    return {
        "sandbox": demo.accounts.get(network=Network.SANDBOX),
        "x": network_account(demo, Network.X, "bageriet"),
        "linkedin": network_account(demo, Network.LINKEDIN, "bageriet-ab"),
    }


def future(days: int = 10, hour: int = 9, minute: int = 30) -> dt.datetime:
    day = timezone.localdate(timezone=STOCKHOLM) + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


def rows_of(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def csv_bytes(*rows: str, header: str = HEADER, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def row(
    text: str = "Hello", *, accounts: str = "sandbox:demo-sandbox", when: str = "", campaign: str = ""
) -> str:
    cells = ["", "", when, "", accounts, campaign, "Awareness", text, "", "", ""]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


# --- export ---------------------------------------------------------------------------------------------
def test_export_then_import_gives_the_same_posts(demo, writer, accounts):
    # Given two scheduled posts, one on two networks with a campaign, hashtags, link and first comment
    campaign = Campaign.objects.for_org(demo).get()
    first = create_post(
        demo,
        PostInput(
            account_ids=[accounts["sandbox"].pk, accounts["linkedin"].pk],
            text='=SUM(A1) is not a formula, "quoted", comma, and\na new line',
            objective="Sell buns",
            campaign_id=campaign.pk,
            scheduled_at=future(days=10),
            variants={
                n: VariantInput(
                    link="https://example.com/a", first_comment="-5% today", hashtags=("bageri", "ærø")
                )
                for n in ("sandbox", "linkedin")
            },
        ),
        actor=writer,
    )
    create_post(
        demo,
        PostInput(account_ids=[accounts["x"].pk], text="@everyone hej", scheduled_at=future(days=11, hour=8)),
        actor=writer,
    )
    # When the scheduled posts are exported
    exported = export_posts(demo, posts_for_export(demo, since=future(days=9).date()))
    rows = rows_of(exported)
    # Then each is one row with local time, zone, network:handle accounts and formula-safe cells
    assert rows[0]["id"] == str(first.pk)
    assert rows[0]["scheduled_local"] == future(days=10).strftime("%Y-%m-%d 09:30")
    assert rows[0]["time_zone"] == "Europe/Stockholm"
    assert rows[0]["accounts"] == "linkedin:bageriet-ab sandbox:demo-sandbox"
    assert rows[0]["campaign"] == "Spring launch"
    assert rows[0]["text"].startswith("'=SUM(A1)")
    assert rows[0]["first_comment"] == "'-5% today"
    assert rows[0]["hashtags"] == "#bageri #ærø"
    assert rows[1]["text"] == "'@everyone hej"
    # And importing the file back creates equal drafts, the formula guard taken off again
    report = import_posts(demo, exported, actor=writer)
    assert report.rejected == []
    assert [line for line, _post in report.created] == [2, 4]  # the first row spans two lines
    copy = report.created[0][1]
    variants = {v.network: v for v in copy.variants.all()}
    assert copy.status == "draft"
    assert copy.scheduled_at == first.scheduled_at
    assert copy.campaign == campaign
    assert copy.objective == "Sell buns"
    assert set(variants) == {"sandbox", "linkedin"}
    assert variants["linkedin"].text == first.variants.get(network="linkedin").text
    assert variants["linkedin"].first_comment == "-5% today"
    assert variants["linkedin"].hashtags == ["bageri", "ærø"]
    assert variants["linkedin"].link == "https://example.com/a"
    assert report.created[1][1].variants.get().text == "@everyone hej"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_get_a_quote(value):
    assert escape_cell(value) == "'" + value
    assert escape_cell("plain = text") == "plain = text"


def test_export_filters_by_status_campaign_and_dates(demo, writer, accounts):
    campaign = Campaign.objects.for_org(demo).get()
    in_campaign = create_post(
        demo,
        PostInput(
            account_ids=[accounts["sandbox"].pk], text="a", campaign_id=campaign.pk, scheduled_at=future(5)
        ),
        actor=writer,
    )
    later = create_post(
        demo, PostInput(account_ids=[accounts["sandbox"].pk], text="b", scheduled_at=future(20)), actor=writer
    )
    by_campaign = set(posts_for_export(demo, campaign=campaign))
    assert in_campaign in by_campaign and later not in by_campaign
    window = list(posts_for_export(demo, since=future(4).date(), until=future(6).date()))
    assert window == [in_campaign]
    assert all(p.status == "draft" for p in posts_for_export(demo, status="draft"))


# --- import: bad rows -----------------------------------------------------------------------------------
def test_each_bad_row_is_refused_with_its_line_and_reason_and_stores_nothing(demo, writer, accounts):
    # Given a file with two good rows and one of each kind of bad row
    when = future(days=3).strftime("%Y-%m-%d %H:%M")
    content = csv_bytes(
        row("Good one", when=when),
        row("Unknown account", accounts="sandbox:nobody"),
        row("Unknown campaign", campaign="Winter sale"),
        row("Impossible date", when=f"{NEXT_YEAR}-02-30 10:00"),
        row("Skipped hour", when="2031-03-30 02:30"),
        row("Past", when="2020-01-01 10:00"),
        row("x" * 281, accounts="x:bageriet"),
        row("   "),
        row("Too many columns") + ",extra",
        row("Good two", accounts="linkedin:bageriet-ab x:bageriet"),
    )
    content += row("Bad \xff bytes").encode("latin-1") + b"\r\n"
    before = Post.objects.count()
    # When it is imported
    report = import_posts(demo, content, actor=writer)
    # Then the good rows are drafts and every bad row is listed with its line and why
    assert [line for line, _post in report.created] == [2, 11]
    reasons = dict(report.rejected)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 12]
    assert "nobody" in reasons[3]
    assert "Winter sale" in reasons[4]
    assert "not a real date" in reasons[5]
    assert "does not exist in Europe/Stockholm" in reasons[6]
    assert "already passed" in reasons[7]
    assert reasons[8].startswith("X: ") and "281 of 280" in reasons[8]
    assert "text is missing" in reasons[9]
    assert "12 columns" in reasons[10]
    assert "not UTF-8" in reasons[12]
    assert Post.objects.count() == before + 2
    entry = AuditEntry.objects.get(action="content.posts.imported")
    assert entry.data == {"created": 2, "rejected": 9, "rows": 11}


def test_a_semicolon_file_from_nordic_excel_with_bom(demo, writer, accounts):
    content = (
        "\ufeff" + ";".join(COLUMNS) + "\r\n" + ';;;;sandbox:demo-sandbox;;;"Hej, världen; åäö";;#fika;\r\n'
    )
    report = import_posts(demo, content.encode("utf-8"), actor=writer)
    assert report.rejected == []
    variant = report.created[0][1].variants.get()
    assert (variant.text, variant.hashtags) == ("Hej, världen; åäö", ["fika"])


def test_utf8_without_bom_and_columns_in_any_order(demo, writer, accounts):
    content = "text,accounts\r\nGrüße aus Malmö,sandbox:demo-sandbox\r\n".encode()
    report = import_posts(demo, content, actor=writer)
    assert report.rejected == [] and report.created_count == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("text,accounts\r\nhej,sandbox:demo-sandbox\r\n".encode("utf-16"), "not a CSV text file"),
        (b"text,accounts,colour\r\nhej,sandbox:demo-sandbox,red\r\n", "Unknown columns: colour"),
        (b"objective\r\nx\r\n", "needs at least"),
        ("t\xe9xt,accounts\r\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_one_clear_error_and_imports_nothing(demo, writer, content, message):
    before = Post.objects.count()
    with pytest.raises(CsvFileError, match=message):
        import_posts(demo, content, actor=writer)
    assert Post.objects.count() == before


def test_limits_on_size_and_rows(demo, writer, monkeypatch):
    before = Post.objects.count()
    too_many = csv_bytes(*[row(f"Post {i}") for i in range(1001)])
    with pytest.raises(CsvFileError, match="more than 1000 rows"):
        import_posts(demo, too_many, actor=writer)
    assert (
        import_posts(demo, csv_bytes(*[row(f"Post {i}") for i in range(3)]), actor=writer).created_count == 3
    )
    monkeypatch.setattr(csv_posts, "MAX_BYTES", 100)
    with pytest.raises(CsvFileError, match="larger than 2 MB"):
        import_posts(demo, csv_bytes(row("x" * 200)), actor=writer)
    assert Post.objects.count() == before + 3


# --- pages ----------------------------------------------------------------------------------------------
def test_export_page_and_download_for_who_may_read(demo, member, outsider, client_for):
    analyst = client_for(member("analyst"))  # production.view only
    assert analyst.get("/o/demo/posts/csv/").status_code == 200
    response = analyst.get("/o/demo/posts/export.csv?status=draft")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert rows_of(response.content)
    assert analyst.get("/o/demo/posts/export.csv?since=2030-02-01&until=2030-01-01").status_code == 400
    assert client_for(member("sales")).get("/o/demo/posts/export.csv").status_code == 403
    assert client_for(outsider).get("/o/demo/posts/export.csv").status_code == 404
    assert "Export CSV" in analyst.get("/o/demo/posts/").content.decode()


def test_import_page_shows_created_and_refused_rows(demo, member, outsider, client_for):
    upload = csv_bytes(row("<b>Fresh</b> bread"), row("<script>x</script>", accounts="x:nope"))
    client = client_for(member("copywriter"))
    response = client.post("/o/demo/posts/import/", {"file": SimpleUploadedFile("p.csv", upload, "text/csv")})
    assert response.status_code == 200
    page = response.content.decode()
    post = Post.objects.for_org(demo).get(variants__text="<b>Fresh</b> bread")
    assert f"/o/demo/posts/{post.pk}/" in page
    assert "&lt;b&gt;Fresh&lt;/b&gt;" in page and "<b>Fresh" not in page
    assert "x:nope" in page and "<script>" not in page
    bad = client.post("/o/demo/posts/import/", {"file": SimpleUploadedFile("p.csv", b"\x00\x01", "text/csv")})
    assert bad.status_code == 400 and "not a CSV text file" in bad.content.decode()
    file = SimpleUploadedFile("p.csv", upload, "text/csv")
    assert client_for(member("analyst")).post("/o/demo/posts/import/", {"file": file}).status_code == 403
    assert client_for(outsider).post("/o/demo/posts/import/", {"file": file}).status_code == 404


# --- API ------------------------------------------------------------------------------------------------
def test_api_export_and_import(demo, member, outsider, api_for):
    api = api_for(member("copywriter"))
    exported = api.get("/api/v1/orgs/demo/posts/export.csv")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    assert len(rows_of(exported.content)) == Post.objects.for_org(demo).count()
    upload = csv_bytes(row("Via the API"), row("", accounts="sandbox:demo-sandbox"))
    response = api.post("/api/v1/orgs/demo/posts/import", {"file": SimpleUploadedFile("p.csv", upload)})
    assert response.status_code == 200
    body = response.json()
    assert len(body["created"]) == 1
    assert body["rejected"] == [{"line": 3, "reason": "The text is missing."}]
    unreadable = api.post("/api/v1/orgs/demo/posts/import", {"file": SimpleUploadedFile("p.csv", b"")})
    assert unreadable.status_code == 400 and unreadable.json()["error"]["code"] == "unreadable_file"
    file = SimpleUploadedFile("p.csv", upload)
    assert (
        api_for(member("analyst")).post("/api/v1/orgs/demo/posts/import", {"file": file}).status_code == 403
    )
    assert api_for(member("sales")).get("/api/v1/orgs/demo/posts/export.csv").status_code == 403
    assert api_for(outsider).get("/api/v1/orgs/demo/posts/export.csv").status_code == 404


def test_export_dates_at_the_ends_of_the_calendar_do_not_break(demo):
    assert list(posts_for_export(demo, since=dt.date.min, until=dt.date.max)) == list(
        posts_for_export(demo, since=dt.date(1, 1, 2))
    )
