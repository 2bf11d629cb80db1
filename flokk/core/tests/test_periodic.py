"""Periodic jobs run once per period, even when several workers ask at the same moment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from flokk.core import periodic
from flokk.core.models import PeriodicJobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted_job(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(periodic, "JOBS", {})
    periodic.periodic("test.count", every=dt.timedelta(minutes=10))(lambda: calls.append(1))
    return calls


def test_a_due_job_runs_once_per_period(counted_job: list[int]) -> None:
    now = timezone.now()
    assert periodic.run_due_jobs(now) == ["test.count"]
    # A second worker asking at the same moment, and the first one a minute later, find nothing due.
    assert periodic.run_due_jobs(now) == []
    assert periodic.run_due_jobs(now + dt.timedelta(minutes=1)) == []
    assert periodic.run_due_jobs(now + dt.timedelta(minutes=10)) == ["test.count"]
    assert counted_job == [1, 1]


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(periodic, "JOBS", {})
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("network down")

    periodic.periodic("test.broken", every=dt.timedelta(minutes=1))(broken)
    periodic.periodic("test.fine", every=dt.timedelta(minutes=1))(lambda: ran.append("fine"))
    assert sorted(periodic.run_due_jobs()) == ["test.broken", "test.fine"]
    assert ran == ["fine"]
    assert PeriodicJobRun.objects.get(name="test.broken").last_error == "RuntimeError: network down"
    assert PeriodicJobRun.objects.get(name="test.fine").last_error == ""
