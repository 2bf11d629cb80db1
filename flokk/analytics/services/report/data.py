"""The report as plain data (tables, charts, sections: numbers, dates and labels), and its months."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from flokk.analytics.services import dashboard
from flokk.analytics.services.dashboard import KpiCard, Period
from flokk.teams.models import Organization

MONTH_PATTERN = re.compile(r"([0-9]{4})-([0-9]{2})")
NEEDS_AHEAD_DAYS = 183  # resources the plan adds in the next half year
TEXT, NUMBER, PERCENT, MINUTES, DATE, MONEY = "text", "number", "percent", "minutes", "date", "money"
NOTHING = gettext_lazy("Nothing in this month.")


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
