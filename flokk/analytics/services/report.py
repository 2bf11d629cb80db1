"""The monthly report for management: goals and progress, content and reach, spend and return, response
times, and what the team needs; as a web page, a PDF and CSV tables, in the reader's language.

`monthly_report` gathers plain data (numbers, dates, labels) from the dashboard's queries, the goals and the
action plan; rendering formats it in one place (`format_value`), so the PDF shows exactly the figures the
web page shows. `send_due_reports` e-mails last month's report to each scheduled recipient once.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flokk.analytics.models import ReportSchedule
from flokk.analytics.services import dashboard
from flokk.analytics.services.dashboard import KpiCard, Period
from flokk.content.choices import PostStatus
from flokk.content.models import Post
from flokk.content.services.csv_posts import escape_cell
from flokk.core import audit
from flokk.strategy.models import Goal, Milestone, Resource
from flokk.teams.models import Membership, Organization, User
from flokk.teams.permissions import resolve_access

logger = logging.getLogger(__name__)

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
NEEDS_AHEAD_DAYS = 183  # resources the plan adds in the next half year
TEXT, NUMBER, PERCENT, MINUTES, DATE, MONEY = "text", "number", "percent", "minutes", "date", "money"
NOTHING = gettext_lazy("Nothing in this month.")


# --- data -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    unit: str = NUMBER


@dataclass
class ReportTable:
    """One table of the report: its columns and rows of raw values (formatted when rendered)."""

    key: str
    title: str | Promise
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    empty: str | Promise = NOTHING


@dataclass
class Chart:
    key: str
    title: str | Promise
    labels: list[Any]  # dates or text
    values: list[float]
    kind: str = "bar"  # or "line"


@dataclass
class Section:
    key: str
    title: str | Promise
    tables: list[ReportTable] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    organization_name: str
    organization_slug: str
    month: dt.date  # the first day of the month reported
    period: Period
    kpis: list[KpiCard]
    sections: list[Section]
    created_at: dt.datetime

    def tables(self) -> dict[str, ReportTable]:
        return {table.key: table for section in self.sections for table in section.tables}


# --- months -----------------------------------------------------------------------------------------
def parse_month(text: str | None) -> dt.date | None:
    """`YYYY-MM` as the first day of that month; None for anything else (or a month out of range)."""
    match = MONTH_PATTERN.fullmatch(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return dt.date(year, month, 1)


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    return dashboard.local_today(organization, now or timezone.now())


def last_month(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    """The first day of the month before this one, in the organization's calendar."""
    return previous_month(local_today(organization, now).replace(day=1))


# --- gathering --------------------------------------------------------------------------------------
def monthly_report(organization: Organization, month: dt.date) -> Report:
    """The report of the calendar month that contains `month` (the organization's days)."""
    start = month.replace(day=1)
    period = Period(start, next_month(start))
    sections = [
        _goals_section(organization, period),
        _content_section(organization, period),
        _spend_section(organization, period),
        _responses_section(organization, period),
        _needs_section(organization, period),
    ]
    return Report(
        organization_name=organization.name,
        organization_slug=organization.slug,
        month=start,
        period=period,
        kpis=list(dashboard.kpi_cards(organization, period)),
        sections=sections,
        created_at=timezone.now(),
    )


