"""Periodic jobs (reminders, health checks, due posts) run by the background workers, once per period.

Apps declare jobs in their `tasks.py` with `@periodic("name", every=timedelta(...))`. Each worker runs a
scheduler thread that, every few seconds, claims the jobs that are due: a job runs only in the worker whose
conditional UPDATE moved its `next_run_at` forward, so several workers never run the same period twice.
A job must be quick and idempotent; heavy work belongs in tasks it enqueues.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from flokk.core.models import PeriodicJobRun

logger = logging.getLogger(__name__)
SCHEDULER_SECONDS = 5.0


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: dt.timedelta
    run: Callable[[], object]


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, every: dt.timedelta) -> Callable[[Callable[[], object]], Callable[[], object]]:
    """Register the decorated function as the periodic job `name`, run about every `every`."""

    def register(function: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = PeriodicJob(name=name, every=every, run=function)
        return function

    return register


def claim(job: PeriodicJob, now: dt.datetime) -> bool:
    """True in exactly one caller per period: the one whose update moved the job's next run forward."""
    PeriodicJobRun.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    return (
        PeriodicJobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
            next_run_at=now + job.every, last_started_at=now
        )
        == 1
    )


def run_due_jobs(now: dt.datetime | None = None) -> list[str]:
    """Run every registered job that is due and not claimed by another worker; returns the names run."""
    now = now or timezone.now()
    ran: list[str] = []
    for job in list(JOBS.values()):
        if not claim(job, now):
            continue
        error = ""
        try:
            job.run()
        except Exception as exc:  # one failing job must not stop the others or the scheduler
            logger.exception("periodic job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        PeriodicJobRun.objects.filter(name=job.name).update(last_error=error)
        ran.append(job.name)
    return ran


def discover_jobs() -> None:
    """Import every app's `tasks` module so its `@periodic` jobs register."""
    autodiscover_modules("tasks")


def start_scheduler(stop: threading.Event, interval: float = SCHEDULER_SECONDS) -> threading.Thread:
    """Run due jobs every `interval` seconds in a daemon thread until `stop` is set."""
    discover_jobs()

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                run_due_jobs()
            except Exception:  # e.g. the database is briefly away; try again next round
                logger.exception("periodic scheduler round failed")
            stop.wait(interval)
        connection.close()

    thread = threading.Thread(target=loop, name="flokk-periodic", daemon=True)
    thread.start()
    return thread
