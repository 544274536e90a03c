"""The quick start as a new user meets it: ``manage.py run_stack`` (what ``make run`` runs) brings up web, the
default worker, the swarm's threads-pool worker and beat; its terminal output is short and ends with the
logins table; a cold prospect at a sample company's email, in real Chromium, reaches the confirm screen with
chips the swarm's workers filled; Ctrl-C stops everything.

It runs on the test session's PostgreSQL and Redis, in a database of its own, with a small demo load (the
full load is ``python -m bench quickstart``, from a fresh var/ on embedded servers)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import psycopg2
import pytest
from django.conf import settings
from playwright.sync_api import expect

from gtmos.env import database_url

pytestmark = [pytest.mark.browser, pytest.mark.redis]
SMALL_DEMO = "--accounts 20 --reps 8 --onboarding 0 --health-days 0 --performance-weeks 0"


def _admin():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


@pytest.fixture
def stack_database():
    name = f"{settings.DATABASES['default']['TEST']['NAME']}_stack"  # beside this run's test database
    conn = _admin()
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    yield database_url(settings.DATABASES["default"], name)
    conn = _admin()
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _read_until_logins(proc, timeout=420) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("  A prospect (no login)"):
            return lines
        assert time.monotonic() < deadline, "\n".join(lines)
    raise AssertionError("run_stack ended before the logins table:\n" + "\n".join(lines))


def test_run_stack_is_the_whole_product_quietly(stack_database, browser, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": stack_database,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_SETTINGS_MODULE": "gtmos.settings.base",
        "GTMOS_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("SITE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_stack", "--addr", f"127.0.0.1:{port}", "--demo-args", SMALL_DEMO],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = _read_until_logins(proc)
        site = f"http://127.0.0.1:{port}"
        # Quiet: a screenful, every step one line, and the logins table last.
        assert len(lines) < 80, "\n".join(lines)
        assert f"GTM OS is running at {site}/" in lines
        table = lines[lines.index(f"GTM OS is running at {site}/") :]
        assert any(line.split()[:1] == ["revops"] for line in table)
        assert table[-2] == "  Password for every login: demo-pass-2026"
        assert not any("Traceback" in line or " INFO " in line for line in lines), "\n".join(lines)
        # The children's logs went to files, in one readable format with the request id on web lines.
        assert {p.name for p in (tmp_path / "log").iterdir()} == {
            "web.log",
            "worker.log",
            "swarm-worker.log",
            "beat.log",
        }
        with urllib.request.urlopen(f"{site}/healthz", timeout=5) as response:
            request_id = response.headers["X-Request-ID"]
        time.sleep(0.5)
        web_log = (tmp_path / "log" / "web.log").read_text()
        assert re.search(rf"req={request_id} .*GET /healthz", web_log), web_log[-2000:]
        # `make logins` prints the same address again while the stack runs.
        again = subprocess.run(
            [sys.executable, "manage.py", "logins"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert again.stdout.splitlines()[0] == f"GTM OS is running at {site}/", again.stdout + again.stderr
        assert json.loads((tmp_path / "stack.json").read_text())["site_url"] == site

        # A cold prospect at a sample company's email: the swarm's workers fill the confirm screen's chips.
        context = browser.new_context(base_url=site)
        page = context.new_page()
        page.goto("/general-contractor")
        page.get_by_label("Work email").fill("joe@squiresconstruction.com")
        page.get_by_label("Work email").press("Enter")
        expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
        chips = page.locator(".confirm-chips")
        expect(chips).to_contain_text("Squires")
        assert page.locator(".confirm-chips .chip").count() >= 3
        context.close()
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 0, out
    assert "stopped." in out
    assert not (tmp_path / "stack.json").exists()
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
