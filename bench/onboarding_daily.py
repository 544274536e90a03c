"""The daily onboarding job and the comp hold run on a 100,000-account book with 10,000 plans in active
onboarding, and again at a fifth of that. Targets: each run under 30 s, and a query count that does not
grow with the book (the jobs claim to be set-based).

Per scale: a fresh bench database, ``seed_demo``, onboarding data (``bench.onboarding_data``), then one
measuring subprocess (a cold Django process, like a worker picking up the beat job) that runs
``onboarding_daily`` and ``comp_hold_run`` twice each and prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict

from . import db

TARGET_S = 30
# Bulk inserts are batched (5,000 rows), so a set-based job may issue a few more queries when it writes
# 5x the rows; more than this is a per-row loop.
FLAT_TOLERANCE = 10
PLAN_SHARE = 10  # one account in ten is in active onboarding


def run(accounts: int = 100_000) -> dict:
    scales = [accounts // 5, accounts]  # small first: it shows problems in a fifth of the time
    runs = {}
    for n in scales:
        for job in _measure_scale(n, n // PLAN_SHARE):
            print(json.dumps(job), flush=True)
            runs[(job["job"], job["run"], n)] = job
    small, large = scales
    growth = {
        f"{name}#{r}": [runs[(name, r, small)]["queries"], runs[(name, r, large)]["queries"]]
        for name, r, n in runs
        if n == small
    }
    flat = {key: q[1] - q[0] <= FLAT_TOLERANCE for key, q in growth.items()}
    fast = all(job["ok"] for job in runs.values())
    return {
        "benchmark": "onboarding_daily",
        "summary": True,
        "accounts": scales,
        "target_s": TARGET_S,
        "queries_small_large": growth,
        "queries_flat": flat,
        "ok": fast and all(flat.values()),
    }


def _measure_scale(accounts: int, plans: int) -> list[dict]:
    db.recreate()
    started = time.monotonic()
    # The book only: the onboarding jobs read no health history or rep performance, and scoring 90 days of
    # health for 100 k accounts is the slowest step of seed_demo (it is the health benchmark's, not this one's).
    db.manage("seed_demo", "--accounts", str(accounts), "--health-days", "0", "--performance-weeks", "0", capture=True)
    seeded = time.monotonic()
    built = _child("bench.onboarding_data", "--plans", str(plans))
    built_at = time.monotonic()
    args = ["--today", built["today"]] + (["--profile"] if os.environ.get("BENCH_PROFILE") else [])
    jobs = _child("bench.onboarding_daily", *args)
    setup = {
        "seed_demo_s": round(seeded - started, 1),
        "onboarding_data_s": round(built_at - seeded, 1),
        "rows": built["rows"],
    }
    return [
        {
            "benchmark": "onboarding_daily",
            **job,
            "accounts": accounts,
            "plans": plans,
            "setup": setup,
            "target_s": TARGET_S,
            "ok": job["wall_s"] < TARGET_S,
        }
        for job in jobs
    ]


def _child(module: str, *args: str):
    """Run ``python -m module`` on the bench database; its last stdout line is its JSON answer."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=db.ROOT, env=db.env(), check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- in the measuring subprocess ---------------------------------------------------------------------


class QueryLog:
    """Counts and times every query on the connection, by job step and by SQL shape.

    An execute wrapper rather than CaptureQueriesContext: it sees the SQL before parameters are
    interpolated, so the same statement run once per row groups under one shape.
    """

    IN_LIST = re.compile(r"(%s, )+%s")
    SELECT_LIST = re.compile(r"^SELECT (DISTINCT )?.*? FROM ", re.S)
    INSERT_COLS = re.compile(r"^(INSERT INTO \S+) \(.*?\) ", re.S)
    SAVEPOINT_ID = re.compile(r'"s\d+_x\d+"')

    def __init__(self):
        self.by_step: dict[str, list] = defaultdict(lambda: [0, 0.0])  # step -> [queries, wall seconds]
        self.shapes: Counter = Counter()
        self.shape_s: Counter = Counter()
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = self.shape(sql)
            self.count += 1
            self.shapes[shape] += 1
            self.shape_s[shape] += time.perf_counter() - started

    @classmethod
    def shape(cls, sql: str) -> str:
        """The statement with column lists and IN lists elided: what identifies it in a profile."""
        sql = cls.SAVEPOINT_ID.sub('"s…"', cls.IN_LIST.sub("%s…", sql))
        sql = cls.SELECT_LIST.sub(r"SELECT \1… FROM ", sql, count=1)
        return cls.INSERT_COLS.sub(r"\1 (…) ", sql, count=1)[:240]

    def timed_step(self, name: str, fn):
        def wrapper(*args, **kwargs):
            before, started = self.count, time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.by_step[name][0] += self.count - before
                self.by_step[name][1] += time.perf_counter() - started

        return wrapper

    def top(self, n: int = 8) -> list:
        return [[count, round(self.shape_s[shape], 2), shape] for shape, count in self.shapes.most_common(n)]


def measure(today: dt.date, profile: bool) -> list[dict]:
    import django

    django.setup()
    from django.db import connection

    from gtmos.comp.services import comp_hold_run
    from onboarding.services import daily

    jobs = [
        ("onboarding_daily", lambda: daily.onboarding_daily(today=today)),
        ("comp_hold_run", lambda: comp_hold_run(today=today)),
    ]
    connection.ensure_connection()  # connecting is not the jobs' cost
    out = []
    for run_no in (1, 2):
        for name, fn in jobs:
            log = QueryLog()
            # The daily job is a series of scans: time each one, so a miss names its culprit. The steps are
            # the functions it calls (read from its code), so a scan added to the job is timed too.
            originals = {
                step: getattr(daily, step)
                for step in daily.onboarding_daily.__code__.co_names
                if inspect.isfunction(getattr(daily, step, None))
            }
            for step, original in originals.items():
                setattr(daily, step, log.timed_step(step, original))
            profiler = _profiler() if profile else None
            try:
                with connection.execute_wrapper(log):
                    started = time.perf_counter()
                    if profiler:
                        profiler.enable()
                    result = fn()
                    wall = time.perf_counter() - started
                    if profiler:
                        profiler.disable()
            finally:
                for step, original in originals.items():
                    setattr(daily, step, original)
            if profiler:
                _print_profile(profiler, f"{name} run {run_no}")
            out.append(
                {
                    "job": name,
                    "run": run_no,
                    "wall_s": round(wall, 2),
                    "queries": log.count,
                    "result": result,
                    "steps": {step: {"queries": q, "wall_s": round(s, 2)} for step, (q, s) in log.by_step.items()},
                    "top_sql": log.top(),
                }
            )
    _purge_task_queue()
    return out


def _profiler():
    import cProfile

    return cProfile.Profile()


def _print_profile(profiler, title: str) -> None:
    import pstats

    print(f"--- cProfile: {title} (top 25 by cumulative time) ---", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(25)


def _purge_task_queue() -> None:
    """Milestone completions queue an email task per notification on the bench broker; nothing consumes
    that queue, so empty it rather than let runs pile up there."""
    from gtmos.celery import app

    app.control.purge()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.onboarding_daily")
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("--profile", action="store_true", help="cProfile each run (to stderr; slows the runs)")
    args = parser.parse_args()
    print(json.dumps(measure(args.today, args.profile), default=str), flush=True)


if __name__ == "__main__":
    main()
