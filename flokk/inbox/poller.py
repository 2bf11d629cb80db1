"""The worker's inbox loop: poll the accounts that are due and send the answers that are queued."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from flokk.inbox.services.polling import poll_once
from flokk.inbox.services.replies import send_due_answers

logger = logging.getLogger(__name__)
IDLE_SECONDS = 1.0


def start_inbox_poller(stop: threading.Event, idle_seconds: float = IDLE_SECONDS) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            busy = 0
            try:
                close_old_connections()
                busy = poll_once() + send_due_answers()
            except Exception:  # the database is briefly away, say: log, wait, go on
                logger.exception("inbox round failed")
            if not busy:
                stop.wait(idle_seconds)
        connection.close()

    thread = threading.Thread(target=loop, name="flokk-inbox", daemon=True)
    thread.start()
    return thread
