"""The server-side cost of the cockpit's pages, one request at a time (``python -m bench page_cost``).

cockpit_pages judges wall time under 20 clients, which only means something on a quiet machine. This one
measures what a page costs the server whatever else the machine is doing: per page (the same pages and
people as cockpit_pages), in-process through Django's test client on a ``seed_demo`` database,
- ``queries`` and ``sql_ms``: the statements run and their summed time (CaptureQueriesContext; the SQL time is
  wall time, so it still rises a little on a busy machine);
- ``cpu_ms``: this process's CPU time for the request (``time.process_time``: Python, templates, the driver),
  which other processes inflate far less than wall time (shared caches and cores still move it);
each the median (and the ``_min_``) of ``BENCH_PAGE_COST_REPEATS`` requests after one warm-up;
- ``py_calls``: the Python function calls of one request (cProfile), which no load changes at all.

``python -m bench page_cost`` seeds a database of its own (``BENCH_PAGE_COST_DB``) and measures in a subprocess;
``python -m bench.page_cost measure [--profile PAGE]`` measures the database in DATABASE_URL as it is (a dev
database seeded by ``manage.py seed_demo``), and with ``--profile`` prints the cProfile of one page instead.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time

from . import db

OWN_DB = os.environ.get("BENCH_PAGE_COST_DB", "gtmos_bench_page_cost")
REPEATS = int(os.environ.get("BENCH_PAGE_COST_REPEATS", 20))
ROLES = ("csm1", "am1", "postsales1", "sdr1", "ae1", "mgr-csm1", "slm")  # as cockpit_pages


def run(accounts: int | None = None) -> dict:
    accounts = accounts or int(os.environ.get("BENCH_PAGE_COST_ACCOUNTS", 400))
    env = {**db.env(), "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{OWN_DB}"}
    db.recreate(OWN_DB, env)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "seed_demo", "--accounts", str(accounts)],
            cwd=db.ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        out = subprocess.run(
            [sys.executable, "-m", "bench.page_cost", "measure"],
            cwd=db.ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    finally:
        db.drop(OWN_DB)
    return {"benchmark": "page_cost", "accounts": accounts, **json.loads(out.stdout.strip().splitlines()[-1])}


def _pages(client, username: str) -> list[tuple[str, str]]:
    """cockpit_pages' plan for ``username``: the home, the inbox, the account 360 and the escalations triage."""
    pages = [(f"home_{username}", "/"), ("inbox", "/inbox/")]
    if username in ("csm1", "am1"):
        body = client.get("/crm/accounts/?sort=-arr").content.decode()
        match = re.search(r'<td><a href="(/crm/accounts/\d+/)">', body)
        if match:
            pages.append((f"account360_{username}", match.group(1)))
    if username in ("slm", "mgr-csm1", "csm1"):
        pages.append(("onboarding_alerts", "/onboarding/escalations/?state=all"))
    return pages


def _cost(client, path: str, repeats: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up: template loading, the first-use imports
    queries, sql_ms, cpu_ms = [], [], []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as ctx:
            started = time.process_time()
            response = client.get(path)
            cpu = time.process_time() - started
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}")
        queries.append(len(ctx.captured_queries))
        sql_ms.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        cpu_ms.append(cpu * 1000)
    return {
        "queries": int(statistics.median(queries)),
        "sql_ms": round(statistics.median(sql_ms), 1),
        "sql_min_ms": round(min(sql_ms), 1),
        "cpu_ms": round(statistics.median(cpu_ms), 1),
        "cpu_min_ms": round(min(cpu_ms), 1),
        "py_calls": _calls(client, path),
    }


def _calls(client, path: str) -> int:
    """Python function calls of one request (cProfile's count): the same on a busy machine as on a quiet one,
    so a change's effect on the page's CPU shows whatever the load."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(client.get, path)
    return pstats.Stats(profiler).total_calls


def measure(*, profile: str | None = None, repeats: int = REPEATS) -> dict:
    from django.test import Client

    pages: dict[str, dict] = {}
    for username in ROLES:
        client = Client()
        client.force_login(_user(username))
        for name, path in _pages(client, username):
            if profile is not None:
                if name == profile:
                    _profile(client, path)
                continue
            if name not in pages:
                pages[name] = _cost(client, path, repeats)
    return {"repeats": repeats, "loadavg_1m": round(os.getloadavg()[0], 1), "pages": pages}


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _profile(client, path: str) -> None:
    import cProfile
    import pstats

    client.get(path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(path)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(60)


def main(argv: list[str]) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmos.settings.base")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    django.setup()
    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    result = measure(profile=profile)
    if profile is None:
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] != ["measure"]:
        sys.exit("usage: python -m bench.page_cost measure [--profile PAGE]")
    main(sys.argv[2:])
