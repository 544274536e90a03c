"""Messages sent together after commit: one on_commit for the block, nothing if it rolls back, and on a real
Redis broker every message of a batch arrives (a failed batch is sent again one by one)."""

import uuid

import pytest
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError

from enrichment import outbox
from enrichment.tasks import agent_run, run_deadline


class Recorder:
    def __init__(self):
        self.sent = []

    def apply_async(self, **options):
        self.sent.append(options)


@pytest.mark.django_db
def test_messages_of_a_block_go_out_together_after_commit(django_capture_on_commit_callbacks):
    task = Recorder()
    with django_capture_on_commit_callbacks() as callbacks:
        with outbox.together():
            for n in range(4):
                outbox.send_after_commit(task, kwargs={"n": n})
        assert task.sent == []
    assert len(callbacks) == 1  # one publish for the four
    assert [options["kwargs"]["n"] for _, options in callbacks[0].args[0]] == [0, 1, 2, 3]


@pytest.mark.django_db
def test_a_block_that_raises_sends_nothing(django_capture_on_commit_callbacks):
    task = Recorder()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            with outbox.together():
                outbox.send_after_commit(task, kwargs={})
                raise RuntimeError("rolled back")
        outbox.send_after_commit(task, kwargs={"after": True})  # outside a block: on its own
    assert len(callbacks) == 1 and callbacks[0].args[0][0][1] == {"kwargs": {"after": True}}


@pytest.mark.django_db
def test_a_rolled_back_savepoint_drops_its_block(django_capture_on_commit_callbacks):
    task = Recorder()
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            with outbox.together():
                outbox.send_after_commit(task, kwargs={})
            raise RuntimeError("savepoint rolled back after the block")
    assert callbacks == []  # registered where the single sends were: it went with the savepoint


def _queue_length(app, queue):
    with app.connection_for_write() as conn:
        return conn.default_channel.client.llen(queue)


@pytest.fixture
def broker_queue():
    from gtmos.celery import app

    queue = f"outbox-test-{uuid.uuid4().hex[:8]}"
    yield app, queue
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete(queue)


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs the Redis broker")
def test_a_batch_reaches_the_broker_whole(broker_queue):
    app, queue = broker_queue
    due = "2026-01-01T00:00:00+00:00"
    outbox._publish(
        [
            *((agent_run, {"kwargs": {"job_id": -n, "attempt": 1, "due_at": due}, "queue": queue}) for n in range(4)),
            (run_deadline, {"kwargs": {"run_id": "r"}, "countdown": 3, "queue": queue}),
        ]
    )
    assert _queue_length(app, queue) == 5


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis"), reason="needs the Redis broker")
def test_a_failed_batch_is_sent_again_one_by_one(broker_queue, monkeypatch):
    app, queue = broker_queue
    from kombu.messaging import Producer

    def broken(self, *args, **kwargs):
        raise OperationalError("the pipeline failed: delivery is uncertain")

    monkeypatch.setattr(Producer, "batch", broken)
    due = "2026-01-01T00:00:00+00:00"
    outbox._publish(
        [(agent_run, {"kwargs": {"job_id": -n, "attempt": 1, "due_at": due}, "queue": queue}) for n in range(3)]
    )
    assert _queue_length(app, queue) == 3
