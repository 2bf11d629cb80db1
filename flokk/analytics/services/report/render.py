"""The report formatted in one place (`format_value`): web page, PDF with SVG charts, CSV and JSON."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _

from flokk.analytics.services.dashboard import KpiCard
from flokk.analytics.services.report.data import (
    DATE,
    MINUTES,
    MONEY,
    NUMBER,
    PERCENT,
    TEXT,
    Chart,
    Report,
    ReportTable,
)
from flokk.content.services.csv_posts import escape_cell

PDF_KEPT_SECONDS = 3600


def format_value(value: Any, unit: str = NUMBER) -> str:
    """A figure as the reader writes it (the active language's separators); the web page, the PDF and the
    e-mail all show figures through this one function."""
    if value is None or value == "":
        return "—" if unit != TEXT else ""
    if unit == TEXT:
        return str(value)
    if unit == DATE:
        return formats.date_format(value, "SHORT_DATE_FORMAT", use_l10n=True)
    number = _number(value)
    if unit == PERCENT:
        return f"{formats.number_format(number, 1, use_l10n=True, force_grouping=True)} %"
    if unit == MINUTES:
        return _("%(minutes)s min") % {
            "minutes": formats.number_format(number, 0, use_l10n=True, force_grouping=True)
        }
    decimals = 2 if unit == MONEY else (0 if number == number.to_integral_value() else 2)
    return formats.number_format(number, decimals, use_l10n=True, force_grouping=True)


def _number(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(round(value, 4)))
    return Decimal(value)


def format_change(value: Any) -> str:
    """A relative change against the month before (0.125), with its sign: "+12,5 %"."""
    if value is None:
        return "—"
    number = _number(value) * 100
    sign = "+" if number > 0 else ("-" if number < 0 else "±")
    return f"{sign}{formats.number_format(abs(number), 1, use_l10n=True, force_grouping=True)} %"


def month_label(month: dt.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT", use_l10n=True)


def display_context(report: Report) -> dict[str, Any]:
    """The report with every figure formatted in the active language: what the templates show."""
    return {
        "report": report,
        "month_label": month_label(report.month),
        "month_param": report.month.strftime("%Y-%m"),
        "kpis": [
            {
                "key": card.key,
                "label": card.label,
                "value": format_value(card.value, _kpi_unit(card)),
                "previous": format_value(card.previous_value, _kpi_unit(card)),
                "change": format_change(card.change) if card.change is not None else "",
                "target": format_value(card.goal_target, _kpi_unit(card))
                if card.goal_target is not None
                else "",
                "progress": format_value(_percent(card.goal_progress), PERCENT)
                if card.goal_progress is not None
                else "",
            }
            for card in report.kpis
        ],
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "charts": [{"title": chart.title, "svg": chart_data_uri(chart)} for chart in section.charts],
                "tables": [
                    {
                        "key": table.key,
                        "title": table.title,
                        "empty": table.empty,
                        "columns": table.columns,
                        "rows": [
                            [
                                format_value(cell, column.unit)
                                for cell, column in zip(row, table.columns, strict=True)
                            ]
                            for row in table.rows
                        ],
                    }
                    for table in section.tables
                ],
            }
            for section in report.sections
        ],
    }


def _percent(share: Any) -> Any:
    """Progress comes as a share (0..1); the report shows percent."""
    return None if share is None else _number(share) * 100


def _kpi_unit(card: KpiCard) -> str:
    unit = (card.unit or "").strip().lower()
    if unit in {"%", "percent"}:
        return PERCENT
    if unit in {"min", "minutes"}:
        return MINUTES
    return NUMBER


def render_report_html(
    report: Report, language: str, *, request: Any = None, context: dict[str, Any] | None = None
) -> str:
    """The web page of the report (`analytics/pages/report.html`) in `language`."""
    with translation.override(language):
        return render_to_string(
            "analytics/pages/report.html", {**display_context(report), **(context or {})}, request=request
        )


def render_report_pdf_html(report: Report, language: str) -> str:
    """The report as the standalone HTML the PDF is printed from (`analytics/report_pdf.html`)."""
    with translation.override(language):
        return render_to_string(
            "analytics/report_pdf.html", {**display_context(report), "language": language}
        )


def report_pdf(report: Report, language: str) -> bytes:
    """The report as a PDF (A4), in `language`. Printing takes seconds, so a PDF is kept a while for the
    very same page (the same figures in the same language): downloads again and e-mails to several
    readers print it once."""
    from weasyprint import HTML  # heavy: loaded only where a PDF is made

    html = render_report_pdf_html(report, language)
    key = f"flokk:report-pdf:{hashlib.sha256(html.encode()).hexdigest()}"
    if (kept := cache.get(key)) is not None:
        return bytes(kept)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    assert pdf is not None
    cache.set(key, bytes(pdf), PDF_KEPT_SECONDS)
    return bytes(pdf)


def pdf_file_name(report: Report) -> str:
    """A file name safe in any header and file system: ascii letters, digits and dashes."""
    slug = slugify(report.organization_slug) or "report"
    return f"flokk-report-{slug}-{report.month:%Y-%m}.pdf"


def chart_svg(chart: Chart) -> str:
    """The chart drawn by matplotlib as SVG. Uses its own Figure (no pyplot state), so it is thread-safe."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.0, 2.6), dpi=72)
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    # Days as their number: the month is in the report's title, and whole dates would overlap.
    labels = [str(label.day) if isinstance(label, dt.date) else str(label) for label in chart.labels]
    positions = list(range(len(labels)))
    if chart.kind == "line":
        axes.plot(positions, chart.values, color="#2b6cb0", linewidth=2)
    else:
        axes.bar(positions, chart.values, color="#2b6cb0")
    step = max(1, len(labels) // 10)
    axes.set_xticks(positions[::step], labels[::step], fontsize=8, fontfamily="DejaVu Sans")
    axes.tick_params(axis="y", labelsize=8)
    axes.yaxis.set_major_formatter(lambda value, _position: format_value(value, NUMBER))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    buffer = io.StringIO()
    with rc_context({"svg.hashsalt": "flokk"}):  # the same chart, the same SVG (ids are salted hashes)
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def chart_data_uri(chart: Chart) -> str:
    """The chart as a data URI for `<img>`: an image cannot run script, whatever its labels say."""
    if not chart.values:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart).encode()).decode()


