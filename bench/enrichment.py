"""The cold path's critical section, end to end, with a real worker on Redis: time from email submitted to
S3 with the four sync providers at fixed latencies of 1, 2, 2 and 2 s — for one lead, and for 50 leads
submitted at once (``BENCH_BURSTS`` bursts, 3 by default) — and the pure router's decisions per second.

Targets (issue 6): one lead at S3 within 1.15× the slowest sync agent (≤ 2.3 s); 50 leads within 2× that
(≤ 4.6 s): ``ok`` reads it as the median lead, ``ok_every_lead`` as every lead.

What is timed, as the prospect would see it: all the leads of a burst press "submit" at the same instant and
their clocks start there; ``WEB_WORKERS`` web processes (gunicorn's sync workers in docker-compose, with their
database connections already open) take the requests in turn, so a request that waits behind others counts;
the clock stops at the first poll (every 10 ms) that sees the session past S2. (The prospect's page polls every
``PROSPECT_POLL_MS``; that adds up to one poll interval on top, whatever the swarm does.) The report says how
each run settled — by its last sync agent, or by the deadline watchdog (which would hide a slow swarm behind
the budget) — how many sync attempts raised (an error reports at once, which would hide a broken one), and the
CPU each party spent per burst: workers, web, PostgreSQL, Redis and the whole machine
(on a shared machine other tenants show up in the last one).

The crawler is on (``BENCH_SITE_SOURCE=http``, the default; ``archive`` reads the saved pages as before): the
sample sites are served as multi-page sites (robots.txt, home, about, contact, services) by a local server on
127.0.0.1 that adds ``BENCH_PAGE_LATENCY_MS`` (default 80) to every response, and every lead gets its own domain
(an alias of one of the five sites), so every lead is a real crawl, not a hit in the per-domain cache.

Setup: a fresh bench database (``BENCH_DB``), Redis db 14 (``BENCH_REDIS_URL`` to use another), the swarm switched on, the workers exactly as
docker-compose runs them: two sync worker processes (threads pool, 120 threads each — 50 leads are 200 sync
agents waiting at once), ``DATABASE_CONN_MAX_AGE=0`` with the per-process connection pool
(``DATABASE_POOL_IDLE``, at most ``DATABASE_POOL_MAX`` open), and one async worker (8 threads); the sample sites
and firmographics.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter

from gtmos import gunicorn as gunicorn_conf

from . import db

LATENCIES_MS = {"domain_site": 1000, "classifier": 2000, "size_estimator": 2000, "role_resolver": 2000}
SLOWEST_S = max(LATENCIES_MS.values()) / 1000
TARGET_ONE_S = round(SLOWEST_S * 1.15, 2)
TARGET_MANY_S = round(TARGET_ONE_S * 2, 2)
WORKERS, THREADS, ASYNC_THREADS = 2, 120, 8
POOL_IDLE = POOL_MAX = 20  # docker-compose's swarm-worker: DATABASE_POOL_IDLE, DATABASE_POOL_MAX
ASYNC_NICE = 6
WEB_WORKERS = gunicorn_conf.workers  # as docker-compose's web: (2 x cores) + 1 sync workers, or WEB_CONCURRENCY
BURSTS = int(os.environ.get("BENCH_BURSTS", "3"))  # 50 leads at once, this many times (fresh leads each)
DOMAINS = ("squiresconstruction.com", "apexdrywall.com", "cve-electric.com", "bigbuild.com", "thinsite.com")
SITE_SOURCE = os.environ.get("BENCH_SITE_SOURCE", "http")
PAGE_LATENCY_MS = int(os.environ.get("BENCH_PAGE_LATENCY_MS", "80"))
SUBPAGES = {"about": "About us", "contact": "Contact", "services": "Services"}


def _worker_env() -> dict:
    env = {
        **db.env(),
        "SWARM_PROVIDER_LATENCY_MS": ",".join(f"{k}={v}" for k, v in LATENCIES_MS.items()),
        "DATABASE_CONN_MAX_AGE": "0",
        "DATABASE_POOL_IDLE": str(POOL_IDLE),
        "DATABASE_POOL_MAX": str(POOL_MAX),
    }
    if os.environ.get("BENCH_REDIS_URL"):
        env["CELERY_BROKER_URL"] = os.environ["BENCH_REDIS_URL"]
    return env


def lead_domain(i: int, tag: str) -> str:
    base = DOMAINS[i % len(DOMAINS)]
    return f"{tag}-{i}-{base}" if SITE_SOURCE == "http" else base


def _all_lead_domains() -> dict[str, str]:
    """Every domain a lead of this run uses → the saved site it is an alias of."""
    tags = [("warmup", range(990, 990 + WEB_WORKERS)), ("one", range(5))] + [
        (f"fifty{b}", range(50)) for b in range(BURSTS)
    ]
    return {lead_domain(i, tag): DOMAINS[i % len(DOMAINS)] for tag, numbers in tags for i in numbers}


def _write_sites(root) -> None:
    """The five sample pages as multi-page sites: the homepage links to about, contact and services pages."""
    from pathlib import Path

    saved = Path(db.ROOT) / "enrichment" / "data" / "sites"
    for domain in DOMAINS:
        site = Path(root) / domain
        site.mkdir(parents=True)
        nav = "".join(f'<a href="/{path}">{label}</a> ' for path, label in SUBPAGES.items())
        home = (saved / f"{domain}.html").read_text().replace("<body>", f"<body><nav>{nav}</nav>", 1)
        (site / "index.html").write_text(home)
        for path, label in SUBPAGES.items():
            (site / f"{path}.html").write_text(
                f"<html><head><title>{label}</title></head><body><h1>{label}</h1>"
                f"<p>{label} page of {domain}.</p></body></html>"
            )
        (site / "robots.txt").write_text("User-agent: *\nDisallow: /admin/\n")


def run(**_ignored) -> dict:
    import tempfile

    from .site_server import SiteServer

    db.recreate()
    env = _worker_env()
    sites, server = None, None
    if SITE_SOURCE == "http":
        sites = tempfile.TemporaryDirectory(prefix="bench-sites-")
        _write_sites(sites.name)
        aliases = _all_lead_domains()
        server = SiteServer(sites.name, latency_s=PAGE_LATENCY_MS / 1000, aliases=aliases).__enter__()
        env.update(
            {
                "SWARM_SITE_SOURCE": "http",
                "SWARM_FETCH_TEST_HOSTS": ",".join(f"{d}=127.0.0.1:{server.port}" for d in aliases),
            }
        )
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "gtmos", "purge", "-f", "-Q", "celery,swarm,swarm_async"],
        cwd=db.ROOT,
        env=env,
        check=True,
        capture_output=True,
    )

    def worker(name: str, queues: str, threads: int, nice: int = 0) -> subprocess.Popen:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gtmos",
                "worker",
                "-Q",
                queues,
                "--pool",
                "threads",
                "--concurrency",
                str(threads),
                "--loglevel",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
                "--hostname",
                f"{name}@%h",
            ],
            cwd=db.ROOT,
            env=env,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )

    # As docker-compose runs them: sync agents on a wide threads pool, async agents on a small one.
    workers = [worker(f"bench{i}", "celery,swarm", THREADS) for i in range(WORKERS)]
    # The async agents may lag: a lower CPU weight (docker-compose: cpu_shares 256 of 1024 ≈ nice 6).
    workers.append(worker("bench-async", "swarm_async", ASYNC_THREADS, nice=ASYNC_NICE))
    try:
        env["BENCH_WORKER_PIDS"] = ",".join(str(p.pid) for p in workers)
        result = subprocess.run(
            [sys.executable, "-m", "bench.enrichment", "--measure"],
            cwd=db.ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        measured = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        db.stop(workers)
        if server is not None:
            server.__exit__(None, None, None)
            sites.cleanup()
    one, many = measured["one_lead"], measured["fifty_leads"]
    if server is not None:
        html = sum(n for (_, path), n in server.hits.items() if not path.endswith(".txt"))
        measured["crawl"] = {
            "site_source": "http",
            "page_latency_ms": PAGE_LATENCY_MS,
            "sites": len({host for host, _ in server.hits}),
            "pages_served": html,
            "robots_served": sum(n for (_, path), n in server.hits.items() if path == "/robots.txt"),
        }
    else:
        measured["crawl"] = {"site_source": "archive"}
    ok = one["median_s"] <= TARGET_ONE_S and many["median_s"] <= TARGET_MANY_S
    return {
        "benchmark": "enrichment",
        "latencies_ms": LATENCIES_MS,
        "target_one_s": TARGET_ONE_S,
        "target_fifty_s": TARGET_MANY_S,
        **measured,
        "ok": ok,
        # The stricter reading of "50 leads within 2x": every one of them, not the median.
        "ok_every_lead": ok and many["max_s"] <= TARGET_MANY_S,
    }


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
        ("bigbuild.com", "BigBuild Group", 4200, 800_000_000),
    ):
        Firmographic.objects.update_or_create(
            domain=domain, defaults={"company": company, "employees": employees, "revenue": Decimal(revenue)}
        )


def _lead(i: int, tag: str):
    from enrichment.models import Firmographic
    from onboarding.services import session as svc

    domain = lead_domain(i, tag)
    email = f"user{i}.{tag}@{domain}"
    known = Firmographic.objects.filter(domain=DOMAINS[i % len(DOMAINS)]).first()
    if known is not None and domain != known.domain:  # the alias is the same company: the same table row
        Firmographic.objects.update_or_create(
            domain=domain, defaults={"company": known.company, "employees": known.employees, "revenue": known.revenue}
        )
    return svc.session_start(source="search", idempotency_key=f"bench:{tag}:{i}"), email


def _web_process(pipe) -> None:
    """One web worker (its own process, as gunicorn's sync workers are): started and connected long before
    any burst; for each round it waits for the arrival instant, then handles its share of the submits one
    after another, as its queued requests would be."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmos.settings.base")
    django.setup()
    from django.db import connection

    from onboarding.models import OnboardingSession
    from onboarding.services import session as svc

    connection.ensure_connection()
    pipe.send("ready")
    while True:
        message = pipe.recv()
        if message is None:
            break
        arrival, pairs = message
        while time.monotonic() < arrival:
            time.sleep(0.001)
        served = {}
        for pk, email in pairs:
            svc.session_submit_email(session=OnboardingSession.objects.get(pk=pk), email=email)
            served[pk] = time.monotonic() - arrival
        pipe.send(served)
    connection.close()


