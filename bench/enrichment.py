"""The cold path's critical section, end to end, with a real worker on Redis: time from email submitted to
S3 with the four sync providers at fixed latencies of 1, 2, 2 and 2 s — for one lead, and for 50 leads
submitted at once — and the pure router's decisions per second.

Targets (issue 6): one lead at S3 within 1.15× the slowest sync agent (≤ 2.3 s); 50 leads within 2× that
(≤ 4.6 s each). Each lead's time is measured from just before its ``session_submit_email`` call to the first
poll (every 10 ms) that sees its session in S3; the report also says how each run settled — by its last sync
agent, or by the deadline watchdog (which would hide a slow swarm behind the budget).

Setup: a fresh bench database, the swarm switched on, two sync worker processes (threads pool, 120 threads
each, ``DATABASE_CONN_MAX_AGE=0`` so idle threads hold no connection) and one async worker (8 threads) as in
docker-compose, the sample sites and firmographics.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from . import db

LATENCIES_MS = {"domain_site": 1000, "classifier": 2000, "size_estimator": 2000, "role_resolver": 2000}
SLOWEST_S = max(LATENCIES_MS.values()) / 1000
TARGET_ONE_S = round(SLOWEST_S * 1.15, 2)
TARGET_MANY_S = round(TARGET_ONE_S * 2, 2)
WORKERS, THREADS, ASYNC_THREADS = 2, 120, 8
DOMAINS = ("squiresconstruction.com", "apexdrywall.com", "cve-electric.com", "bigbuild.com", "thinsite.com")


def _worker_env() -> dict:
    return {**db.env(), "SWARM_PROVIDER_LATENCY_MS": ",".join(f"{k}={v}" for k, v in LATENCIES_MS.items()),
            "DATABASE_CONN_MAX_AGE": "0"}


def run(**_ignored) -> dict:
    db.recreate()
    env = _worker_env()
    subprocess.run([sys.executable, "-m", "celery", "-A", "gtmos", "purge", "-f", "-Q", "celery,swarm,swarm_async"],
                   cwd=db.ROOT, env=env, check=True, capture_output=True)

    def worker(name: str, queues: str, threads: int) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "gtmos", "worker", "-Q", queues, "--pool", "threads",
             "--concurrency", str(threads), "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
             "--hostname", f"{name}@%h"], cwd=db.ROOT, env=env)

    # As docker-compose runs them: sync agents on a wide threads pool, async agents on a small one.
    workers = [worker(f"bench{i}", "celery,swarm", THREADS) for i in range(WORKERS)]
    workers.append(worker("bench-async", "swarm_async", ASYNC_THREADS))
    try:
        env["BENCH_WORKER_PIDS"] = ",".join(str(p.pid) for p in workers)
        result = subprocess.run([sys.executable, "-m", "bench.enrichment", "--measure"], cwd=db.ROOT, env=env,
                                check=True, stdout=subprocess.PIPE, text=True)
        measured = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    one, many = measured["one_lead"], measured["fifty_leads"]
    ok = one["median_s"] <= TARGET_ONE_S and many["max_s"] <= TARGET_MANY_S
    return {"benchmark": "enrichment", "latencies_ms": LATENCIES_MS, "target_one_s": TARGET_ONE_S,
            "target_fifty_s": TARGET_MANY_S, **measured, "ok": ok}


# --- in the measuring subprocess (bench database, the workers already started) ---------------------------------

def _wait_for_workers(app, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = {name for reply in app.control.ping(timeout=0.5) for name in reply}
        if sum(1 for name in names if name.startswith("bench")) >= n:
            return
    raise RuntimeError("bench workers did not start")


def _setup() -> None:
    from decimal import Decimal

    from waffle.models import Flag, Switch

    from enrichment.flags import ALL_FLAGS, SWARM_SWITCH
    from enrichment.models import Firmographic

    Switch.objects.update_or_create(name=SWARM_SWITCH, defaults={"active": True})
    Flag.objects.filter(name__in=ALL_FLAGS).update(everyone=True)
    for domain, company, employees, revenue in (
            ("squiresconstruction.com", "Squires Construction", 22, 6_000_000),
            ("apexdrywall.com", "Apex Drywall & Interiors", 120, 18_000_000),
            ("cve-electric.com", "CVE Electric", 900, 240_000_000),
            ("bigbuild.com", "BigBuild Group", 4200, 800_000_000)):
        Firmographic.objects.update_or_create(domain=domain, defaults={
            "company": company, "employees": employees, "revenue": Decimal(revenue)})


def _lead(i: int, tag: str):
    from onboarding.services import session as svc

    email = f"user{i}.{tag}@{DOMAINS[i % len(DOMAINS)]}"
    return svc.session_start(source="search", idempotency_key=f"bench:{tag}:{i}"), email


def _time_to_s3(sessions_and_emails, concurrent: bool) -> list[dict]:
    import threading

    from django.db import connection

    from enrichment.models import EnrichmentRun
    from onboarding.models import OnboardingSession
    from onboarding.models.session import SessionState as S
    from onboarding.services import session as svc

    started: dict = {}
    barrier = threading.Barrier(len(sessions_and_emails)) if concurrent else None

    def submit(session, email):
        try:
            if barrier is not None:
                barrier.wait()
            started[session.pk] = time.perf_counter()
            svc.session_submit_email(session=session, email=email)
        finally:
            if concurrent:
                connection.close()

    threads = [threading.Thread(target=submit, args=pair) for pair in sessions_and_emails]
    for t in threads:
        t.start()
    reached: dict = {}
    ids = [s.pk for s, _ in sessions_and_emails]
    past = [S.S3_CONFIRM, S.S4_ROUTED, S.S5_VALUE, S.W5_BATTLEPACK, S.FALLBACK_FORM]
    deadline = time.perf_counter() + 60
    while len(reached) < len(ids) and time.perf_counter() < deadline:
        for pk in OnboardingSession.objects.filter(pk__in=ids, state__in=past).values_list("pk", flat=True):
            reached.setdefault(pk, time.perf_counter())
        time.sleep(0.01)
    for t in threads:
        t.join()
    rows = []
    runs = {r.lead_id: r for r in EnrichmentRun.objects.filter(lead__session__pk__in=ids)}
    for session, _ in sessions_and_emails:
        run = runs.get(session.lead_id)
        rows.append({"s": round(reached[session.pk] - started[session.pk], 3) if session.pk in reached else None,
                     "status": run.status if run else None, "settled_by": run.settled_by if run else None,
                     "state": OnboardingSession.objects.get(pk=session.pk).state})
    return rows


def _quiet(timeout: float = 60) -> None:
    """Wait until no agent of any earlier lead is still pending or running."""
    from enrichment.enums import JobStatus
    from enrichment.models import AgentJob

    deadline = time.monotonic() + timeout
    while AgentJob.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists():
        if time.monotonic() > deadline:
            raise RuntimeError("agents still running after 60 s")
        time.sleep(0.05)


def _cpu_s(pids) -> float:
    """User + system CPU seconds of processes (Linux /proc), to say how much work a lead costs."""
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _summary(rows: list[dict]) -> dict:
    times = sorted(r["s"] for r in rows if r["s"] is not None)
    by = {}
    for r in rows:
        key = f"{r['status']} by {'deadline' if r['settled_by'] == 'deadline' else 'last agent'}"
        by[key] = by.get(key, 0) + 1
    return {"n": len(rows), "reached_s3": len(times), "median_s": round(statistics.median(times), 3) if times else None,
            "p95_s": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
            "max_s": round(times[-1], 3) if times else None, "settled": by}


def _router_rate(seconds: float = 3.0) -> dict:
    import random

    from routing.enums import OrgType, Persona, SizeBand
    from routing.router import route
    from routing.trades import LIBRARY
    from routing.types import Profile

    rng = random.Random(2)
    trades = sorted(LIBRARY)
    profiles = []
    for _ in range(1000):
        fields = {}
        for name, values in (("org_type", OrgType.values), ("persona", Persona.values), ("size_band", SizeBand.values),
                             ("trade", trades), ("company", ["Acme"]), ("service_area", [["Austin"]]),
                             ("sectors", [["commercial"]]), ("revenue", [3e6, 4e7, 9e8]), ("acv", [9e3, 6e4, 3e5])):
            if rng.random() < 0.8:
                fields[name] = (rng.choice(values), rng.random())
        profiles.append(Profile.of(rng.choice(["cold", "warm", "warmest"]), **fields))
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        for p in profiles:
            route(p)
        done += len(profiles)
    elapsed = time.perf_counter() - started
    return {"decisions": done, "seconds": round(elapsed, 2), "per_second": int(done / elapsed)}


def measure() -> dict:
    import django

    django.setup()
    from gtmos.celery import app

    router = _router_rate()  # first, while the machine is quiet
    _setup()
    _wait_for_workers(app, WORKERS + 1)
    # warm up: the workers import and connect once, as they would long before a visitor arrives
    _time_to_s3([_lead(999, "warmup")], concurrent=False)
    _quiet()
    singles = []
    for i in range(5):
        _quiet()  # one lead alone: the previous lead's async agents have finished
        singles.append(_time_to_s3([_lead(i, "one")], concurrent=False)[0])
    _quiet()
    workers = [int(p) for p in os.environ.get("BENCH_WORKER_PIDS", "").split(",") if p]
    leads = [_lead(i, "fifty") for i in range(50)]
    cpu_before, own_before = _cpu_s(workers), time.process_time()
    many = _time_to_s3(leads, concurrent=True)
    _quiet()
    cpu = {"workers_s": round(_cpu_s(workers) - cpu_before, 2), "submitter_s": round(time.process_time() - own_before, 2),
           "load_avg_1m": os.getloadavg()[0], "cpus": os.cpu_count()}
    return {"one_lead": {**_summary(singles), "runs_s": [r["s"] for r in singles]},
            "fifty_leads": {**_summary(many), "cpu": cpu}, "router": router}


if __name__ == "__main__":
    if "--measure" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmos.settings.base")
        print(json.dumps(measure()), flush=True)
