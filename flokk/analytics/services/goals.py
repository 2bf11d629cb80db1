"""Goal progress fed from analytics: each KPI's current value for its period, recorded when it changes.

Values come from the daily rollups (never raw events), web-traffic imports and the inbox. Rates and shares are
percentages (an engagement rate of 3.5 means 3.5 %), response times hours. Reach is counted as impressions:
the rollups keep no unique reach (only metric snapshots do, per post), so a reach KPI follows impressions.
Ad spend, ROI and custom metrics are not measured here; people enter those by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from flokk.analytics.choices import ENGAGEMENT_KINDS, EventKind
from flokk.analytics.models import DailyRollup, TrafficDay
from flokk.inbox.choices import Direction, Sentiment
from flokk.inbox.models import Conversation, Message
from flokk.inbox.services.sla import SlaClock
from flokk.strategy.choices import MeasurementSource, Metric
from flokk.strategy.models import KPI, Measurement
from flokk.strategy.services.goals import record_measurement
from flokk.teams.models import Organization

logger = logging.getLogger(__name__)

# A KPI whose period ended less than this long ago still gets its final figures (late metrics, imports).
SETTLING = dt.timedelta(days=7)
MAX_CONVERSATIONS = 20_000
PLACES = Decimal("0.0001")


def feed_kpis(organization: Organization, now: dt.datetime | None = None) -> int:
    """Record the current value of each of the organization's running KPIs that analytics can measure, when
    it differs from the latest value analytics recorded. Returns how many measurements were recorded.

    Milestones reached are marked and celebrated by `record_measurement`.
    """
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = now.astimezone(zone).date()
    latest = (
        Measurement.objects.filter(kpi=OuterRef("pk"), source=MeasurementSource.ANALYTICS)
        .order_by("-measured_at", "-created_at")
        .values("value")[:1]
    )
    kpis = (
        KPI.objects.for_org(organization)
        .filter(period_start__lte=today, period_end__gte=today - SETTLING)
        .exclude(metric__in=[Metric.AD_SPEND, Metric.ROI, Metric.CUSTOM])
        .select_related("organization", "goal")
        .annotate(latest_analytics_value=Subquery(latest))
    )
    recorded = 0
    for kpi in kpis:
        value = current_value(kpi, today=today, zone=zone)
        if value is None:
            continue
        value = value.quantize(PLACES)
        latest_value = getattr(kpi, "latest_analytics_value", None)  # annotated above
        if latest_value is not None and Decimal(latest_value) == value:
            continue
        try:
            record_measurement(
                kpi, value=value, measured_at=now, source=MeasurementSource.ANALYTICS, actor=None
            )
        except ValidationError as error:  # a value out of range (a negative count after a data fix, ...)
            logger.warning("analytics: KPI %s not fed (%s): %s", kpi.pk, value, error.messages)
            continue
        recorded += 1
    return recorded


def current_value(kpi: KPI, *, today: dt.date, zone: dt.tzinfo) -> Decimal | None:
    """The KPI's value over its period so far (to today), on its network if it has one; None if unknown."""
    start, end = kpi.period_start, min(kpi.period_end, today)
    if end < start:
        return None
    organization, network = kpi.organization, kpi.network
    metric = kpi.metric
    if metric in (Metric.REACH, Metric.IMPRESSIONS):
        return Decimal(_rollup_totals(organization, [EventKind.IMPRESSION], start, end, network)[0])
    if metric == Metric.ENGAGEMENT_RATE:
        impressions, engagements = _rollup_totals(
            organization, [EventKind.IMPRESSION], start, end, network, second=list(ENGAGEMENT_KINDS)
        )
        return Decimal(100 * engagements) / Decimal(impressions) if impressions > 0 else None
    if metric == Metric.FOLLOWERS:
        # Followers are a running count: every change ever recorded, up to the end of the period.
        return Decimal(_rollup_totals(organization, [EventKind.FOLLOWER], None, end, network)[0])
    if metric == Metric.LINK_CLICKS:
        kinds = [EventKind.LINK_CLICK, EventKind.CLICK]
        return Decimal(_rollup_totals(organization, kinds, start, end, network)[0])
    if metric == Metric.CONVERSIONS:
        events = _rollup_totals(organization, [EventKind.CONVERSION], start, end, network)[0]
        traffic = TrafficDay.objects.filter(organization=organization, day__gte=start, day__lte=end)
        if network:
            traffic = traffic.filter(utm_source__iexact=network)
        imported = traffic.aggregate(total=Sum("conversions"))["total"] or 0
        return Decimal(events + imported)
    since, until = _local_bounds(start, end, zone)
    if metric == Metric.RESPONSE_TIME:
        return first_response_hours(organization, since, until, network)
    if metric == Metric.NEGATIVE_FEEDBACK_SHARE:
        return negative_share(organization, since, until, network)
    return None