class WebTier:
    """``WEB_WORKERS`` processes that submit the emails (the web tier of docker-compose)."""

    def __init__(self, n: int = WEB_WORKERS):
        import multiprocessing

        spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this one's connections
        self.pipes, self.procs = [], []
        for _ in range(n):
            ours, theirs = spawn.Pipe()
            proc = spawn.Process(target=_web_process, args=(theirs,), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)
        for pipe in self.pipes:
            pipe.recv()  # up, connected, waiting

    def submit(self, pairs: list[tuple], arrival: float) -> None:
        n = len(self.pipes)
        for w, pipe in enumerate(self.pipes):
            pipe.send((arrival, pairs[w::n]))

    def served(self) -> dict:
        served: dict = {}
        for pipe in self.pipes:
            served.update(pipe.recv())
        return served

    def close(self) -> None:
        for pipe, proc in zip(self.pipes, self.procs):
            pipe.send(None)
            proc.join(timeout=10)


def _time_to_s3(web: WebTier, sessions_and_emails) -> list[dict]:
    """Every lead submits its email at the same instant (the clock starts there for all of them); the web
    workers take the requests in turn; the time is until the first poll that sees the session past S2."""
    from enrichment.models import AgentJob, EnrichmentRun
    from onboarding.models import OnboardingSession
    from onboarding.models.session import SessionState as S

    arrival = time.monotonic() + 0.05
    web.submit([(s.pk, email) for s, email in sessions_and_emails], arrival)
    reached: dict = {}
    ids = [s.pk for s, _ in sessions_and_emails]
    past = [S.S3_CONFIRM, S.S4_ROUTED, S.S5_VALUE, S.W5_BATTLEPACK, S.FALLBACK_FORM]
    deadline = arrival + 60
    while len(reached) < len(ids) and time.monotonic() < deadline:
        for pk in OnboardingSession.objects.filter(pk__in=ids, state__in=past).values_list("pk", flat=True):
            reached.setdefault(pk, time.monotonic())
        time.sleep(0.01)
    served = web.served()
    rows = []
    runs = {r.lead_id: r for r in EnrichmentRun.objects.filter(lead__session__pk__in=ids)}
    states = dict(OnboardingSession.objects.filter(pk__in=ids).values_list("pk", "state"))
    # Sync attempts that raised (e.g. "too many clients" on connect) report at once: they make a run settle
    # sooner and poorer, so a fast time with errors is not a fast swarm.
    errors = Counter(
        AgentJob.objects.filter(run__lead__session__pk__in=ids, sync=True, last_error__startswith="error").values_list(
            "run__lead_id", flat=True
        )
    )
    for session, _ in sessions_and_emails:
        run = runs.get(session.lead_id)
        rows.append(
            {
                "s": round(reached[session.pk] - arrival, 3) if session.pk in reached else None,
                "submit_s": round(served.get(session.pk, 0), 3),
                "status": run.status if run else None,
                "settled_by": run.settled_by if run else None,
                "state": states[session.pk],
                "agent_errors": errors.get(session.lead_id, 0),
            }
        )
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
    """User + system CPU seconds of processes, to say how much work a lead costs."""
    return sum(db.cpu_seconds(pid) or 0.0 for pid in pids)


