"""Response-time targets counted in the organization's business hours, minus its holidays.

`SlaClock.for_org` reads the policies, hours and holidays once; ingest then computes due times for a whole
batch without touching the database. Arithmetic runs in UTC on intervals built in the organization's time
zone, so a DST change moves the opening hours with the wall clock, as people expect.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flokk.inbox.choices import Priority
from flokk.inbox.models import BusinessHours, Holiday, SlaPolicy
from flokk.teams.models import Organization

# Used until the organization sets its own: weekdays 08-17.
DEFAULT_HOURS = {weekday: (dt.time(8), dt.time(17)) for weekday in range(5)}


@dataclass(frozen=True)
class Targets:
    first_response_minutes: int
    resolution_minutes: int
    business_hours_only: bool = True
    warn_at_percent: int = 75


DEFAULT_TARGETS = {
    Priority.URGENT: Targets(30, 4 * 60, business_hours_only=False),
    Priority.HIGH: Targets(60, 8 * 60),
    Priority.NORMAL: Targets(4 * 60, 24 * 60),
    Priority.LOW: Targets(8 * 60, 48 * 60),
}


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    hours: dict[int, tuple[dt.time, dt.time]]
    holidays: frozenset[dt.date]

    def _open_interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if day in self.holidays or day.weekday() not in self.hours:
            return None
        opens, closes = self.hours[day.weekday()]
        start = dt.datetime.combine(day, opens, self.zone).astimezone(dt.UTC)
        end = dt.datetime.combine(day, closes, self.zone).astimezone(dt.UTC)
        return (start, end) if start < end else None

    def add(self, start: dt.datetime, minutes: int) -> dt.datetime:
        """The moment `minutes` of open time after `start`."""
        remaining = dt.timedelta(minutes=minutes)
        day = start.astimezone(self.zone).date()
        for _ in range(800):  # two years of days: enough for any target over any run of holidays
            interval = self._open_interval(day)
            if interval is not None:
                begin = max(start, interval[0])
                if begin < interval[1]:
                    if remaining <= interval[1] - begin:
                        return begin + remaining
                    remaining -= interval[1] - begin
            day += dt.timedelta(days=1)
        return start + dt.timedelta(minutes=minutes)  # never open: count clock time

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Open time between `start` and `end` (zero when end is earlier)."""
        total = dt.timedelta()
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            interval = self._open_interval(day)
            if interval is not None:
                begin, finish = max(start, interval[0]), min(end, interval[1])
                if begin < finish:
                    total += finish - begin
            day += dt.timedelta(days=1)
        return total


@dataclass(frozen=True)
class Due:
    first_response_at: dt.datetime
    resolution_at: dt.datetime


class SlaClock:
    def __init__(self, calendar: BusinessCalendar, targets: dict[str, Targets]) -> None:
        self.calendar = calendar
        self.targets = targets

    @classmethod
    def for_org(cls, organization: Organization) -> SlaClock:
        rows = BusinessHours.objects.filter(organization=organization)
        hours = {row.weekday: (row.opens, row.closes) for row in rows} or DEFAULT_HOURS
        holidays = frozenset(Holiday.objects.filter(organization=organization).values_list("date", flat=True))
        targets: dict[str, Targets] = {str(priority): value for priority, value in DEFAULT_TARGETS.items()}
        for policy in SlaPolicy.objects.filter(organization=organization):
            targets[policy.priority] = Targets(
                policy.first_response_minutes,
                policy.resolution_minutes,
                policy.business_hours_only,
                policy.warn_at_percent,
            )
        return cls(BusinessCalendar(ZoneInfo(organization.time_zone), hours, holidays), targets)

    def _add(self, start: dt.datetime, minutes: int, business: bool) -> dt.datetime:
        return self.calendar.add(start, minutes) if business else start + dt.timedelta(minutes=minutes)

    def due(self, priority: str, start: dt.datetime) -> Due:
        targets = self.targets[priority]
        return Due(
            self._add(start, targets.first_response_minutes, targets.business_hours_only),
            self._add(start, targets.resolution_minutes, targets.business_hours_only),
        )

    def warn_at(self, priority: str, start: dt.datetime, due: dt.datetime) -> dt.datetime:
        """When the warning goes out: `warn_at_percent` of the way from start to due."""
        return start + (due - start) * (self.targets[priority].warn_at_percent / 100)

    def response_time(self, priority: str, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """How long an answer took, counted as the policy counts it."""
        if self.targets[priority].business_hours_only:
            return self.calendar.elapsed(start, end)
        return end - start
