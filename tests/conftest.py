"""Shared fixtures. Tests needing PostgreSQL or Redis are marked and skipped, loudly, when missing."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings

from gtmos.core import clock


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(reason="PostgreSQL not reachable at 127.0.0.1:5432 (SQLite subset)")
    skip_redis = pytest.mark.skip(reason="Redis not reachable at 127.0.0.1:6379")
    for item in items:
        if "postgres" in item.keywords and not settings.POSTGRES_AVAILABLE:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not (settings.REDIS_AVAILABLE and settings.POSTGRES_AVAILABLE):
            item.add_marker(skip_redis)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if settings.MISSING_SERVICES:
        skipped = len(terminalreporter.stats.get("skipped", []))
        terminalreporter.write_sep("!", "SERVICES MISSING", red=True, bold=True)
        terminalreporter.write_line(
            f"{', '.join(settings.MISSING_SERVICES)} not reachable: ran the SQLite subset; "
            f"{skipped} test(s) skipped. Set GTMOS_REQUIRE_SERVICES=1 to make this a failure.",
            red=True,
        )


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

    db_name = settings.DATABASES["default"]["NAME"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gtmos.settings.test",
        "DATABASE_URL": f"postgres://{settings.DATABASES['default'].get('USER') or 'postgres'}@"
        f"{settings.DATABASES['default'].get('HOST') or '127.0.0.1'}:"
        f"{settings.DATABASES['default'].get('PORT') or 5432}/{db_name}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    app.control.purge()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "gtmos", "worker", "--pool", "solo", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--hostname", f"test-{os.getpid()}@%h"],
        env=env, cwd=settings.BASE_DIR,
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
