"""End to end with a real Celery worker on Redis: the task runs in another process and writes the log."""

import time
import uuid

import pytest

from gtmos.audit.models import Event
from gtmos.audit.tasks import heartbeat, record_worker_ping


def _wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_task_end_to_end_and_a_duplicate_delivery_changes_nothing(celery_worker_process):
    token = uuid.uuid4().hex
    first = record_worker_ping.delay(token=token)
    second = record_worker_ping.delay(token=token)  # at-least-once delivery: the same work twice
    assert first.get(timeout=30) == second.get(timeout=30)
    assert Event.objects.filter(type="system.worker_ping", payload__token=token).count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_beat_job_runs_on_the_worker(celery_worker_process, frozen_clock):
    heartbeat.delay().get(timeout=30)
    assert _wait_for(lambda: Event.objects.filter(type="system.heartbeat").exists())


@pytest.mark.django_db
def test_heartbeat_twice_in_the_same_minute_writes_one_row(frozen_clock):
    heartbeat()
    heartbeat()
    assert Event.objects.filter(type="system.heartbeat").count() == 1
