"""The publishing loop each worker runs beside its task queue: plan, claim, call the networks, record.

Several workers (on several machines) can run it at once: claims never overlap, and a worker that dies
leaves leases that expire and attempts that are reconciled, never repeated blindly.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from flokk.publishing.engine import run_jobs_sync
from flokk.publishing.services.claiming import claim_jobs
from flokk.publishing.services.outcomes import record_results
from flokk.publishing.services.planning import plan_due_deliveries

logger = logging.getLogger(__name__)


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.FLOKK_PUBLISH_LEASE_SECONDS)


def dispatch_once(worker: str, *, batch_size: int | None = None) -> int:
    """One round: create due deliveries, take a batch, publish it, record the outcomes. Returns the count."""
    plan_due_deliveries()
    limit = batch_size or settings.FLOKK_PUBLISH_BATCH_SIZE
    jobs = claim_jobs(timezone.now(), worker=worker, limit=limit, lease=lease())
    if not jobs:
        return 0
    results = run_jobs_sync(jobs)
    record_results(results, timezone.now())
    return len(jobs)


def dispatch_until_idle(worker: str, *, batch_size: int | None = None, max_rounds: int = 1000) -> int:
    """Rounds until nothing is due (for tests, commands and the benchmark); returns the total handled."""
    total = 0
    for _ in range(max_rounds):
        handled = dispatch_once(worker, batch_size=batch_size)
        if handled == 0:
            break
        total += handled
    return total


def start_dispatcher(
    worker: str, stop: threading.Event, poll_seconds: float | None = None
) -> threading.Thread:
    """Run publishing rounds in a daemon thread until `stop`; sleep `poll_seconds` when nothing is due."""
    interval = poll_seconds if poll_seconds is not None else settings.FLOKK_PUBLISH_POLL_SECONDS

    def loop() -> None:
        while not stop.is_set():
            handled = 0
            try:
                close_old_connections()
                handled = dispatch_once(worker)
            except Exception:  # the database is briefly away, say: log, wait, go on
                logger.exception("publishing round failed")
            if handled == 0:
                stop.wait(interval)
        connection.close()

    thread = threading.Thread(target=loop, name="flokk-publishing", daemon=True)
    thread.start()
    return thread
