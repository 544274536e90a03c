"""The quick start as a new user meets it: ``make run`` from nothing, then a cold prospect's wait.

Starts ``manage.py run_stack`` on a fresh var/ directory (embedded PostgreSQL and Redis, the full demo load, web,
both workers and beat), records what the terminal shows (line count, the last lines, seconds to the logins
table), then in Chromium submits a sample company's email on the lander ``ROUNDS`` times, each a new cold
prospect in a fresh browser context, and measures the wait from the submit to the confirm screen with its
chips filled by the swarm's workers. Target: ≤ 3 s (the seed's S2 budget; PROSPECT_POLL_MS polls included).

``QUICKSTART_URL=http://127.0.0.1:8000`` measures a stack that is already running instead (no start figures).
``QUICKSTART_PORT`` picks the port (default: one the OS gives).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from .db import ROOT

ROUNDS = int(os.environ.get("QUICKSTART_ROUNDS", "10"))
TARGET_S = 3.0
COMPANIES = ["squiresconstruction.com", "apexdrywall.com", "cve-electric.com", "bigbuild.com"]
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_stack(var_dir: str, port: int, extra: tuple[str, ...] = ()) -> tuple[subprocess.Popen, list[str], float]:
    """run_stack on embedded services under ``var_dir``; returns the process, its terminal lines, seconds to ready."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "SITE_URL", "GTMOS_EMBEDDED_DIR", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(GTMOS_VAR_DIR=var_dir, PYTHONUNBUFFERED="1")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_stack", "--addr", f"127.0.0.1:{port}", *extra],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("  A prospect (no login)"):
            return proc, lines, time.monotonic() - started
    raise RuntimeError("run_stack ended before the logins table:\n" + "\n".join(lines))


def stop_stack(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGINT)  # what Ctrl-C does
    try:
        proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
    return proc.returncode


def prospect_waits(base_url: str, rounds: int) -> list[float]:
    """Seconds from the email's submit to the confirm screen with chips, one cold prospect per round."""
    from playwright.sync_api import expect, sync_playwright

    waits = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for i in range(rounds):
                context = browser.new_context(base_url=base_url)
                page = context.new_page()
                page.goto("/general-contractor")
                field = page.get_by_label("Work email")
                field.fill(f"bench-{uuid.uuid4().hex[:8]}@{COMPANIES[i % len(COMPANIES)]}")
                submitted = time.monotonic()
                field.press("Enter")
                expect(page).to_have_url(re.compile(r"/confirm/$"), timeout=30_000)
                expect(page.locator(".confirm-chips .chip").first).to_be_visible(timeout=30_000)
                waits.append(time.monotonic() - submitted)
                context.close()
        finally:
            browser.close()
    return waits


def run(**_ignored) -> dict:
    load = os.getloadavg()
    url = os.environ.get("QUICKSTART_URL")
    result: dict = {"benchmark": "quickstart", "target_s": TARGET_S}
    proc = var_dir = None
    try:
        if url is None:
            var_dir = tempfile.mkdtemp(prefix="gtmos-quickstart-")
            port = int(os.environ.get("QUICKSTART_PORT") or _free_port())
            proc, lines, ready_s = start_stack(var_dir, port)
            url = f"http://127.0.0.1:{port}"
            result.update(start_s=round(ready_s, 1), terminal_lines=len(lines), last_lines=lines[-3:])
        waits = prospect_waits(url, ROUNDS)
        result.update(
            rounds=len(waits),
            wait_p50_s=round(statistics.median(waits), 2),
            wait_max_s=round(max(waits), 2),
            waits_s=[round(w, 2) for w in waits],
        )
        result["ok"] = max(waits) <= TARGET_S and result.get("terminal_lines", 0) < 80
    finally:
        if proc is not None:
            result["stop_returncode"] = stop_stack(proc)
        if var_dir is not None:
            shutil.rmtree(var_dir, ignore_errors=True)
    result["load_before"] = [round(x, 2) for x in load]
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return result