def _goals_section(organization: Organization, period: Period) -> Section:
    goals = ReportTable(
        "goals",
        gettext_lazy("Goals"),
        [
            Column("goal", gettext_lazy("Goal"), TEXT),
            Column("kpi", gettext_lazy("KPI"), TEXT),
            Column("latest", gettext_lazy("Latest value")),
            Column("target", gettext_lazy("Target")),
            Column("progress", gettext_lazy("Progress"), PERCENT),
            Column("deadline", gettext_lazy("Deadline"), DATE),
        ],
        empty=gettext_lazy("No goals yet."),
    )
    for goal in Goal.objects.for_org(organization).with_progress().filter(deadline__gte=period.start):
        kpis = list(goal.kpis.all())
        if not kpis:
            goals.rows.append([goal.title, "", None, None, goal.progress_percent, goal.deadline])
        for kpi in kpis:
            goals.rows.append(
                [
                    goal.title,
                    kpi.metric_name,
                    kpi.latest_value(),
                    kpi.target_value,
                    kpi.progress_percent,
                    goal.deadline,
                ]
            )
    milestones = ReportTable(
        "milestones",
        gettext_lazy("Milestones reached this month"),
        [
            Column("milestone", gettext_lazy("Milestone"), TEXT),
            Column("goal", gettext_lazy("Goal"), TEXT),
            Column("target", gettext_lazy("Target")),
            Column("reached", gettext_lazy("Reached"), DATE),
        ],
        empty=gettext_lazy("No milestone was reached this month."),
    )
    zone = dashboard.zone_of(organization)
    start, end = period.bounds(zone)
    reached = (
        Milestone.objects.filter(organization=organization, reached_at__gte=start, reached_at__lt=end)
        .select_related("kpi__goal")
        .order_by("reached_at")
    )
    for milestone in reached:
        assert milestone.reached_at is not None
        milestones.rows.append(
            [
                milestone.title,
                milestone.kpi.goal.title,
                milestone.target_value,
                milestone.reached_at.astimezone(zone).date(),
            ]
        )
    return Section("goals", gettext_lazy("Goals and progress"), [goals, milestones])


def _content_section(organization: Organization, period: Period) -> Section:
    growth = dashboard.audience_growth(organization, period)
    content = dashboard.engagement_by_content_type(organization, period)
    campaigns = dashboard.engagement_by_campaign(organization, period)
    section = Section("content", gettext_lazy("Content and reach"))
    section.charts.append(_audience_chart(growth))
    section.tables.append(_audience_table(growth))
    section.tables.append(_content_table(content))
    section.tables.append(_campaign_table(campaigns))
    return section


def _spend_section(organization: Organization, period: Period) -> Section:
    return Section(
        "spend",
        gettext_lazy("Spend and return"),
        [_spend_table(dashboard.spend_vs_results(organization, period))],
    )


def _responses_section(organization: Organization, period: Period) -> Section:
    return Section(
        "responses",
        gettext_lazy("Response times"),
        [
            _response_table(dashboard.response_times(organization, period)),
            _negative_table(dashboard.negative_share(organization, period)),
        ],
    )


def _needs_section(organization: Organization, period: Period) -> Section:
    """The plan's resources still to come, and the posts waiting in approval (the team's bottleneck)."""
    resources = ReportTable(
        "needs",
        gettext_lazy("Resources the plan adds"),
        [
            Column("name", gettext_lazy("Resource"), TEXT),
            Column("kind", gettext_lazy("Kind"), TEXT),
            Column("arrives_on", gettext_lazy("Arrives on"), DATE),
            Column("note", gettext_lazy("Note"), TEXT),
        ],
        empty=gettext_lazy("The action plan adds no resources in the coming months."),
    )
    horizon = period.end + dt.timedelta(days=NEEDS_AHEAD_DAYS)
    for resource in Resource.objects.filter(
        organization=organization, arrives_on__gte=period.start, arrives_on__lt=horizon
    ).order_by("arrives_on", "name"):
        resources.rows.append(
            [resource.name, resource.get_kind_display(), resource.arrives_on, resource.note]
        )
    waiting = ReportTable(
        "waiting",
        gettext_lazy("Posts waiting"),
        [
            Column("status", gettext_lazy("Status"), TEXT),
            Column("posts", gettext_lazy("Posts")),
            Column("since", gettext_lazy("Oldest waiting since"), DATE),
        ],
        empty=gettext_lazy("No posts are waiting for approval or changes."),
    )
    zone = dashboard.zone_of(organization)
    for status in (PostStatus.IN_REVIEW, PostStatus.CHANGES_REQUESTED):
        posts = Post.objects.filter(organization=organization, status=status)
        oldest = posts.order_by("updated_at").values_list("updated_at", flat=True).first()
        if oldest is not None:
            waiting.rows.append([status.label, posts.count(), oldest.astimezone(zone).date()])
    return Section("needs", gettext_lazy("What the team needs"), [resources, waiting])


