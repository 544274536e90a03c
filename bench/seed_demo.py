"""seed_demo at 100,000 accounts on PostgreSQL. Target: under 10 minutes on the 2-core machine."""

import time

from . import db


def run(accounts: int = 100_000) -> dict:
    db.recreate()
    started = time.monotonic()
    result = db.manage(
        "seed_demo", "--accounts", str(accounts), "--usage-days", "30", "--health-days", "0", capture=True
    )
    elapsed = time.monotonic() - started
    counts = [
        line.strip() for line in result.stdout.splitlines() if line.startswith("  ") and line.strip()[:1].isalpha()
    ]
    return {
        "benchmark": "seed_demo",
        "accounts": accounts,
        "wall_s": round(elapsed, 1),
        "target_s": 600,
        "ok": elapsed < 600,
        "rows": counts[:10],
    }
