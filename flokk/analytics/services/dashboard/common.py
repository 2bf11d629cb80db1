"""What the dashboard's parts share: the period of the organization's own days, its time zone, the kinds
of events each figure counts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from flokk.analytics.choices import ENGAGEMENT_KINDS, EventKind
from flokk.channels.networks import Network
from flokk.teams.models import Organization

ENGAGEMENTS = tuple(str(kind) for kind in ENGAGEMENT_KINDS)
CLICKS = (str(EventKind.LINK_CLICK), str(EventKind.CLICK))
IMPRESSION = str(EventKind.IMPRESSION)
FOLLOWER = str(EventKind.FOLLOWER)
CONVERSION = str(EventKind.CONVERSION)


@dataclass(frozen=True)
class Period:
    """Days of the organization's calendar from `start` up to, not including, `end`."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start)

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=n) for n in range(self.days)]

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware instants: local midnight of `start` and of `end`."""
        return (
            dt.datetime.combine(self.start, dt.time(), tzinfo=zone),
            dt.datetime.combine(self.end, dt.time(), tzinfo=zone),
        )

    @classmethod
    def last_days(cls, days: int, today: dt.date) -> Period:
        """The `days` days up to and including `today`."""
        return cls(today - dt.timedelta(days=days - 1), today + dt.timedelta(days=1))


def zone_of(organization: Organization) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(organization.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    return (now or dt.datetime.now(dt.UTC)).astimezone(zone_of(organization)).date()


def rate(engagements: int, impressions: int) -> float | None:
    return engagements / impressions if impressions > 0 else None


def network_label(network: str) -> str:
    if network in Network.values:
        return str(Network(network).label)
    return network or _("No network")
