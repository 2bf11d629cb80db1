"""What the public said: first-response times (the inbox's own report) and the share of negative messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum

from flokk.analytics.choices import EventKind
from flokk.analytics.models import OrganizationDailyRollup
from flokk.analytics.services.dashboard.common import Period, zone_of
from flokk.inbox.services import reports
from flokk.teams.models import Organization


def response_times(organization: Organization, period: Period) -> dict[str, list[reports.ResponseRow]]:
    """First-response figures of conversations that started in the period (the inbox's own report)."""
    since, until = period.bounds(zone_of(organization))
    return reports.response_times(organization, since, until)


MESSAGE_KINDS = (str(EventKind.MESSAGE), str(EventKind.NEGATIVE_MESSAGE))


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

    One query on the organization's daily rollup: the inbox counts its messages into it as it stores them.
    """
    rows = (
        OrganizationDailyRollup.objects.filter(
            organization=organization, day__gte=period.start, day__lt=period.end, kind__in=MESSAGE_KINDS
        )
        .values("day")
        .annotate(
            messages=Sum("total", filter=Q(kind=EventKind.MESSAGE), default=0),
            negative=Sum("total", filter=Q(kind=EventKind.NEGATIVE_MESSAGE), default=0),
        )
        .order_by()
    )
    counted = {row["day"]: (row["messages"], row["negative"]) for row in rows}
    return [DayShare(day, *counted.get(day, (0, 0))) for day in period.dates()]
