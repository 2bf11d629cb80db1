"""What the public said: first-response times (the inbox's own report) and the share of negative messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncDate

from flokk.analytics.services.dashboard.common import Period, zone_of
from flokk.inbox.choices import Direction, Sentiment
from flokk.inbox.models import Message
from flokk.inbox.services import reports
from flokk.teams.models import Organization


def response_times(organization: Organization, period: Period) -> dict[str, list[reports.ResponseRow]]:
    """First-response figures of conversations that started in the period (the inbox's own report)."""
    since, until = period.bounds(zone_of(organization))
    return reports.response_times(organization, since, until)


@dataclass(frozen=True)
class DayShare:
    day: dt.date
    messages: int  # inbound messages whose sentiment is known
    negative: int

    @property
    def share(self) -> float | None:
        return self.negative / self.messages if self.messages else None


def negative_share(organization: Organization, period: Period) -> list[DayShare]:
    """Per day, the share of inbound messages (of those with a known sentiment) that were negative.

    One query, counted in the database on the (organization, received_at) index.
    """
    zone = zone_of(organization)
    since, until = period.bounds(zone)
    rows = (
        Message.objects.filter(organization=organization, received_at__gte=since, received_at__lt=until)
        .filter(direction=Direction.INBOUND)
        .exclude(sentiment="")
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(messages=Count("pk"), negative=Count("pk", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .order_by()
    )
    counted = {row["day"]: (row["messages"], row["negative"]) for row in rows}
    return [DayShare(day, *counted.get(day, (0, 0))) for day in period.dates()]