# --- formatting -------------------------------------------------------------------------------------
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


def _display(report: Report) -> dict[str, Any]:
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


# --- rendering --------------------------------------------------------------------------------------
def render_report_html(
    report: Report, language: str, *, request: Any = None, context: dict[str, Any] | None = None
) -> str:
    """The web page of the report (`analytics/pages/report.html`) in `language`."""
    with translation.override(language):
        return render_to_string(
            "analytics/pages/report.html", {**_display(report), **(context or {})}, request=request
        )


def render_report_pdf_html(report: Report, language: str) -> str:
    """The report as the standalone HTML the PDF is printed from (`analytics/report_pdf.html`)."""
    with translation.override(language):
        return render_to_string("analytics/report_pdf.html", {**_display(report), "language": language})


def report_pdf(report: Report, language: str) -> bytes:
    """The report as a PDF (A4), in `language`."""
    from weasyprint import HTML  # heavy: loaded only where a PDF is made

    html = render_report_pdf_html(report, language)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def pdf_file_name(report: Report) -> str:
    """A file name safe in any header and file system: ascii letters, digits and dashes."""
    slug = slugify(report.organization_slug) or "report"
    return f"flokk-report-{slug}-{report.month:%Y-%m}.pdf"


# --- charts -----------------------------------------------------------------------------------------
def chart_svg(chart: Chart) -> str:
    """The chart drawn by matplotlib as SVG. Uses its own Figure (no pyplot state), so it is thread-safe."""
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
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def chart_data_uri(chart: Chart) -> str:
    """The chart as a data URI for `<img>`: an image cannot run script, whatever its labels say."""
    if not chart.values:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(chart_svg(chart).encode()).decode()


# --- CSV --------------------------------------------------------------------------------------------
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


# --- schedules --------------------------------------------------------------------------------------
def schedule_candidates(organization: Organization) -> list[User]:
    """Active members who may read analytics: the people a report can go to."""
    members = (
        Membership.objects.active()
        .filter(organization=organization)
        .select_related("user")
        .order_by("user__name", "user__email")
    )
    people = []
    for membership in members:
        access = resolve_access(membership.user, organization)
        if access is not None and access.has("analysis.view"):
            people.append(membership.user)
    return people


def add_schedule(
    organization: Organization, *, recipient: User, language: str, day_of_month: int, actor: User
) -> ReportSchedule:
    """Send the monthly report to `recipient` (a member who may read analytics); one schedule a person."""
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the languages.")]
    if not 1 <= day_of_month <= 28:
        errors["day_of_month"] = [_("Choose a day from 1 to 28.")]
    access = resolve_access(recipient, organization)
    if access is None or not access.has("analysis.view"):
        errors["recipient"] = [_("Reports go only to members who may see analytics.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule, _created = ReportSchedule.objects.update_or_create(
            organization=organization,
            recipient=recipient,
            defaults={"language": language, "day_of_month": day_of_month},
        )
        _audit(organization, actor, "analytics.report_schedule.saved", schedule)
    return schedule


def remove_schedule(schedule: ReportSchedule, *, actor: User) -> None:
    organization = schedule.organization
    with transaction.atomic():
        _audit(organization, actor, "analytics.report_schedule.removed", schedule)
        schedule.delete()


def _audit(organization: Organization, actor: User, action: str, schedule: ReportSchedule) -> None:
    audit.record(
        action,
        organization=organization,
        actor=actor,
        target=schedule,
        target_label=schedule.recipient.email,
        data={"language": schedule.language, "day_of_month": schedule.day_of_month},
    )


def send_due_reports(now: dt.datetime | None = None) -> int:
    """E-mail last month's report to every schedule whose day has come this month (the organization's
    calendar) and that has not had it yet; returns how many were sent."""
    now = now or timezone.now()
    # No organization's last month is later than this UTC month: a superset of what is due, checked below.
    latest = dt.date(now.year, now.month, 1)
    due = ReportSchedule.objects.filter(
        Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=latest)
    ).select_related("organization", "recipient")
    sent = 0
    for schedule in due:
        try:
            sent += send_scheduled_report(schedule, now)
        except Exception:  # one recipient's failure (a mail server's refusal) must not stop the others
            logger.exception("analytics: the report for schedule %s could not be sent", schedule.pk)
    return sent


