"""A throwaway PostgreSQL database for a benchmark run (never the dev or test database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_DB = os.environ.get("BENCH_DB", "gtmos_bench")
BENCH_URL = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"


def recreate(name: str = BENCH_DB, environ: dict | None = None) -> str:
    """Drop and create database ``name``, then migrate it (``environ`` points DATABASE_URL at it; default: env())."""
    drop(name)
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=environ or env(), check=True
    )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def drop(name: str = BENCH_DB) -> None:
    conn = psycopg2.connect(ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


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
