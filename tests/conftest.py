"""Shared fixtures. Every test runs on PostgreSQL and Redis (gtmos/settings/test.py says which ones)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from gtmos.core import clock
from gtmos.env import database_url


@pytest.fixture(autouse=True)
def _reset_clock():
    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture
def frozen_clock():
    """Freeze the injectable clock at a fixed Monday morning; tests move it with clock.advance()."""
    import datetime as dt

    with clock.frozen(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)):
        yield clock


@pytest.fixture
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real Celery worker on Redis, in its own process, using the test database."""
    from gtmos.celery import app

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gtmos.settings.test",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "gtmos",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            f"test-{os.getpid()}@%h",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=0.5)
        if any(f"test-{os.getpid()}@" in name for reply in replies for name in reply):
            break
        if proc.poll() is not None:
            raise RuntimeError("the Celery worker exited during start-up")
    else:
        proc.kill()
        raise RuntimeError("the Celery worker did not answer a ping within 30 s")
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
