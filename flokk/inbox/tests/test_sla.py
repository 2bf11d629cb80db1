"""Response-time targets in business hours: weekends, evenings, holidays and DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from flokk.inbox.services.sla import DEFAULT_HOURS, BusinessCalendar, SlaClock, Targets

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)


def calendar(holidays: frozenset[dt.date] = frozenset()) -> BusinessCalendar:
    return BusinessCalendar(STOCKHOLM, DEFAULT_HOURS, holidays)


def test_time_inside_opening_hours_counts_as_is() -> None:
    assert calendar().add(local(2026, 11, 24, 9, 0), 60) == local(2026, 11, 24, 10, 0)


def test_friday_evening_waits_for_monday_morning() -> None:
    friday_evening = local(2026, 11, 27, 19, 0)
    assert calendar().add(friday_evening, 60) == local(2026, 11, 30, 9, 0)


def test_time_runs_over_the_closing_hour_into_the_next_day() -> None:
    assert calendar().add(local(2026, 11, 24, 16, 30), 60) == local(2026, 11, 25, 8, 30)


def test_holidays_do_not_count() -> None:
    christmas_eve = dt.date(2026, 12, 24)
    christmas = dt.date(2026, 12, 25)
    due = calendar(frozenset({christmas_eve, christmas})).add(local(2026, 12, 23, 16, 0), 120)
    assert due == local(2026, 12, 28, 9, 0)


def test_opening_hours_follow_the_wall_clock_across_dst() -> None:
    # Sunday 29 March 2026 the clocks go forward; Monday still opens at 08:00 local time.
    due = calendar().add(local(2026, 3, 27, 16, 0), 120)
    assert due == local(2026, 3, 30, 9, 0)
    assert due.astimezone(dt.UTC).hour == 7


def test_elapsed_counts_only_open_time() -> None:
    start, end = local(2026, 11, 27, 16, 0), local(2026, 11, 30, 10, 0)  # Friday 16:00 to Monday 10:00
    assert calendar().elapsed(start, end) == dt.timedelta(hours=3)
    assert calendar().elapsed(end, start) == dt.timedelta()


@pytest.mark.parametrize("minutes", [1, 59, 540, 541, 5000])
def test_add_and_elapsed_agree(minutes: int) -> None:
    start = local(2026, 11, 26, 13, 17)
    due = calendar().add(start, minutes)
    assert calendar().elapsed(start, due) == dt.timedelta(minutes=minutes)


def test_clock_time_policies_ignore_opening_hours() -> None:
    clock = SlaClock(calendar(), {"urgent": Targets(30, 240, business_hours_only=False)})
    saturday_night = local(2026, 11, 28, 23, 0)
    assert clock.due("urgent", saturday_night).first_response_at == local(2026, 11, 28, 23, 30)


def test_warning_comes_at_the_policy_share_of_the_time() -> None:
    clock = SlaClock(calendar(), {"normal": Targets(60, 600, warn_at_percent=75)})
    start = local(2026, 11, 24, 9, 0)
    assert clock.warn_at("normal", start, local(2026, 11, 24, 10, 0)) == local(2026, 11, 24, 9, 45)
