"""Turning a time typed in the organization's time zone into the UTC instant stored on a post.

Daylight-saving rules, documented once here:
- a wall time that does not exist (clocks jump forward, e.g. 2026-03-29 02:30 in Europe/Stockholm) is
  refused with a message that says so;
- a wall time that happens twice (clocks go back, e.g. 2026-10-25 02:30) is taken as the first of the
  two (still summer time), which is what the calendar shows first and what a person most often means.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def local_to_utc(local: dt.datetime, time_zone: str) -> dt.datetime:
    """The UTC instant of a naive wall-clock time in `time_zone`; aware times are only converted."""
    if timezone.is_aware(local):
        return local.astimezone(dt.UTC)
    zone = zoneinfo.ZoneInfo(time_zone)
    first = local.replace(tzinfo=zone, fold=0)
    # A wall time that does not exist does not survive the round trip through UTC.
    if first.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks skip that hour for daylight saving time. "
                "Choose another time."
            )
            % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": time_zone},
            code="nonexistent_time",
        )
    return first.astimezone(dt.UTC)


def parse_local(value: str, time_zone: str) -> dt.datetime | None:
    """`"2026-05-04T09:30"` (as a datetime-local input sends it) in the zone → aware UTC, or None if blank."""
    value = value.strip()
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("Enter a date and time such as 2026-05-04 09:30."), code="invalid_time"
        ) from None
    return local_to_utc(parsed, time_zone)


def require_future(at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Refuse a publishing time that has already passed."""
    if at <= (now or timezone.now()):
        raise ValidationError(
            _("The scheduled time has already passed. Choose a time in the future."), code="in_the_past"
        )
