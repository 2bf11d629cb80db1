"""Analytics: events and their rollups, metric readings, short links, web traffic, learnings, reports."""

from flokk.analytics.models.events import NONE, Event, PendingEvent
from flokk.analytics.models.links import AnalyticsSettings, Link
from flokk.analytics.models.reports import Learning, ReportSchedule
from flokk.analytics.models.rollups import (
    DailyRollup,
    HourlyRollup,
    OrganizationDailyRollup,
    PostRollup,
    PostSummary,
    RefreshState,
)
from flokk.analytics.models.snapshots import MetricSnapshot
from flokk.analytics.models.traffic import TrafficDay, TrafficImport

__all__ = [
    "NONE",
    "AnalyticsSettings",
    "DailyRollup",
    "Event",
    "HourlyRollup",
    "Learning",
    "Link",
    "MetricSnapshot",
    "OrganizationDailyRollup",
    "PendingEvent",
    "PostRollup",
    "PostSummary",
    "RefreshState",
    "ReportSchedule",
    "TrafficDay",
    "TrafficImport",
]
