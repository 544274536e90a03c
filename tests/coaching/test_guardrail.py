"""Seed 001's guardrail: AGT-701 writes no comp, quota or plan table — coaching signal is advisory only."""

import datetime as dt
import re
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coaching.services.daily import coaching_daily
from coaching.services.digest import digests_generate
from coaching.services.weekly import coaching_weekly

from .conftest import week
from .test_daily import ae_with_ledger

WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"(\w+)"', re.I)
ALLOWED = re.compile(r"^(coaching_|audit_)")  # its own logs, and notices/events through the audit services


def test_coaching_jobs_write_only_their_own_tables(team):
    team.weekly_counts(team.sdr, {k: 5 for k in range(-3, 5)})
    ae_with_ledger(team, 40000, 9000, dt.date(2026, 11, 25))
    with CaptureQueriesContext(connection) as ctx:
        for k in range(0, 5):
            coaching_weekly(week=week(k))
        coaching_daily(day=dt.date(2026, 11, 25))
        digests_generate(month=dt.date(2026, 10, 1), generated_on=dt.date(2026, 11, 2))
    written = {m.group(2) for q in ctx.captured_queries if (m := WRITE.match(q["sql"]))}
    assert written, "the jobs wrote nothing: the guardrail test would prove nothing"
    assert {t for t in written if not ALLOWED.match(t)} == set()


def test_coaching_code_imports_no_comp_or_quota_writer():
    root = Path(__file__).resolve().parents[2] / "coaching"
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "comp.services" not in text and "crm.services" not in text, path
        assert not re.search(
            r"\b(Quota|QuotaRetirementLedger|CompPlan)\.objects\.(create|update|bulk|filter\([^)]*\)\.(update|delete))",
            text,
        ), path
