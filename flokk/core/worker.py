"""The background worker: django-tasks-db's worker plus a heartbeat `/healthz` can read."""

from __future__ import annotations

import logging
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from flokk.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now()})


def start_heartbeat(
    worker_id: str, stop: threading.Event, interval: float = HEARTBEAT_SECONDS
) -> threading.Thread:
    """Write a heartbeat now and then every `interval` seconds until `stop` is set."""

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                beat(worker_id)
            except Exception:  # a missed beat shows in /healthz; the worker keeps running
                logger.exception("worker heartbeat failed")
            stop.wait(interval)
        connection.close()

    thread = threading.Thread(target=loop, name="flokk-heartbeat", daemon=True)
    thread.start()
    return thread


def default_worker_id() -> str:
    return f"{socket.gethostname()}-{threading.get_native_id()}"[:64]