def _local_bounds(start: dt.date, end: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """From the first local day's midnight to the midnight after the last one."""
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return since, until


def _rollup_totals(
    organization: Organization,
    kinds: list[EventKind],
    start: dt.date | None,
    end: dt.date,
    network: str,
    *,
    second: list[EventKind] | None = None,
) -> tuple[int, int]:
    """Sums of the daily rollups of `kinds` (and of `second`) in [start, end], on `network` if given."""
    rows = DailyRollup.objects.filter(organization=organization, day__lte=end)
    if start is not None:
        rows = rows.filter(day__gte=start)
    if network:
        rows = rows.filter(network=network)
    first_kinds = [str(kind) for kind in kinds]
    second_kinds = [str(kind) for kind in second or []]
    sums = {"first": Sum("total", filter=Q(kind__in=first_kinds))}
    if second_kinds:
        sums["second"] = Sum("total", filter=Q(kind__in=second_kinds))
    totals = rows.filter(kind__in=first_kinds + second_kinds).aggregate(**sums)
    return int(totals["first"] or 0), int(totals.get("second") or 0)


def first_response_hours(
    organization: Organization, since: dt.datetime, until: dt.datetime, network: str
) -> Decimal | None:
    """The median first response time, in hours, of conversations that started in [since, until).

    Counted as the inbox's response-time report counts it (`inbox.services.reports.response_times`): with
    the SLA clock of each conversation's priority (business hours or around the clock).
    """
    rows = Conversation.objects.filter(
        organization=organization,
        first_message_at__gte=since,
        first_message_at__lt=until,
        first_responded_at__isnull=False,
    )
    if network:
        rows = rows.filter(account__network=network)
    answered = list(
        rows.values_list("priority", "first_message_at", "first_responded_at").order_by()[:MAX_CONVERSATIONS]
    )
    if not answered:
        return None
    clock = SlaClock.for_org(organization)
    hours = [
        clock.response_time(priority, first, answer).total_seconds() / 3600
        for priority, first, answer in answered
        if answer is not None  # filtered out above; for the type checker
    ]
    return Decimal(str(round(statistics.median(hours), 4)))


def negative_share(
    organization: Organization, since: dt.datetime, until: dt.datetime, network: str
) -> Decimal | None:
    """The percentage of the public's messages in [since, until) read as negative, of those read at all."""
    messages = Message.objects.filter(
        organization=organization, direction=Direction.INBOUND, received_at__gte=since, received_at__lt=until
    ).exclude(sentiment="")
    if network:
        messages = messages.filter(account__network=network)
    counts = messages.aggregate(
        total=Count("pk"), negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE))
    )
    if not counts["total"]:
        return None
    return Decimal(100 * counts["negative"]) / Decimal(counts["total"])


def feed_all(now: dt.datetime | None = None) -> int:
    """Feed the KPIs of every organization that has running ones; returns the measurements recorded."""
    now = now or timezone.now()
    soon = (now - SETTLING).date()
    organizations = Organization.objects.filter(
        pk__in=KPI.objects.filter(
            period_start__lte=now.date() + dt.timedelta(days=1), period_end__gte=soon
        ).values("organization_id")
    )
    recorded = 0
    for organization in organizations:
        recorded += feed_kpis(organization, now)
    return recorded
