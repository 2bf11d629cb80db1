"""`flokk up`: the web server and the background worker together. Ctrl-C stops both."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server (http://127.0.0.1:$PORT, default 8000) and the background worker together."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, port: str, host: str, **options: Any) -> None:
        flokk = [sys.executable, "-m", "flokk"]
        processes = [
            subprocess.Popen([*flokk, "worker"]),  # noqa: S603  (our own interpreter and command)
            subprocess.Popen([*flokk, "runserver", "--noreload", f"{host}:{port}"]),  # noqa: S603
        ]
        self.stdout.write(
            f"Flokk is up on http://{host}:{port}/ (Ctrl-C stops the web server and the worker)"
        )

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
            self.stderr.write("A Flokk process stopped; stopping the others.")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