def send_scheduled_report(schedule: ReportSchedule, now: dt.datetime) -> bool:
    """Send last month's report for this schedule if it is due and unsent; True when this call sent it.

    The month is claimed with a conditional update inside the transaction that sends: of two workers holding
    the same schedule, only the one whose update matched sends, and a failed send rolls the claim back so
    the next run tries again.
    """
    organization = schedule.organization
    today = local_today(organization, now)
    month = previous_month(today.replace(day=1))
    if today.day < schedule.day_of_month:
        return False
    if schedule.last_sent_for is not None and schedule.last_sent_for >= month:
        return False
    recipient = schedule.recipient
    access = resolve_access(recipient, organization)
    if not recipient.email or access is None or not access.has("analysis.view"):
        return False  # no longer a reader; the schedule stays for when they are again
    with transaction.atomic():
        claimed = (
            ReportSchedule.objects.filter(pk=schedule.pk)
            .filter(Q(last_sent_for__isnull=True) | Q(last_sent_for__lt=month))
            .update(last_sent_for=month, updated_at=timezone.now())
        )
        if claimed != 1:
            return False
        _send(schedule, organization, month)
    logger.info("analytics: report for %s sent to schedule %s", month, schedule.pk)
    return True


def _send(schedule: ReportSchedule, organization: Organization, month: dt.date) -> None:
    language = schedule.language or organization.language or settings.LANGUAGE_CODE
    with translation.override(language):  # some labels are worked out while the figures are gathered
        report = monthly_report(organization, month)
    pdf = report_pdf(report, language)
    with translation.override(language):
        subject = _("%(organization)s: social media report for %(month)s") % {
            "organization": organization.name,
            "month": month_label(month),
        }
        body = render_to_string("analytics/partials/report_email.txt", _display(report))
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [schedule.recipient.email])
    message.attach(pdf_file_name(report), pdf, "application/pdf")
    message.send()


# --- the dashboard's figures as report tables -------------------------------------------------------
def _audience_chart(growth: dashboard.AudienceGrowth) -> Chart:
    totals = [
        float(sum(series.values[i] or 0 for series in growth.networks)) for i in range(len(growth.days))
    ]
    return Chart(
        "audience",
        gettext_lazy("Followers, all networks"),
        list(growth.days),
        totals if growth.networks else [],
        "line",
    )


def _audience_table(growth: dashboard.AudienceGrowth) -> ReportTable:
    table = ReportTable(
        "audience",
        gettext_lazy("Audience"),
        [
            Column("network", gettext_lazy("Network"), TEXT),
            Column("followers", gettext_lazy("Followers at month end")),
        ],
    )
    for series in growth.networks:
        table.rows.append([series.label, series.values[-1] if series.values else None])
    return table


