"""Importing web-analytics exports (GA4, Matomo, Plausible) as sessions, conversions and bounces per day,
landing page and UTM campaign (`TrafficDay`).

All or nothing: the whole file is checked first; any bad row and nothing is written, and the import keeps a
per-row report (`TrafficImport.problems`: row, column, message). A valid file is upserted: importing the
same days again replaces their figures (row by row, per landing page and UTM source, medium and campaign).

The column names each tool writes (looked up in each tool's own code and documentation):

- GA4, Explore → export as CSV (an exploration with landing-page rows; the file starts with `#` comment
  lines). Dimensions `Date` (YYYYMMDD), `Landing page` or `Landing page + query string`, `Session source`,
  `Session medium`, `Session campaign` (or the combined `Session source / medium`); metrics `Sessions`,
  `Key events` (`Conversions` in exports from before March 2024), `Bounce rate` (a fraction, 0.4523),
  `Bounces`. Sources: the GA4 API dimension and metric reference (developers.google.com/analytics/devguides/
  reporting/data/v1/api-schema: sessionSource, sessionMedium, sessionCampaignName, landingPage,
  landingPagePlusQueryString, sessions, keyEvents, bounceRate), and Fivetran's GA4 prebuilt-report tables
  (fivetran.com/docs/connectors/applications/google-analytics-4/prebuilt-reports), which list the UI names
  next to the API names ("Key events | keyEvents", "Conversions | conversions").
- Matomo, Behaviour → Entry pages, export as CSV (flat, one row per day with `period=day`). Metrics
  `entry_nb_visits` ("Entrances"), `entry_bounce_count` ("Bounces"), `bounce_rate` ("Bounce rate", "45%"),
  the page in `label` ("Label" / "Entry page URL"), the day in `Date`; goal conversions `nb_conversions`
  ("Conversions"); campaign reports (MarketingCampaignsReporting) add "Campaign Name", "Campaign Source",
  "Campaign Medium". Visits reports use `nb_visits` ("Visits"). Source: Matomo's Actions plugin report
  definitions (plugins/Actions/Reports/GetEntryPageUrls.php: metrics entry_nb_visits, entry_bounce_count,
  processed BounceRate) and its API metadata translations General_ColumnEntrances/Bounces/BounceRate.
- Plausible, Site settings → Imports & exports → Export (a zip of CSV files). `imported_entry_pages.csv`:
  date, entry_page, visitors, entrances, visit_duration, bounces, pageviews; `imported_sources.csv`: date,
  source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, pageviews, visitors,
  visits, visit_duration, bounces; `imported_visitors.csv`: date, visitors, pageviews, bounces, visits,
  visit_duration. The dashboard's own CSV (visitors.csv) has date, visitors, pageviews, visits,
  views_per_visit, bounce_rate (a percentage, 45), visit_duration. Source: plausible/analytics,
  lib/plausible/exports.ex (export_entry_pages_q, export_sources_q, export_visitors_q).

Numbers may carry thousands separators ("1,234", "1 234", "1.234" in a `;` file); rates may be "45.2%",
"45,2 %", "0.452" or "0,452"; days YYYY-MM-DD or YYYYMMDD. The file may start with a byte order mark
(UTF-8 or UTF-16, as Matomo writes it) and use `,`, `;` or tab between columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flokk.analytics.choices import TrafficSource
from flokk.analytics.models import TrafficDay, TrafficImport
from flokk.core.audit import record
from flokk.teams.models import Organization, User

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200_000
MAX_PROBLEMS = 200
MAX_PAGE = 1000
MAX_UTM = 200
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
NOT_SET = frozenset({"(not set)", "(none)", "(direct)", "-", ""})

# Canonical field -> the header names (lower case, single spaces) each tool uses for it.
COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    TrafficSource.GA4: {
        "day": ("date",),
        "landing_page": ("landing page", "landing page + query string"),
        "utm_source": ("session source", "session manual source"),
        "utm_medium": ("session medium", "session manual medium"),
        "utm_campaign": ("session campaign", "session manual campaign name", "session campaign name"),
        "source_medium": ("session source / medium",),
        "sessions": ("sessions",),
        "conversions": ("key events", "conversions"),
        "bounces": ("bounces",),
        "bounce_rate": ("bounce rate",),
    },
    TrafficSource.MATOMO: {
        "day": ("date",),
        "landing_page": (
            "label",
            "entry page",
            "entry page url",
            "entry pages",
            "entry page urls",
            "page url",
        ),
        "utm_source": ("campaign source", "campaign_source"),
        "utm_medium": ("campaign medium", "campaign_medium"),
        "utm_campaign": ("campaign name", "campaign_name", "campaign"),
        "sessions": ("entrances", "entry_nb_visits", "visits", "nb_visits"),
        "conversions": ("conversions", "nb_conversions"),
        "bounces": ("bounces", "entry_bounce_count", "bounce count", "bounce_count"),
        "bounce_rate": ("bounce rate", "bounce_rate"),
    },
    TrafficSource.PLAUSIBLE: {
        "day": ("date",),
        "landing_page": ("entry_page",),
        "utm_source": ("utm_source",),
        "utm_medium": ("utm_medium",),
        "utm_campaign": ("utm_campaign",),
        "sessions": ("visits", "entrances"),
        "conversions": ("conversions",),
        "bounces": ("bounces",),
        "bounce_rate": ("bounce_rate",),
    },
}
# A row's key: day, landing page, utm_source, utm_medium, utm_campaign.
TrafficKey = tuple[dt.date, str, str, str, str]


@dataclass
class ImportReport:
    """What an import did: the saved `TrafficImport`, and the rows written (0 when it had problems)."""

    traffic_import: TrafficImport
    written: int = 0
    problems: list[dict[str, object]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.traffic_import.imported


class FileProblem(Exception):
    """The file as a whole cannot be read as an export (wrong columns, too big, not text)."""


def normalize_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().strip('"').lower().split())


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileProblem(_("The file is not UTF-8 text. Export it again as CSV (UTF-8).")) from None


def detect(headers: list[str]) -> str | None:
    """Which tool wrote a file with these (normalized) headers, or None."""
    names = set(headers)
    if "sessions" in names:
        return TrafficSource.GA4
    if "date" in names and "visitors" in names and names & {"visits", "entrances"}:
        return TrafficSource.PLAUSIBLE
    if names & {"entrances", "entry_nb_visits", "visits", "nb_visits"}:
        return TrafficSource.MATOMO
    return None


def column_map(source: str, headers: list[str]) -> dict[str, int]:
    """Canonical field -> column index, for the fields this file has."""
    found: dict[str, int] = {}
    for name, aliases in COLUMNS[source].items():
        for alias in aliases:
            if alias in headers:
                found[name] = headers.index(alias)
                break
    return found


def parse_day(value: str) -> dt.date:
    value = value.strip()
    for pattern in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("Not a date: write it as YYYY-MM-DD or YYYYMMDD."))


GROUPED = re.compile(r"^\d{1,3}([,. '\u00a0\u202f]\d{3})+$")


def _decimal(value: str, *, decimal_comma: bool) -> Decimal:
    text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("'", "")
    if "," in text and "." in text:
        # Both: the later one separates the decimals, the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if decimal_comma or not GROUPED.match(text) else text.replace(",", "")
    return Decimal(text)


def parse_count(value: str, *, decimal_comma: bool) -> int:
    """A whole number of sessions, conversions or bounces; thousands separators allowed."""
    text = value.strip()
    if not text:
        return 0
    if GROUPED.match(text):
        return int(re.sub(r"\D", "", text))
    try:
        number = _decimal(text, decimal_comma=decimal_comma)
    except InvalidOperation:
        raise ValueError(_("Not a number.")) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("Must be zero or more."))
    if number != number.to_integral_value():
        raise ValueError(_("Must be a whole number."))
    if number > 2_000_000_000:
        raise ValueError(_("The number is too large."))
    return int(number)


# xgettext:no-python-format
_NOT_A_RATE = gettext_lazy("Not a rate: write it as 45.2% or 0.452.")


def parse_rate(value: str, *, percent: bool = False) -> float | None:
    """A bounce rate as a fraction: "45.2%", "45,2 %", "0.452", "0,452"; a number above 1 is a percentage
    (and every number is one with `percent`, as in Plausible's files)."""
    text = value.strip()
    if not text:
        return None
    percent = percent or text.endswith("%")
    try:
        number = _decimal(text.rstrip("%").strip(), decimal_comma=True)
    except InvalidOperation:
        raise ValueError(str(_NOT_A_RATE)) from None
    if not number.is_finite():
        raise ValueError(str(_NOT_A_RATE))
    rate = float(number) / 100 if percent or number > 1 else float(number)
    if not 0 <= rate <= 1:
        raise ValueError(_("A rate must lie between 0% and 100%."))
    return rate


def clean_text(value: str, limit: int, *, page: bool = False) -> str:
    text = value.strip()
    if CONTROL.search(text):
        raise ValueError(_("Holds control characters."))
    if len(text) > limit:
        raise ValueError(_("Too long (at most %(limit)d characters).") % {"limit": limit})
    if not page and text.lower() in NOT_SET:
        return ""
    return text


@dataclass
class Parsed:
    source: str
    rows: int
    values: dict[TrafficKey, list[int]]  # key -> [sessions, conversions, bounces]
    problems: list[dict[str, object]]


def _lines(text: str) -> tuple[int, str]:
    """The number of comment lines GA4 puts before the header, and the rest of the text."""
    lines = text.splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (not lines[skipped].strip() or lines[skipped].lstrip().startswith("#")):
        skipped += 1
    return skipped, "".join(lines[skipped:])


def _delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: counts[delimiter])


