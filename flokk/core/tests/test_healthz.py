"""`/healthz` answers with the database status and the worker's last heartbeat."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from flokk.core.models import WorkerHeartbeat
from flokk.core.worker import start_heartbeat


@pytest.mark.django_db
def test_healthz_without_a_worker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "worker_seen_seconds_ago": None}


@pytest.mark.django_db
def test_healthz_reports_the_newest_heartbeat(client):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="old", seen_at=now - timedelta(minutes=10))
    WorkerHeartbeat.objects.create(worker_id="new", seen_at=now - timedelta(seconds=3))
    seen = client.get("/healthz").json()["worker_seen_seconds_ago"]
    assert 3 <= seen <= 5


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_reports_in(client):
    stop = threading.Event()
    thread = start_heartbeat("test-worker", stop, interval=0.05)
    try:
        for _ in range(100):
            if WorkerHeartbeat.objects.filter(worker_id="test-worker").exists():
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert client.get("/healthz").json()["worker_seen_seconds_ago"] == 0