def _group_table(
    key: str, title: str | Promise, label: str | Promise, groups: Sequence[dashboard.GroupFigure]
) -> ReportTable:
    table = ReportTable(
        key,
        title,
        [
            Column("group", label, TEXT),
            Column("posts", gettext_lazy("Posts")),
            Column("impressions", gettext_lazy("Impressions")),
            Column("engagements", gettext_lazy("Engagements")),
            Column("engagement_rate", gettext_lazy("Engagement rate"), PERCENT),
            Column("per_post", gettext_lazy("Engagements per post")),
        ],
        empty=gettext_lazy("No posts were published this month."),
    )
    for group in groups:
        table.rows.append(
            [
                group.label,
                group.posts,
                group.impressions,
                group.engagements,
                None if group.per_post else round(100 * group.rate, 2),
                round(group.engagements / group.posts, 2) if group.posts else None,
            ]
        )
    return table


def _content_table(groups: Sequence[dashboard.GroupFigure]) -> ReportTable:
    return _group_table(
        "content_types", gettext_lazy("Engagement by content type"), gettext_lazy("Content type"), groups
    )


def _campaign_table(groups: Sequence[dashboard.GroupFigure]) -> ReportTable:
    return _group_table("campaigns", gettext_lazy("Engagement by campaign"), gettext_lazy("Campaign"), groups)


def _spend_table(rows: Sequence[dashboard.SpendRow]) -> ReportTable:
    table = ReportTable(
        "spend",
        gettext_lazy("Planned budget against results"),
        [
            Column("campaign", gettext_lazy("Campaign"), TEXT),
            Column("budget", gettext_lazy("Planned budget"), MONEY),
            Column("currency", gettext_lazy("Currency"), TEXT),
            Column("clicks", gettext_lazy("Clicks")),
            Column("conversions", gettext_lazy("Conversions")),
            Column("engagements", gettext_lazy("Engagements")),
            Column("cost_per_click", gettext_lazy("Cost per click"), MONEY),
            Column("cost_per_conversion", gettext_lazy("Cost per conversion"), MONEY),
        ],
        empty=gettext_lazy("No campaigns ran this month."),
    )
    for row in rows:
        table.rows.append(
            [
                row.campaign,
                row.planned,
                row.currency or " ".join(row.budget),
                row.clicks,
                row.conversions,
                row.engagements,
                row.cost_per_click,
                row.cost_per_conversion,
            ]
        )
    return table


# The inbox's report also groups by person; management gets teams and networks.
RESPONSE_GROUPS = {"team": gettext_lazy("Team"), "network": gettext_lazy("Network")}


def _response_table(figures: dict[str, list[Any]]) -> ReportTable:
    table = ReportTable(
        "response_times",
        gettext_lazy("First answers to conversations that started this month"),
        [
            Column("dimension", gettext_lazy("By"), TEXT),
            Column("group", gettext_lazy("Group"), TEXT),
            Column("conversations", gettext_lazy("Conversations")),
            Column("answered", gettext_lazy("Answered")),
            Column("median_minutes", gettext_lazy("Median time to first answer"), MINUTES),
            Column("within_target", gettext_lazy("Within target"), PERCENT),
        ],
        empty=gettext_lazy("No conversations started this month."),
    )
    for dimension, label in RESPONSE_GROUPS.items():
        for row in figures.get(dimension, []):
            table.rows.append(
                [
                    label,
                    row.label,
                    row.conversations,
                    row.answered,
                    row.median_minutes,
                    row.within_target_percent,
                ]
            )
    return table


def _negative_table(days: Sequence[dashboard.DayShare]) -> ReportTable:
    table = ReportTable(
        "negative",
        gettext_lazy("Negative feedback"),
        [
            Column("messages", gettext_lazy("Messages with a known tone")),
            Column("negative", gettext_lazy("Negative")),
            Column("share", gettext_lazy("Share negative"), PERCENT),
        ],
        empty=gettext_lazy("No messages this month."),
    )
    messages = sum(day.messages for day in days)
    negative = sum(day.negative for day in days)
    if messages:
        table.rows.append([messages, negative, round(100 * negative / messages, 1)])
    return table
