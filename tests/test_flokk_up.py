"""`make run`'s last steps on a fresh data directory: migrate, seed the demo, `flokk up`, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, **headers: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (loopback only)
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status, response.read().decode()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return {**clean, "FLOKK_VAR_DIR": str(tmp_path / "var"), "PORT": str(free_port())}


def flokk(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flokk", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def test_flokk_up_serves_the_app_and_the_worker_until_interrupted(env):
    flokk(env, "migrate", "--noinput")
    seeded = flokk(env, "demo", "--if-empty").stdout
    assert "social-media-manager@demo.example" in seeded and "Password for all demo users" in seeded
    token = flokk(env, "token", "create", "social-media-manager@demo.example").stdout.strip().splitlines()[-1]

    base = f"http://127.0.0.1:{env['PORT']}"
    up = subprocess.Popen(
        [sys.executable, "-m", "flokk", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health = None
        for _ in range(120):
            time.sleep(0.5)
            try:
                health = json.loads(fetch(f"{base}/healthz")[1])
            except OSError:
                continue
            if health["worker_seen_seconds_ago"] is not None:
                break
        assert health is not None and health["database"] == "ok"
        assert health["worker_seen_seconds_ago"] is not None, "the worker never reported in"

        for language, heading in [("sv", "Logga in"), ("da", "Log ind"), ("nb", "Logg inn")]:
            status, body = fetch(f"{base}/login/", **{"Accept-Language": language})
            assert status == 200 and f"<h1>{heading}</h1>" in body

        status, body = fetch(f"{base}/api/v1/me", Authorization=f"Bearer {token}")
        assert status == 200 and json.loads(body)["email"] == "social-media-manager@demo.example"
    finally:
        os.killpg(up.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        output, _ = up.communicate(timeout=30)
    assert up.returncode is not None
    assert "Flokk is up on" in output
