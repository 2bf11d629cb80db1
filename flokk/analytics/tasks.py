"""Analytics' periodic jobs: counting events into the rollups, reading the networks' metrics, learnings,
KPIs and the monthly reports."""

from __future__ import annotations

import datetime as dt
import logging

from flokk.analytics.services import goals, learnings, metrics, report, rollups
from flokk.core.periodic import periodic
from flokk.publishing.models import Delivery
from flokk.teams.models import Organization

logger = logging.getLogger(__name__)


@periodic("analytics.refresh_rollups", every=dt.timedelta(minutes=1))
def refresh_rollups() -> None:
    counted = rollups.refresh_all()
    if counted:
        logger.info("analytics: %s events counted into the rollups", counted)


@periodic("analytics.send_due_reports", every=dt.timedelta(hours=1))
def send_due_reports() -> None:
    sent = report.send_due_reports()
    if sent:
        logger.info("analytics: %s monthly reports e-mailed", sent)


@periodic("analytics.collect_metrics", every=dt.timedelta(minutes=1))
def collect_metrics() -> None:
    """Read the metrics of the connected accounts whose organization's interval has passed."""
    read = metrics.collect_due()
    if read:
        logger.info("analytics: metrics read for %s accounts", read)


@periodic("analytics.refresh_learnings", every=dt.timedelta(days=1))
def refresh_learnings() -> None:
    """Work out each organization's learnings again from its published posts."""
    published = Delivery.objects.filter(published_at__isnull=False).values("organization_id")
    for organization_id in Organization.objects.filter(pk__in=published).values_list("pk", flat=True):
        organization = Organization.objects.get(pk=organization_id)
        try:
            learnings.refresh_learnings(organization)
        except Exception:  # one organization's odd data must not stop the others' learnings
            logger.exception("analytics: learnings of %s not refreshed", organization_id)


@periodic("analytics.feed_kpis", every=dt.timedelta(hours=1))
def feed_kpis() -> None:
    """Record the current value of every running KPI that analytics measures."""
    recorded = goals.feed_all()
    if recorded:
        logger.info("analytics: %s KPI measurements recorded", recorded)