def table_csv(table: ReportTable, language: str) -> str:
    """One table as CSV (UTF-8 with BOM, header row, plain machine values); no cell can run as a formula."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    with translation.override(language):
        writer.writerow([escape_cell(str(column.label)) for column in table.columns])
    for row in table.rows:
        writer.writerow([escape_cell(_plain(cell)) for cell in row])
    return buffer.getvalue()


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, float):
        return f"{round(value, 4):g}"
    return str(value)


def report_data(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data: raw values, and labels in the active language."""
    return {
        "organization": report.organization_slug,
        "month": report.month.strftime("%Y-%m"),
        "start": report.period.start.isoformat(),
        "end": report.period.end.isoformat(),
        "kpis": [
            {
                "key": card.key,
                "label": str(card.label),
                "value": _json_number(card.value),
                "previous_value": _json_number(card.previous_value),
                "change": _json_number(card.change),
                "goal_target": _json_number(card.goal_target),
                "goal_progress": _json_number(card.goal_progress),
                "unit": card.unit,
            }
            for card in report.kpis
        ],
        "tables": [
            {
                "key": table.key,
                "section": section.key,
                "title": str(table.title),
                "columns": [{"key": c.key, "label": str(c.label), "unit": c.unit} for c in table.columns],
                "rows": [[_json_cell(cell) for cell in row] for row in table.rows],
            }
            for section in report.sections
            for table in section.tables
        ],
    }


def _json_number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return float(value)


def _json_cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Promise):
        return str(value)
    return value
