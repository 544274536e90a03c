"""White-glove pages with a growing pipeline: the AE pipeline, the SDR pipeline, the MEDDPICC scorecard and a
deal's W5 page, with one AE/SDR pair holding 50 and then 500 deals (the pipeline pages list up to 500).
Reports per page: median and p95 render time over 30 requests (Django test client, in-process, PostgreSQL)
and the query count at both sizes. Target: query counts equal at both sizes; p95 under 150 ms at 500 deals.

Runs in its own database (``BENCH_WHITEGLOVE_DB``, default ``gtmos_bench_whiteglove``), so it can run next to
the other benchmarks; never the dev or test database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from . import db

OWN_DB = os.environ.get("BENCH_WHITEGLOVE_DB", "gtmos_bench_whiteglove")

SIZES = (50, 500)
TARGET_P95_MS = 150

MEASURE = r"""
import json, statistics, sys, time
import django
django.setup()
from decimal import Decimal
from django.db import connection
from django.test import Client
from django.contrib.auth import get_user_model
from django.urls import reverse
from enrichment.models import Lead, Profile, Pursuit
from gtmos.crm.models import Employee
from onboarding.models import Deal, OnboardingSession
from onboarding.whiteglove.battlepack import whiteglove_enter

User = get_user_model()
def person(role, name):
    user = User.objects.create_user(username=name, password="x")
    return Employee.objects.create(user=user, name=name, email=f"{name}@bench.test", role=role, territory="AZ")
if not Employee.objects.exists():
    person("ae", "ae"); person("sdr", "sdr"); person("csm", "csm")
have = Deal.objects.count()
target = int(sys.argv[1])
for n in range(have, target):
    lead = Lead.objects.create(email=f"est{n}@firm{n}.test", name=f"Pat {n}", title="Chief Estimator",
                               source="outbound", idempotency_key=f"bench:{n}")
    Profile.objects.create(lead=lead, company=f"Firm {n} Electric", hq="Phoenix, AZ", org_type="sub_contractor",
                           size_band="large", revenue_est=Decimal(2e8), persona="estimator", trade="electrical",
                           confidence={"persona": 0.9, "trade": 0.9, "size_band": 0.9})
    Pursuit.objects.create(lead=lead, name=f"Hospital {n}", value=Decimal(8e6), source="public_bid", match_score=0.8)
    whiteglove_enter(session=OnboardingSession.objects.create(lead=lead, state="W5_BATTLEPACK", track="wg_enterprise"))
deal = Deal.objects.order_by("created_at").first()
pages = {"pipeline_ae": ("ae", reverse("whiteglove:pipeline_ae")), "pipeline_sdr": ("sdr", reverse("whiteglove:pipeline_sdr")),
         "scorecard": ("ae", reverse("whiteglove:scorecard")),
         "deal_w5": ("ae", reverse("whiteglove:deal_step", args=[deal.pk, "w5"]))}
out = {}
for name, (who, url) in pages.items():
    client = Client()
    client.force_login(User.objects.get(username=who))
    client.get(url)
    seen = []
    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)
    with connection.execute_wrapper(count):
        assert client.get(url).status_code == 200
    times = []
    for _ in range(30):
        t = time.perf_counter(); client.get(url); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out[name] = {"queries": len(seen), "p50_ms": round(statistics.median(times), 1),
                 "p95_ms": round(times[int(len(times) * 0.95) - 1], 1)}
print(json.dumps({"deals": target, "pages": out}))
"""


def run(accounts: int | None = None) -> dict:
    saved = db.BENCH_DB, db.BENCH_URL
    db.BENCH_DB, db.BENCH_URL = OWN_DB, db.BENCH_URL.rsplit("/", 1)[0] + "/" + OWN_DB
    try:
        return _run()
    finally:
        db.BENCH_DB, db.BENCH_URL = saved


def _run() -> dict:
    db.recreate()
    results = {}
    for size in SIZES:
        proc = subprocess.run(
            [sys.executable, "-c", MEASURE, str(size)],
            cwd=db.ROOT,
            env=db.env(),
            check=True,
            capture_output=True,
            text=True,
        )
        line = json.loads(proc.stdout.strip().splitlines()[-1])
        print(json.dumps({"benchmark": "whiteglove_pages", **line}), flush=True)
        results[size] = line["pages"]
    small, large = SIZES
    flat = {name: results[small][name]["queries"] == results[large][name]["queries"] for name in results[small]}
    fast = {name: results[large][name]["p95_ms"] < TARGET_P95_MS for name in results[large]}
    return {
        "benchmark": "whiteglove_pages",
        "summary": True,
        "deals": list(SIZES),
        "queries_flat": flat,
        "p95_under_target": fast,
        "target_p95_ms": TARGET_P95_MS,
        "ok": all(flat.values()) and all(fast.values()),
    }
