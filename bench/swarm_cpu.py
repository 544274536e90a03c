"""The swarm's agent path in one process: worker CPU and database statements per lead, with no broker and no
worker pool — the figures a busy machine does not blur (``python -m bench enrichment`` times the same path
end to end, and its wall times need a quiet machine).

Each lead is submitted as the web tier would (not counted), then every attempt the swarm dispatches for it is
run inline through the service the Celery task calls — the four sync agents, the two async agents the settle
sends, the run's deadline task — and counted: ``time.process_time()`` around them (a pass without query
capture) and the statements they send (a second pass, ``CaptureQueriesContext``), and the Python function calls
they make (a third pass under cProfile: a count, the same on a busy machine). ``--profile`` prints the functions
that take the most cumulative CPU over the first pass (``SWARM_CPU_PROFILE_FILTER``: a regex on their file).

``--threads N`` runs three bursts of ``--leads`` instead, their agents on N threads of this process (each its own
connection, as the worker's threads pool), counting the whole process's CPU: what threads cost each other — a
cache they all reload when it expires, the GIL — is in it, as in ``bench.enrichment``'s workers.

Two data sets: ``bench`` (what ``bench.enrichment`` loads: firmographics only — the async agents find nothing)
and ``research`` (project records and CRM accounts near the sample companies as well, so the async agents
return pursuits and a network and the research hooks fire, as in production).

Runs on whatever database the settings name: with no ``DATABASE_URL``, an embedded server under
``GTMOS_EMBEDDED_DIR`` (database ``GTMOS_EMBEDDED_DB``; migrate it first). Sites come from the saved archive.

    nice -n 19 env -u DATABASE_URL -u CELERY_BROKER_URL GTMOS_EMBEDDED_DIR=/tmp/swarm-cpu \\
        GTMOS_EMBEDDED_DB=swarm_cpu .venv/bin/python -m bench.swarm_cpu --leads 50 --data research
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

DOMAINS = ("squiresconstruction.com", "apexdrywall.com", "cve-electric.com", "bigbuild.com", "thinsite.com")


def _setup(data: str) -> None:
    import datetime as dt
    from decimal import Decimal

    from waffle.models import Flag, Switch

    from enrichment.flags import ALL_FLAGS, SWARM_SWITCH
    from enrichment.models import Firmographic, ProjectRecord

    Switch.objects.update_or_create(name=SWARM_SWITCH, defaults={"active": True})
    for name in ALL_FLAGS:
        Flag.objects.update_or_create(name=name, defaults={"everyone": True})
    for domain, company, employees, revenue in (
        ("squiresconstruction.com", "Squires Construction", 22, 6_000_000),
        ("apexdrywall.com", "Apex Drywall & Interiors", 120, 18_000_000),
        ("cve-electric.com", "CVE Electric", 900, 240_000_000),
        ("bigbuild.com", "BigBuild Group", 4200, 800_000_000),
    ):
        Firmographic.objects.update_or_create(
            domain=domain, defaults={"company": company, "employees": employees, "revenue": Decimal(revenue)}
        )
    if data != "research":
        return
    from gtmos.crm.models import Account

    for i, (domain, company) in enumerate(
        (("squiresconstruction.com", "Squires Construction"), ("cve-electric.com", "CVE Electric"))
    ):
        for n in range(3):
            ProjectRecord.objects.update_or_create(
                external_id=f"swarm-cpu-{i}-{n}",
                defaults={
                    "source": "permit",
                    "name": f"{company} project {n}",
                    "state": "TX",
                    "city": "Austin",
                    "company": company,
                    "company_domain": domain,
                    "value": Decimal("1200000"),
                    "bid_date": dt.date(2027, 4, 1),
                },
            )
    for n, (vertical, region) in enumerate(
        (("subcontractor", "TX"), ("general contractor", "TX"), ("specialty contractor", "AZ"), ("gc", "IL"))
    ):
        Account.objects.update_or_create(
            domain=f"network-{n}.example", defaults={"name": f"Network {n}", "vertical": vertical, "region": region}
        )


def _one_lead(tag: str, i: int, sent: list, capture: bool, profiler=None) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from enrichment.services import runs
    from onboarding.services import session as svc

    domain = DOMAINS[i % len(DOMAINS)]
    session = svc.session_start(source="search", idempotency_key=f"swarm-cpu:{tag}:{i}")
    session = svc.session_submit_email(session=session, email=f"user{i}.{tag}@{domain}")
    sent_sync = list(sent)
    sent.clear()
    run_id = runs.EnrichmentRun.objects.filter(lead_id=session.lead_id).values_list("pk", flat=True).get()

    parts: dict = {}
    counts: dict = {}
    sql: list = []

    def timed(name, fn, **kwargs):
        if capture:
            with CaptureQueriesContext(connection) as queries:
                fn(**kwargs)
            counts[name] = counts.get(name, 0) + len(queries.captured_queries)
            sql.extend(f"[{name}] {q['sql']}" for q in queries.captured_queries)
            return
        started = time.process_time()
        fn(**kwargs)
        parts[name] = parts.get(name, 0.0) + time.process_time() - started

    if profiler is not None:
        profiler.enable()
    for n, (job_id, attempt, due_at) in enumerate(sent_sync):
        last = n == len(sent_sync) - 1  # the report that settles the run (and moves the session to S3)
        timed("settling_sync" if last else "sync", runs.agent_execute, job_id=job_id, attempt=attempt, due_at=due_at)
    pending = list(sent)  # the async agents the settle dispatched
    sent.clear()
    for job_id, attempt, due_at in pending:
        timed("async", runs.agent_execute, job_id=job_id, attempt=attempt, due_at=due_at)
    # The watchdog's task arrives after the settle: a no-op, but every lead's worker runs it.
    timed("deadline", runs.run_deadline_enforce, run_id=run_id)
    if profiler is not None:
        profiler.disable()
    return {"cpu_s": sum(parts.values()), "parts": parts, "queries": sum(counts.values()), "counts": counts, "sql": sql}


def _burst(tag: str, leads: int, sent: list, threads: int) -> dict:
    """``leads`` leads submitted at once, their agents run on ``threads`` threads of this process (the worker's
    threads pool: each its own connection), CPU of the whole process — so what threads do to each other (a
    cache every one of them reloads when it expires, the GIL) counts, as in ``bench.enrichment``."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.conf import settings
    from django.db import connection

    from enrichment.services import runs
    from onboarding.services import session as svc

    sessions = []
    for i in range(leads):
        session = svc.session_start(source="search", idempotency_key=f"swarm-cpu:{tag}:{i}")
        sessions.append(svc.session_submit_email(session=session, email=f"user{i}.{tag}@{DOMAINS[i % len(DOMAINS)]}"))
    sync = list(sent)
    sent.clear()
    run_ids = list(
        runs.EnrichmentRun.objects.filter(lead_id__in=[s.lead_id for s in sessions]).values_list("pk", flat=True)
    )
    time.sleep(settings.SWARM_FLAG_CACHE_SECONDS + 0.1)  # the caches expired, as after the quiet between bursts
    started = time.process_time()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda m: runs.agent_execute(job_id=m[0], attempt=m[1], due_at=m[2]), sync))
        pending = list(sent)  # the async agents the settles dispatched
        sent.clear()
        list(pool.map(lambda m: runs.agent_execute(job_id=m[0], attempt=m[1], due_at=m[2]), pending))
        list(pool.map(lambda r: runs.run_deadline_enforce(run_id=r), run_ids))
        cpu = time.process_time() - started
        # Every thread closes its connection (one task each: the barrier holds them until all have one).
        barrier = threading.Barrier(threads)
        list(pool.map(lambda _: barrier.wait(30) and None or connection.close(), range(threads)))
    return {
        "cpu_ms_per_lead": round(cpu / leads * 1000, 2),
        "tasks": len(sync) + len(pending),
    }


