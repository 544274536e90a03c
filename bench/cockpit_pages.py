"""The cockpit's pages under 20 concurrent clients on gunicorn + PostgreSQL (``python -m bench cockpit_pages``).

The demo org and book (``seed_demo``, 400 accounts by default) in a database of its own; gunicorn as
docker-compose runs it (gtmos/gunicorn.py: (2 × cores) + 1 sync workers). Each client is a signed-in person of
one role reading their role-shaped home and, for a CSM or AM, the account 360 of an account in their book
(issue 20); the inbox and the onboarding-alerts triage are read too. Two phases, each reported per page
(p50/p95/max, client-side wall time):
- ``walk`` (judged): 20 people at once, each pausing 0.5–2 s between pages (``BENCH_COCKPIT_THINK``);
- ``steady`` (reported): the same 20 clients with no pause at all for ``BENCH_COCKPIT_SECONDS``.
Query counts flat in data size are shown by tests (tests/core/test_homes.py, tests/crm/test_account360.py).

Target (issue 20): p95 < 150 ms for the homes and the account 360. Own database (``BENCH_COCKPIT_DB``, default
``gtmos_bench_cockpit``), Redis db (``BENCH_COCKPIT_REDIS_DB``, default 12) and a free port from the OS.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

from . import db
from .prospect_pages import page_timings

OWN_DB = os.environ.get("BENCH_COCKPIT_DB", os.environ.get("BENCH_DB", "gtmos_bench_cockpit"))
REDIS_DB = int(os.environ.get("BENCH_COCKPIT_REDIS_DB", 12))
CLIENTS = int(os.environ.get("BENCH_COCKPIT_CLIENTS", 20))
ROUNDS = int(os.environ.get("BENCH_COCKPIT_ROUNDS", 12))  # 12 walks: a p95 of ~36 visits per page, not one slow visit
SECONDS = int(os.environ.get("BENCH_COCKPIT_SECONDS", 20))
THINK_S = tuple(float(x) for x in os.environ.get("BENCH_COCKPIT_THINK", "0.5,2").split(","))
WEB_WORKERS = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1))
TARGET_P95_MS = 150
ROLES = ("csm1", "am1", "postsales1", "sdr1", "ae1", "mgr-csm1", "slm")
PASSWORD = "demo-pass-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.timings: list[tuple[str, float]] = []
        self.errors = 0

    def get(self, name: str, path: str, *, record: bool = True, method: str = "GET", data=None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if method == "POST":
            headers.update(
                {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.cookies.get("csrftoken", "")}
            )
            body = urllib.parse.urlencode(data or {})
        start = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.errors += 1
            return 0, ""
        elapsed = (time.perf_counter() - start) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.status >= 400 and method == "GET":
            self.errors += 1
        if record:
            self.timings.append((name, elapsed))
        return response.status, text

    def sign_in(self, username: str) -> None:
        self.get("login", "/accounts/login/", record=False)
        status, _ = self.get(
            "login", "/accounts/login/", record=False, method="POST", data={"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise RuntimeError(f"could not sign in as {username}")


def _pages(client: Client, username: str) -> list[tuple[str, str]]:
    pages = [(f"home_{username}", "/"), ("inbox", "/inbox/")]
    if username in ("csm1", "am1"):
        _, body = client.get("discover", "/crm/accounts/?sort=-arr", record=False)
        match = re.search(r'<td><a href="(/crm/accounts/\d+/)">', body)
        if match:
            pages.append((f"account360_{username}", match.group(1)))
    if username in ("slm", "mgr-csm1", "csm1"):
        pages.append(("onboarding_alerts", "/onboarding/escalations/?state=all"))
    return pages


def _summary(clients: list[Client]) -> dict:
    return {"pages": page_timings(clients), "errors": sum(c.errors for c in clients)}


def _phase(port: int, *, think, rounds: int | None, seconds: int | None) -> dict:
    clients = [Client(port) for _ in range(CLIENTS)]
    plans = []
    for i, c in enumerate(clients):
        username = ROLES[i % len(ROLES)]
        c.sign_in(username)
        plans.append(_pages(c, username))
        c.timings.clear()
    deadline = time.monotonic() + (seconds or 0)

    def run(i: int) -> None:
        done = 0
        while (rounds is not None and done < rounds) or (seconds is not None and time.monotonic() < deadline):
            for name, path in plans[i]:
                if think:
                    time.sleep(random.uniform(*think))
                c = clients[i]
                c.get(name, path)
            done += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"wall_s": round(time.monotonic() - started, 1), **_summary(clients)}


def _worst(pages: dict) -> tuple[str, float]:
    judged = [(k, v["p95_ms"]) for k, v in pages.items() if k.startswith(("home_", "account360_"))]
    return max(judged, key=lambda kv: kv[1]) if judged else ("", 0.0)


def run(accounts: int | None = None) -> dict:
    accounts = accounts or int(os.environ.get("BENCH_COCKPIT_ACCOUNTS", 400))
    url = f"postgres://postgres@127.0.0.1:5432/{OWN_DB}"
    env = {
        **db.env(),
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    db.recreate(OWN_DB, env)
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--accounts", str(accounts)],
        cwd=db.ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    seed_s = round(time.monotonic() - started, 1)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:gtmos.gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WEB_WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=db.ROOT,
        env=env,
        stdout=sys.stderr,
    )
    try:
        _wait(port)
        _phase(port, think=None, rounds=1, seconds=None)  # warm every worker; not reported
        load_before = os.getloadavg()[0]
        walk = _phase(port, think=THINK_S, rounds=ROUNDS, seconds=None)
        steady = _phase(port, think=None, rounds=None, seconds=SECONDS)
        load_after = os.getloadavg()[0]
    finally:
        db.stop([server])
        db.drop(OWN_DB)
    worst_walk, worst_steady = _worst(walk["pages"]), _worst(steady["pages"])
    errors = walk["errors"] + steady["errors"]
    return {
        "benchmark": "cockpit_pages",
        "accounts": accounts,
        "clients": CLIENTS,
        "web_workers": WEB_WORKERS,
        "cpus": os.cpu_count(),
        "think_s": THINK_S,
        "seed_s": seed_s,
        "target_p95_ms": TARGET_P95_MS,
        "loadavg_1m_before_after": [round(load_before, 1), round(load_after, 1)],
        "errors": errors,
        "worst_walk_page": worst_walk,
        "worst_steady_page": worst_steady,
        "walk": walk,
        "steady": steady,
        "ok": worst_walk[1] < TARGET_P95_MS and errors == 0,
    }


def _wait(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not come up")
