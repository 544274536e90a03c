"""A throwaway PostgreSQL database for a benchmark run (never the dev or test database)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_DB = os.environ.get("BENCH_DB", "gtmos_bench")
BENCH_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"


def recreate(name: str = BENCH_DB, environ: dict | None = None) -> str:
    """Drop and create database ``name``, then migrate it (``environ`` points DATABASE_URL at it; default: env())."""
    drop(name)
    _admin(f'CREATE DATABASE "{name}"')
    _migrate(environ)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


# Opt-in (BENCH_DATA_CACHE=1): a scale's built data is kept as a template database and cloned by the next run,
# so a second measurement of a million-customer book does not spend 25 minutes rebuilding the same rows.
DATA_CACHE = os.environ.get("BENCH_DATA_CACHE") == "1"
# What the built rows depend on: the builders and the demo book they draw from. A migration added since the
# template was built is applied to the clone (as a deploy would); a change here rebuilds.
DATA_SOURCES = ("bench/*_data.py", "gtmos/core/demo/*.py")


def built(name: str, environ: dict, kind: str, key: str, build: Callable[[], dict]) -> dict:
    """Database ``name`` migrated and holding ``build()``'s data; ``build``'s JSON answer is returned.

    With BENCH_DATA_CACHE=1 the data is cloned from a template ``bench_tpl_<kind>_<digest>`` when one matches
    ``key`` (the scale and its arguments) and the data sources, else built and saved as that template (older
    templates of ``kind`` are dropped: each is the size of the data)."""
    if not DATA_CACHE:
        recreate(name, environ)
        return build()
    digest = hashlib.sha1(key.encode())
    for pattern in DATA_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.read_bytes())
    template = f"bench_tpl_{kind}_{digest.hexdigest()[:12]}"
    saved = _template_answer(template)
    if saved is not None:
        drop(name)
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        _migrate(environ)
        return {**saved, "from_template": template}
    recreate(name, environ)
    answer = build()
    for (old,) in _admin_rows("SELECT datname FROM pg_database WHERE datname LIKE %s", (f"bench_tpl_{kind}_%",)):
        drop(old)
    _admin(f'CREATE DATABASE "{template}" TEMPLATE "{name}" STRATEGY FILE_COPY')
    _admin(f'COMMENT ON DATABASE "{template}" IS %s', (json.dumps(answer),))
    return answer


def _template_answer(template: str) -> dict | None:
    rows = _admin_rows("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (template,))
    return json.loads(rows[0][0]) if rows and rows[0][0] else None


def _admin(sql: str, params=None) -> None:
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
    conn.close()


def _admin_rows(sql: str, params=None) -> list[tuple]:
    conn = psycopg2.connect(ADMIN_URL)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    finally:
        conn.close()


def _migrate(environ: dict | None) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=environ or env(), check=True
    )


def drop(name: str = BENCH_DB) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop(procs) -> None:
    """Terminate the benchmark's worker/server processes; kill any that have not exited after 20 s."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc); None if it is gone or not readable."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def peak_rss_mib(connection=None) -> dict:
    """Peak resident memory (MiB) of this process and, given a Django connection, of its PostgreSQL backend
    (Linux: getrusage, /proc/<pid>/status VmHWM; the backend runs on this machine)."""
    import resource

    out = {"worker_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}
    if connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        try:
            with open(f"/proc/{pid}/status") as f:
                hwm = next((line.split()[1] for line in f if line.startswith("VmHWM:")), None)
            out["postgres_backend_mib"] = round(int(hwm) / 1024) if hwm else None
        except OSError:
            out["postgres_backend_mib"] = None
    return out


def env() -> dict:
    return {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "gtmos.settings.base",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL")
        or os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"),
    }


def manage(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=capture, text=True
    )