def measure(leads: int, data: str, profile: bool, show_sql: bool, threads: int = 0) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gtmos.settings.base")
    os.environ.setdefault("DEBUG", "0")  # as the workers run (bench.db.env): no query log on every statement
    django.setup()
    from enrichment.services import runs

    sent: list = []
    runs._dispatch = lambda job_id, attempt, due_at, agent="": sent.append((job_id, attempt, due_at))
    runs._watch_deadline = lambda run: None
    _setup(data)
    tag = f"{data}-{int(time.time())}"
    for i in range(5):  # warm-up: imports, caches, prepared plans
        _one_lead(f"{tag}-warm", i, sent, capture=False)
    if threads:
        bursts = [_burst(f"{tag}-burst{b}", leads, sent, threads) for b in range(3)]
        return {
            "data": data,
            "leads": leads,
            "threads": threads,
            "burst_cpu_ms_per_lead": [b["cpu_ms_per_lead"] for b in bursts],
            "load_avg_1m": os.getloadavg()[0],
        }
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU, not the waits on the database
    timed = [_one_lead(f"{tag}-cpu", i, sent, capture=False, profiler=profiler) for i in range(leads)]
    cpu = [t["cpu_s"] for t in timed]
    counted = [_one_lead(f"{tag}-sql", i, sent, capture=True) for i in range(min(leads, 10))]
    # Python function calls per lead: a count, not a time — the same on a busy machine as on a quiet one.
    import cProfile
    import pstats

    calls = []
    for i in range(min(leads, 10)):
        counter = cProfile.Profile()
        _one_lead(f"{tag}-calls", i, sent, capture=False, profiler=counter)
        calls.append(pstats.Stats(counter).total_calls)
    out = {
        "data": data,
        "leads": leads,
        "cpu_ms_per_lead": {
            "median": round(statistics.median(cpu) * 1000, 2),
            "mean": round(statistics.mean(cpu) * 1000, 2),
            "min": round(min(cpu) * 1000, 2),
        },
        # CPU per lead by task: three sync reports, the one that settles, the two async agents, the deadline.
        "cpu_ms_per_lead_by_task": {
            name: round(statistics.median(t["parts"].get(name, 0.0) for t in timed) * 1000, 2)
            for name in ("sync", "settling_sync", "async", "deadline")
        },
        "queries_per_lead": {
            "median": statistics.median(c["queries"] for c in counted),
            "max": max(c["queries"] for c in counted),
        },
        "queries_per_lead_by_task": {
            name: statistics.median(c["counts"].get(name, 0) for c in counted)
            for name in ("sync", "settling_sync", "async", "deadline")
        },
        "python_calls_per_lead": statistics.median(calls),
        "load_avg_1m": os.getloadavg()[0],
    }
    if show_sql:
        out["sql_of_one_lead"] = counted[0]["sql"]
    if profiler is not None:
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(
            os.environ.get("SWARM_CPU_PROFILE_FILTER", ""), 60
        )
        out["profile"] = buf.getvalue()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.swarm_cpu")
    parser.add_argument("--leads", type=int, default=50)
    parser.add_argument("--data", choices=("bench", "research"), default="bench")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true", help="print the statements of one lead")
    parser.add_argument("--threads", type=int, default=0, help="run bursts of --leads on this many threads")
    args = parser.parse_args()
    result = measure(args.leads, args.data, args.profile, args.sql, args.threads)
    profile = result.pop("profile", None)
    sql = result.pop("sql_of_one_lead", None)
    print(json.dumps(result), flush=True)
    if sql:
        for statement in sql:
            print(statement[:400])
    if profile:
        print(profile)


if __name__ == "__main__":
    main()
