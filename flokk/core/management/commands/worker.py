"""`flokk worker`: runs background tasks (django-tasks-db) and periodic jobs, and reports a heartbeat."""

from __future__ import annotations

import threading
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from flokk.core.periodic import start_scheduler
from flokk.core.worker import default_worker_id, start_heartbeat
from flokk.inbox.poller import start_inbox_poller
from flokk.publishing.dispatcher import start_dispatcher


class Command(BaseCommand):
    help = "Run the background worker (all queues and periodic jobs) with a heartbeat for /healthz."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between polls for new tasks."
        )

    def handle(self, *args: Any, interval: float, **options: Any) -> None:
        worker_id = default_worker_id()
        stop = threading.Event()
        start_heartbeat(worker_id, stop)
        start_scheduler(stop)
        start_dispatcher(worker_id, stop)
        start_inbox_poller(stop)
        try:
            call_command(
                "db_worker",
                queue_name="*",
                interval=interval,
                worker_id=worker_id,
                reload=False,
                verbosity=options.get("verbosity", 1),
            )
        finally:
            stop.set()
