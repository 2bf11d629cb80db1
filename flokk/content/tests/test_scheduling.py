"""Scheduled times: typed in the organization's zone, stored in UTC; past and non-existent times refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from flokk.content.services.scheduling import local_to_utc, parse_local, require_future

STOCKHOLM = "Europe/Stockholm"


def test_local_time_is_stored_in_utc():
    assert local_to_utc(dt.datetime(2026, 6, 1, 9, 0), STOCKHOLM) == dt.datetime(
        2026, 6, 1, 7, 0, tzinfo=dt.UTC
    )
    assert local_to_utc(dt.datetime(2026, 1, 1, 9, 0), STOCKHOLM) == dt.datetime(
        2026, 1, 1, 8, 0, tzinfo=dt.UTC
    )


def test_time_skipped_by_daylight_saving_is_refused_clearly():
    with pytest.raises(ValidationError) as caught:
        local_to_utc(dt.datetime(2026, 3, 29, 2, 30), STOCKHOLM)
    assert caught.value.code == "nonexistent_time"
    assert "does not exist" in caught.value.messages[0]
    assert "2026-03-29 02:30" in caught.value.messages[0]


def test_time_that_happens_twice_takes_the_first():
    # 02:30 on 2026-10-25 happens in summer time (UTC+2) and again in winter time (UTC+1): the first wins.
    assert local_to_utc(dt.datetime(2026, 10, 25, 2, 30), STOCKHOLM) == dt.datetime(
        2026, 10, 25, 0, 30, tzinfo=dt.UTC
    )


def test_parse_local_from_a_datetime_input():
    assert parse_local("2026-06-01T09:30", STOCKHOLM) == dt.datetime(2026, 6, 1, 7, 30, tzinfo=dt.UTC)
    assert parse_local("", STOCKHOLM) is None
    with pytest.raises(ValidationError):
        parse_local("next tuesday", STOCKHOLM)


def test_the_past_is_refused():
    now = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as caught:
        require_future(now - dt.timedelta(minutes=1), now)
    assert "already passed" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        require_future(now, now)
    require_future(now + dt.timedelta(minutes=1), now)
