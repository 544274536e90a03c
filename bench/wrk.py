"""Steady-state page latency with wrk: N connections, no think time, for a fixed time.

wrk is C: on a 2-core machine a Python load generator spends a third of a core producing the load it measures;
wrk's own cost is small. Each run cycles through a list of requests (path + the cookie of the browser it belongs
to), so every prospect reads their own pages. ``apt-get install wrk``; callers fall back to their Python client
when it is missing and say so.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk_requests.lua")


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base_url: str, requests: list[tuple[str, str, bool]], *, connections: int, seconds: int, threads: int = 2
) -> dict:
    """``requests``: (path, Cookie header, htmx?) tuples. Returns requests, errors, p50/p95/max in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as listing:
        for path, cookie, htmx in requests:
            listing.write(f"{path}\t{cookie}\t{1 if htmx else 0}\n")
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                str(threads),
                "-c",
                str(connections),
                "-d",
                f"{seconds}s",
                "-s",
                str(SCRIPT),
                base_url,
                "--",
                listing.name,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        Path(listing.name).unlink(missing_ok=True)
    row = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
    row["req_per_s"] = round(row["requests"] / seconds, 1)
    return row
