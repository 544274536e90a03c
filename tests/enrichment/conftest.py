"""A real Celery worker on Redis for the delivery tests, started with the environment a test needs (threads
pool, provider doubles, latencies) and killable mid-run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from gtmos.env import database_url


class Worker:
    def __init__(self, env_overrides: dict, include: tuple[str, ...] = ()):
        db = settings.DATABASES["default"]
        self.name = f"swarm-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "gtmos.settings.test",
            "DATABASE_URL": database_url(db),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DATABASE_CONN_MAX_AGE": "0",
            "DATABASE_POOL_IDLE": "4",  # as docker-compose runs the swarm workers
            **env_overrides,
        }
        args = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "gtmos",
            "worker",
            "-Q",
            "celery,swarm,swarm_async",
            "--pool",
            "threads",
            "--concurrency",
            "8",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"{self.name}@%h",
        ]
        for module in include:
            args += ["--include", module]
        self.proc = subprocess.Popen(args, env=env, cwd=settings.BASE_DIR)
        self._wait_ready()

    def _wait_ready(self):
        from gtmos.celery import app

        deadline = time.monotonic() + 90  # start-up, not speed: a busy shared machine can take a while
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=0.5)
            if any(f"{self.name}@" in name for reply in replies for name in reply):
                return
            if self.proc.poll() is not None:
                raise RuntimeError("the Celery worker exited during start-up")
        self.proc.kill()
        raise RuntimeError("the Celery worker did not answer a ping within 90 s")

    def sigkill(self):
        self.proc.kill()  # SIGKILL: no warm shutdown, no acks, threads die mid-task
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _purge():
    from gtmos.celery import app

    app.control.purge()
    with app.connection_for_write() as conn:
        for queue in (settings.SWARM_QUEUE, settings.SWARM_ASYNC_QUEUE):
            conn.default_channel.queue_purge(queue)


@pytest.fixture
def swarm_worker(django_db_setup, django_db_blocker):
    _purge()
    started: list[Worker] = []

    def start(env: dict | None = None, include: tuple[str, ...] = ()) -> Worker:
        worker = Worker(env or {}, include)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    _purge()


def wait_for(predicate, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