def parse_export(data: bytes, *, source: str | None = None) -> Parsed:
    """Read and check a whole export; problems are per row, or one for a file that is not an export."""
    if len(data) > MAX_BYTES:
        raise FileProblem(_("The file is larger than 10 MB. Export a shorter period."))
    skipped, text = _lines(decode(data))
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    delimiter = _delimiter(text.splitlines()[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        raw_headers = [name.replace("\ufeff", "").strip() for name in next(reader)]
    except (csv.Error, StopIteration):
        raise FileProblem(_("The file is not a CSV export.")) from None
    headers = [normalize_header(name) for name in raw_headers]
    detected = detect(headers)
    if detected is None or (source and source != detected):
        expected = TrafficSource(source).label if source else "GA4, Matomo, Plausible"
        raise FileProblem(
            _(
                "The columns do not match an export of %(tools)s (found: %(columns)s). Export the landing "
                "page report with the date, sessions and bounce rate, or choose the right tool."
            )
            % {"tools": expected, "columns": ", ".join(name for name in raw_headers[:12] if name) or "—"}
        )
    columns = column_map(detected, headers)
    missing = [name for name in ("day", "sessions") if name not in columns]
    if missing:
        labels = {"day": "Date", "sessions": "Sessions / Visits"}
        raise FileProblem(
            _("The file has no %(columns)s column, so it cannot be imported.")
            % {"columns": ", ".join(labels[name] for name in missing)}
        )
    decimal_comma = delimiter == ";"
    values: dict[TrafficKey, list[int]] = {}
    problems: list[dict[str, object]] = []
    rows = 0

    def problem(row: int, name: str, message: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            column = raw_headers[columns[name]] if name in columns else name
            problems.append({"row": row, "column": column, "message": message})

    try:
        for cells in reader:
            row = skipped + reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise FileProblem(_("The file has more than 200,000 rows. Export a shorter period."))
            if len(cells) < len(headers):
                cells = [*cells, *[""] * (len(headers) - len(cells))]
            first_cell = cells[0].strip().lower()
            if first_cell in {"total", "totals", "grand total", "summe"}:
                continue  # the totals line some exports end with
            parsed = _parse_row(cells, columns, detected, decimal_comma, row, problem)
            if parsed is None:
                continue
            key, figures = parsed
            totals = values.setdefault(key, [0, 0, 0])
            for position, figure in enumerate(figures):
                totals[position] += figure
    except csv.Error as error:
        raise FileProblem(_("The file is not a valid CSV export: %(error)s") % {"error": error}) from None
    if rows == 0:
        raise FileProblem(_("The file has a header but no rows."))
    return Parsed(detected, rows, values, problems)


def _parse_row(
    cells: list[str],
    columns: dict[str, int],
    source: str,
    decimal_comma: bool,
    row: int,
    report: Callable[[int, str, str], None],
) -> tuple[TrafficKey, tuple[int, int, int]] | None:
    """One row's key and figures (sessions, conversions, bounces), or None after reporting its problems."""
    ok = True

    def cell(name: str) -> str:
        return cells[columns[name]] if name in columns else ""

    day: dt.date | None = None
    try:
        day = parse_day(cell("day"))
    except ValueError as error:
        report(row, "day", str(error))
        ok = False
    texts: dict[str, str] = {}
    for name, limit in (
        ("landing_page", MAX_PAGE),
        ("utm_source", MAX_UTM),
        ("utm_medium", MAX_UTM),
        ("utm_campaign", MAX_UTM),
    ):
        try:
            texts[name] = clean_text(cell(name), limit, page=name == "landing_page")
        except ValueError as error:
            report(row, name, str(error))
            ok = False
    if "source_medium" in columns and not (texts.get("utm_source") or texts.get("utm_medium")):
        try:
            combined = clean_text(cell("source_medium"), MAX_UTM)
        except ValueError as error:
            report(row, "source_medium", str(error))
            ok = False
        else:
            source, _sep, medium = combined.partition(" / ")
            texts["utm_source"] = clean_text(source, MAX_UTM)
            texts["utm_medium"] = clean_text(medium, MAX_UTM)
    counts: dict[str, int] = {}
    for name in ("sessions", "conversions", "bounces"):
        if name not in columns:
            continue
        try:
            counts[name] = parse_count(cell(name), decimal_comma=decimal_comma)
        except ValueError as error:
            report(row, name, str(error))
            ok = False
    rate: float | None = None
    if "bounces" not in columns and "bounce_rate" in columns:
        try:
            rate = parse_rate(cell("bounce_rate"), percent=source == TrafficSource.PLAUSIBLE)
        except ValueError as error:
            report(row, "bounce_rate", str(error))
            ok = False
    if not ok or day is None:
        return None
    sessions = counts.get("sessions", 0)
    bounces = counts["bounces"] if "bounces" in counts else round((rate or 0.0) * sessions)
    if bounces > sessions:
        report(row, "bounces", _("More bounces than sessions."))
        return None
    key: TrafficKey = (
        day,
        texts.get("landing_page", ""),
        texts.get("utm_source", ""),
        texts.get("utm_medium", ""),
        texts.get("utm_campaign", ""),
    )
    return key, (sessions, counts.get("conversions", 0), bounces)


def import_traffic(
    organization: Organization,
    data: bytes,
    *,
    file_name: str,
    actor: User | None,
    source: str | None = None,
) -> ImportReport:
    """Import one export. Always saves a `TrafficImport`: with `imported` and the rows written when the
    whole file is valid, else with its problems and nothing else written.
    """
    file_name = (file_name or "export.csv")[:255]
    try:
        parsed = parse_export(data, source=source or None)
    except FileProblem as problem:
        return _failed(
            organization,
            file_name,
            source or "",
            0,
            [{"row": 0, "column": "", "message": str(problem)}],
            actor,
        )
    if parsed.problems:
        return _failed(organization, file_name, parsed.source, parsed.rows, parsed.problems, actor)
    with transaction.atomic():
        traffic_import = TrafficImport.objects.create(
            organization=organization,
            source=parsed.source,
            file_name=file_name,
            rows=parsed.rows,
            imported=True,
            imported_by=actor,
        )
        written = _upsert(organization, parsed.source, traffic_import, parsed.values.items())
        record(
            "analytics.traffic.imported",
            organization=organization,
            actor=actor,
            target=traffic_import,
            data={"source": parsed.source, "rows": parsed.rows, "written": written},
        )
    return ImportReport(traffic_import, written=written)


def _failed(
    organization: Organization,
    file_name: str,
    source: str,
    rows: int,
    problems: list[dict[str, object]],
    actor: User | None,
) -> ImportReport:
    traffic_import = TrafficImport.objects.create(
        organization=organization,
        source=source,
        file_name=file_name,
        rows=rows,
        imported=False,
        problems=problems,
        imported_by=actor,
    )
    return ImportReport(traffic_import, problems=problems)


def _upsert(
    organization: Organization,
    source: str,
    traffic_import: TrafficImport,
    items: Iterable[tuple[TrafficKey, list[int]]],
) -> int:
    now = timezone.now()
    rows = [
        TrafficDay(
            organization=organization,
            source=source,
            day=key[0],
            landing_page=key[1],
            utm_source=key[2],
            utm_medium=key[3],
            utm_campaign=key[4],
            sessions=figures[0],
            conversions=figures[1],
            bounces=figures[2],
            last_import=traffic_import,
            created_at=now,
            updated_at=now,
        )
        for key, figures in items
    ]
    TrafficDay.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=[
            "organization", "source", "day", "landing_page", "utm_source", "utm_medium", "utm_campaign",
        ],
        update_fields=["sessions", "conversions", "bounces", "last_import", "updated_at"],
    )  # fmt: skip
    return len(rows)


@dataclass(frozen=True)
class TrafficRow:
    """Sessions, conversions and bounces of a landing page and UTM campaign over a period."""

    landing_page: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    sessions: int
    conversions: int
    bounces: int

    @property
    def bounce_rate(self) -> float | None:
        return self.bounces / self.sessions if self.sessions else None

    @property
    def conversion_rate(self) -> float | None:
        return self.conversions / self.sessions if self.sessions else None


def traffic_summary(
    organization: Organization, start: dt.date, end: dt.date, *, limit: int = 500
) -> list[TrafficRow]:
    """Imported traffic from `start` to `end` (both included) per landing page and UTM source, medium and
    campaign, most sessions first."""
    totals = (
        TrafficDay.objects.filter(organization=organization, day__gte=start, day__lte=end)
        .values("landing_page", "utm_source", "utm_medium", "utm_campaign")
        .annotate(
            total_sessions=Sum("sessions"), total_conversions=Sum("conversions"), total_bounces=Sum("bounces")
        )
        .order_by("-total_sessions", "landing_page", "utm_campaign")[:limit]
    )
    return [
        TrafficRow(
            landing_page=row["landing_page"],
            utm_source=row["utm_source"],
            utm_medium=row["utm_medium"],
            utm_campaign=row["utm_campaign"],
            sessions=row["total_sessions"] or 0,
            conversions=row["total_conversions"] or 0,
            bounces=row["total_bounces"] or 0,
        )
        for row in totals
    ]
