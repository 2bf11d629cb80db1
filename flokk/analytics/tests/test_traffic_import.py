"""Importing GA4, Matomo and Plausible exports: all rows or none, a per-row report, re-imports replace, and
what a file holds is shown escaped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flokk.analytics.choices import TrafficSource
from flokk.analytics.models import TrafficDay, TrafficImport
from flokk.analytics.services.traffic_import import (
    MAX_BYTES,
    import_traffic,
    parse_count,
    parse_day,
    parse_rate,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
GA4_HEADER = (
    "Date,Landing page,Session source,Session medium,Session campaign,Sessions,Key events,Bounce rate\n"
)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def figures(demo) -> dict[tuple[object, ...], tuple[int, int, int]]:
    return {
        (row.source, row.day, row.landing_page, row.utm_source, row.utm_medium, row.utm_campaign): (
            row.sessions,
            row.conversions,
            row.bounces,
        )
        for row in TrafficDay.objects.filter(organization=demo)
    }


@pytest.mark.parametrize(
    ("value", "semicolons", "expected"),
    [("1234", False, 1234), ("1,234", False, 1234), ("1.234", True, 1234), ("1 234", True, 1234),
     ("12\u00a0345", True, 12345), ("7.0", False, 7), ("", False, 0)],
)  # fmt: skip
def test_counts_with_thousands_separators(value, semicolons, expected):
    assert parse_count(value, decimal_comma=semicolons) == expected


@pytest.mark.parametrize("value", ["lots", "-3", "2.5", "1e400", "NaN"])
def test_counts_that_are_not_whole_numbers_are_refused(value):
    with pytest.raises(ValueError):
        parse_count(value, decimal_comma=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("45.2%", 0.452), ("45,2 %", 0.452), ("0.452", 0.452), ("0,452", 0.452), ("45", 0.45), ("100%", 1.0)],
)
def test_rates_in_every_notation(value, expected):
    assert parse_rate(value) == pytest.approx(expected)


def test_plausible_rates_are_percentages():
    assert parse_rate("1", percent=True) == pytest.approx(0.01)


@pytest.mark.parametrize("value", ["150%", "-0.1", "half"])
def test_rates_out_of_range_are_refused(value):
    with pytest.raises(ValueError):
        parse_rate(value)


def test_days_in_both_notations():
    assert parse_day("2026-03-01") == parse_day("20260301") == dt.date(2026, 3, 1)


def test_a_ga4_exploration_export_is_imported(demo, member):
    report = import_traffic(demo, data("ga4_landing_pages.csv"), file_name="ga4.csv", actor=member("analyst"))

    assert report.ok and report.written == 3
    assert report.traffic_import.source == TrafficSource.GA4 and report.traffic_import.rows == 3
    assert figures(demo) == {
        ("ga4", dt.date(2026, 3, 1), "/spring", "bluesky", "social", "spring-sale"): (1234, 12, 558),
        ("ga4", dt.date(2026, 3, 1), "/", "google", "organic", ""): (800, 3, 400),
        ("ga4", dt.date(2026, 3, 2), "/spring", "bluesky", "social", "spring-sale"): (100, 2, 25),
    }


def test_a_matomo_export_with_semicolons_and_percentages_is_imported(demo):
    report = import_traffic(demo, data("matomo_entry_pages.csv"), file_name="matomo.csv", actor=None)

    assert report.ok
    assert figures(demo) == {
        ("matomo", dt.date(2026, 3, 1), "/spring", "linkedin", "social", "spring-sale"): (1200, 7, 540),
        ("matomo", dt.date(2026, 3, 2), "/spring", "linkedin", "social", "spring-sale"): (300, 1, 75),
    }


def test_matomo_utf16_exports_are_read(demo):
    text = "Date\tLabel\tEntrances\tBounces\n2026-03-01\t/spring\t10\t4\n"

    report = import_traffic(demo, text.encode("utf-16"), file_name="matomo.tsv", actor=None)

    assert report.ok
    assert figures(demo) == {("matomo", dt.date(2026, 3, 1), "/spring", "", "", ""): (10, 0, 4)}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "plausible_entry_pages.csv",
            {
                ("plausible", dt.date(2026, 3, 1), "/spring", "", "", ""): (100, 0, 40),
                ("plausible", dt.date(2026, 3, 2), "/about", "", "", ""): (12, 0, 6),
            },
        ),
        (
            "plausible_sources.csv",
            {("plausible", dt.date(2026, 3, 1), "", "bluesky", "social", "spring-sale"): (25, 0, 10)},
        ),
    ],
)
def test_plausible_export_files_are_imported(demo, name, expected):
    report = import_traffic(demo, data(name), file_name=name, actor=None)

    assert report.ok
    assert figures(demo) == expected


def test_a_bad_row_imports_nothing_and_is_reported_by_row_and_column(demo):
    report = import_traffic(demo, data("ga4_bad_rows.csv"), file_name="bad.csv", actor=None)

    assert not report.ok
    assert not TrafficDay.objects.exists()
    saved = TrafficImport.objects.get()
    assert saved.imported is False and saved.rows == 3
    assert saved.problems == [
        {"row": 3, "column": "Date", "message": "Not a date: write it as YYYY-MM-DD or YYYYMMDD."},
        {"row": 4, "column": "Sessions", "message": "Not a number."},
    ]


def test_a_file_with_other_columns_gets_one_clear_problem(demo):
    report = import_traffic(demo, data("wrong_columns.csv"), file_name="people.csv", actor=None)

    assert not report.ok and not TrafficDay.objects.exists()
    [problem] = report.traffic_import.problems
    assert problem["row"] == 0 and "do not match" in str(problem["message"])


def test_the_wrong_tool_chosen_is_a_mismatch(demo):
    report = import_traffic(
        demo, data("ga4_landing_pages.csv"), file_name="x.csv", actor=None, source="matomo"
    )

    assert not report.ok and "Matomo" in str(report.traffic_import.problems[0]["message"])


def test_a_file_without_a_date_column_is_refused(demo):
    report = import_traffic(demo, b"Landing page,Sessions\n/,5\n", file_name="x.csv", actor=None)

    assert not report.ok and "Date" in str(report.traffic_import.problems[0]["message"])


def test_a_file_over_10_mb_is_refused(demo):
    report = import_traffic(demo, b"x" * (MAX_BYTES + 1), file_name="big.csv", actor=None)

    assert not report.ok and "10 MB" in str(report.traffic_import.problems[0]["message"])


def test_more_bounces_than_sessions_is_a_row_problem(demo):
    body = "Date,Label,Visits,Bounces\n2026-03-01,/,5,9\n"

    report = import_traffic(demo, body.encode(), file_name="x.csv", actor=None)

    assert report.traffic_import.problems == [
        {"row": 2, "column": "Bounces", "message": "More bounces than sessions."}
    ]


def test_importing_the_same_days_again_replaces_their_figures(demo):
    import_traffic(demo, data("ga4_landing_pages.csv"), file_name="first.csv", actor=None)
    again = GA4_HEADER + "20260301,/spring,bluesky,social,spring-sale,2000,20,0.5\n"

    report = import_traffic(demo, again.encode(), file_name="second.csv", actor=None)

    assert report.ok
    now = figures(demo)
    assert now[("ga4", dt.date(2026, 3, 1), "/spring", "bluesky", "social", "spring-sale")] == (
        2000,
        20,
        1000,
    )
    assert now[("ga4", dt.date(2026, 3, 2), "/spring", "bluesky", "social", "spring-sale")] == (100, 2, 25)
    assert TrafficDay.objects.filter(organization=demo).count() == 3


SCRIPT_ROW = (
    GA4_HEADER
    + '20260301,"/<script>alert(1)</script>",<img src=x onerror=alert(1)>,social,'
    + '"<script>x</script>",10,1,0.5\n'
)


def test_script_in_an_export_is_shown_escaped(client_for, member, demo):
    import_traffic(demo, SCRIPT_ROW.encode(), file_name="<script>.csv", actor=None)
    assert TrafficDay.objects.get().landing_page == "/<script>alert(1)</script>"  # kept as text

    page = client_for(member("community-manager")).get(
        reverse("analytics:traffic", args=[demo.slug]), {"start": "2026-03-01", "end": "2026-03-31"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x" in html
    assert "<script>alert" not in html and "<script>x" not in html and "<img src=x" not in html
    assert "<script>.csv" not in html


def test_upload_page_reports_problems_per_row(client_for, member, outsider, demo):
    url = reverse("analytics:traffic_import", args=[demo.slug])
    worker = client_for(member("marketing-coordinator"))

    assert client_for(member("community-manager")).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    response = worker.post(
        url, {"file": SimpleUploadedFile("bad.csv", data("ga4_bad_rows.csv")), "source": ""}
    )
    assert response.status_code == 302
    report = worker.get(response["Location"])
    html = report.content.decode()
    assert "Nothing was imported" in html and "Not a number." in html and "Sessions" in html
    assert not TrafficDay.objects.exists()

    ok = worker.post(
        url, {"file": SimpleUploadedFile("ga4.csv", data("ga4_landing_pages.csv")), "source": "ga4"}
    )
    assert "Imported 3 rows" in worker.get(ok["Location"]).content.decode()
    table = worker.get(
        reverse("analytics:traffic", args=[demo.slug]), {"start": "2026-03-01", "end": "2026-03-02"}
    )
    assert "spring-sale" in table.content.decode() and "1334" in table.content.decode()


def test_api_imports_and_lists_conversions(api_for, member, outsider, demo):
    worker = api_for(member("marketing-coordinator"))
    url = f"/api/v1/orgs/{demo.slug}/traffic-imports"

    bad = worker.post(url, {"file": SimpleUploadedFile("bad.csv", data("ga4_bad_rows.csv"))})
    assert bad.status_code == 201 and bad.json()["imported"] is False
    assert [problem["row"] for problem in bad.json()["problems"]] == [3, 4]
    good = worker.post(
        url, {"file": SimpleUploadedFile("m.csv", data("matomo_entry_pages.csv")), "source": "matomo"}
    )
    assert good.status_code == 201 and good.json()["written"] == 2
    assert (
        api_for(member("community-manager"))
        .post(url, {"file": SimpleUploadedFile("m.csv", b"x")})
        .status_code
        == 403
    )

    listed = api_for(member("community-manager")).get(
        f"/api/v1/orgs/{demo.slug}/conversions", {"start": "2026-03-02", "end": "2026-03-31"}
    )
    assert listed.status_code == 200
    assert [(row["day"], row["sessions"], row["conversions"]) for row in listed.json()] == [
        ("2026-03-02", 300, 1)
    ]
    assert listed.json()[0]["bounce_rate"] == pytest.approx(0.25)
    assert api_for(member("copywriter")).get(f"/api/v1/orgs/{demo.slug}/conversions").status_code == 403
    assert api_for(outsider).get(f"/api/v1/orgs/{demo.slug}/conversions").status_code == 404