def _postgres_cpu_s() -> dict:
    """CPU seconds of the PostgreSQL server processes serving the bench database, by pid (other databases on a
    shared server are other tenants'). The workers' pooled connections and the web workers' connections live
    through a burst, so the difference of two readings is the burst's database work; a backend that exited in
    between is not counted (few do with the pool; every task's did without it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids = [row[0] for row in cursor.fetchall()]
    readings = {pid: db.cpu_seconds(pid) for pid in pids}
    return {pid: cpu for pid, cpu in readings.items() if cpu is not None}


def _delta(before, after):
    if isinstance(before, dict):  # per-pid readings: a pid seen only after started during the burst
        return sum(after[pid] - before.get(pid, 0.0) for pid in after)
    return after - before


def _redis_cpu_s() -> float:
    import redis

    info = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"]).info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _machine_busy_s() -> float:
    """Every process's CPU on the machine (/proc/stat), other tenants included."""
    fields = [int(f) for f in open("/proc/stat").readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _summary(rows: list[dict]) -> dict:
    times = sorted(r["s"] for r in rows if r["s"] is not None)
    by = {}
    for r in rows:
        key = f"{r['status']} by {'deadline' if r['settled_by'] == 'deadline' else 'last agent'}"
        by[key] = by.get(key, 0) + 1
    return {
        "n": len(rows),
        "reached_s3": len(times),
        "median_s": round(statistics.median(times), 3) if times else None,
        "p95_s": round(times[int(0.95 * (len(times) - 1))], 3) if times else None,
        "max_s": round(times[-1], 3) if times else None,
        "settled": by,
        "sync_agent_errors": sum(r["agent_errors"] for r in rows),
    }


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
        for name, values in (
            ("org_type", OrgType.values),
            ("persona", Persona.values),
            ("size_band", SizeBand.values),
            ("trade", trades),
            ("company", ["Acme"]),
            ("service_area", [["Austin"]]),
            ("sectors", [["commercial"]]),
            ("revenue", [3e6, 4e7, 9e8]),
            ("acv", [9e3, 6e4, 3e5]),
        ):
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
    web = WebTier()
    try:
        # warm up: the workers and every web process import, connect and publish once, as they would long before a
        # visitor arrives (a web process's first request pays its lazy imports and its first broker connection)
        _time_to_s3(web, [_lead(990 + w, "warmup") for w in range(WEB_WORKERS)])
        _quiet()
        singles = []
        for i in range(5):
            _quiet()  # one lead alone: the previous lead's async agents have finished
            singles.append(_time_to_s3(web, [_lead(i, "one")])[0])
        workers = [int(p) for p in os.environ.get("BENCH_WORKER_PIDS", "").split(",") if p]
        web_pids = [proc.pid for proc in web.procs]

        def cpu_now():
            return (
                _cpu_s(workers),
                _cpu_s(web_pids) + time.process_time(),
                _postgres_cpu_s(),
                _redis_cpu_s(),
                _machine_busy_s(),
            )

        bursts = []
        for burst in range(BURSTS):
            _quiet()
            leads = [_lead(i, f"fifty{burst}") for i in range(50)]
            before = cpu_now()
            many = _time_to_s3(web, leads)
            at_s3 = cpu_now()
            _quiet()
            after = cpu_now()
            names = ("workers_s", "web_and_poll_s", "postgres_s", "redis_s", "machine_s")
            # CPU seconds of the burst until the last lead reached S3, and until every agent (async too) was done.
            cpu = {
                "to_last_s3": {n: round(_delta(a, b), 2) for n, a, b in zip(names, before, at_s3)},
                "to_quiet": {n: round(_delta(a, b), 2) for n, a, b in zip(names, before, after)},
                **{
                    f"{n[:-2]}_ms_per_lead": round(_delta(a, b) / len(leads) * 1000)
                    for n, a, b in zip(names[:3], before, after)
                },
                "load_avg_1m": os.getloadavg()[0],
                "cpus": os.cpu_count(),
            }
            bursts.append(
                {**_summary(many), "submit_max_s": max(r["submit_s"] for r in many), "cpu": cpu, "rows": many}
            )
    finally:
        web.close()
    every = [r for b in bursts for r in b.pop("rows")]
    overall = _summary(every)
    return {
        "one_lead": {**_summary(singles), "runs_s": [r["s"] for r in singles]},
        "fifty_leads": {
            **overall,
            "median_of_bursts_s": [b["median_s"] for b in bursts],
            "max_of_bursts_s": [b["max_s"] for b in bursts],
            "bursts": bursts,
        },
        "router": router,
    }


if __name__ == "__main__":
    if "--measure" in sys.argv:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmos.settings.base")
        print(json.dumps(measure()), flush=True)
