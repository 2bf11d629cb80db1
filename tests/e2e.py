"""A whole Flokk in child processes, on its own database, for end-to-end tests: `flokk up`, `flokk worker`.

On the PostgreSQL run of the suite (DATABASE_URL set to postgres) it creates a throwaway database on the
same server and drops it afterwards; otherwise it uses a fresh SQLite file in a temporary directory. Tests
talk to it through the API like any client, and may kill and restart its worker.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from PIL import Image


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def png(color: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), color).save(buffer, format="PNG")
    return buffer.getvalue()


@contextmanager
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh empty database: a new PostgreSQL database when the suite runs on PostgreSQL, else SQLite."""
    outer = os.environ.get("DATABASE_URL", "")
    if not outer.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        return
    import psycopg

    name = f"flokk_e2e_{uuid.uuid4().hex[:10]}"
    base, _, _ = outer.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Flokk:
    """Commands, the web server + worker (`up`), extra workers, and API clients for one environment."""

    def __init__(self, tmp_path: Path, database: str, **settings: str) -> None:
        clean = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "FLOKK_"))
        }
        self.port = free_port()
        self.env = {
            **clean,
            "FLOKK_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": database,
            "PORT": str(self.port),
            "FLOKK_PUBLISH_POLL_SECONDS": "0.5",
            **settings,
        }
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen[str]] = []
        self.logs = tmp_path

    def run(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flokk", *args], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def prepare(self) -> None:
        self.run("migrate", "--noinput")
        self.run("demo", "--if-empty")

    def token(self, email: str) -> str:
        return self.run("token", "create", email).strip().splitlines()[-1]

    def api(self, email: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base}/api/v1/orgs/demo/",
            headers={"Authorization": f"Bearer {self.token(email)}"},
            timeout=60,
        )

    def start(self, *args: str, name: str) -> subprocess.Popen[str]:
        log = open(self.logs / f"{name}-{len(self.processes)}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "flokk", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def up(self) -> None:
        """Web server and worker together, as `make run` starts them; returns when both answer."""
        self.start("up", name="up")
        for _ in range(240):
            time.sleep(0.25)
            try:
                health = httpx.get(f"{self.base}/healthz", timeout=2).json()
            except (httpx.HTTPError, json.JSONDecodeError):
                continue
            if health.get("worker_seen_seconds_ago") is not None:
                return
        raise AssertionError("flokk up did not come up: " + self.output())

    def web_only(self) -> None:
        self.start("runserver", "--noreload", f"127.0.0.1:{self.port}", name="web")
        for _ in range(240):
            time.sleep(0.25)
            try:
                httpx.get(f"{self.base}/healthz", timeout=2)
                return
            except httpx.HTTPError:
                continue
        raise AssertionError("the web server did not come up: " + self.output())

    def output(self) -> str:
        return "\n".join(path.read_text()[-3000:] for path in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def schedule_post(
    writer: httpx.Client, approver: httpx.Client, *, text: str, account_ids: list[str], at: str, **extra: Any
) -> str:
    """Create, submit and approve a post through the API; returns its id (status `scheduled`)."""
    created = writer.post(
        "posts", json={"text": text, "account_ids": account_ids, "scheduled_at": at, **extra}
    )
    assert created.status_code == 201, created.text
    post_id = str(created.json()["id"])
    assert writer.post(f"posts/{post_id}/submit").status_code == 200
    approved = approver.post(f"posts/{post_id}/approve", json={})
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "scheduled", approved.text
    return post_id
