"""The embedded PostgreSQL and Redis (gtmos/embedded.py): a fresh directory gets both, a second process attaches
to the running ones, and the servers stop when the last process that started or attached exits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

SCRIPT = """
import json, sys, time
from pathlib import Path
import dj_database_url, psycopg2, redis
from gtmos import embedded
services = embedded.start(Path(sys.argv[1]), "demo")
cfg = dj_database_url.parse(services.database_url)
conn = psycopg2.connect(host=cfg["HOST"], user=cfg["USER"], dbname=cfg["NAME"])
with conn.cursor() as cursor:
    cursor.execute("SELECT current_database(), current_setting('server_version_num')::int")
    db, version = cursor.fetchone()
conn.close()
client = redis.Redis(unix_socket_path=services.broker_url.removeprefix("redis+socket://"))
print(json.dumps({"db": db, "version": version, "pong": client.ping(), **services.__dict__}), flush=True)
time.sleep(float(sys.argv[2]))
"""


def _run(root: Path, hold: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(root), str(hold)],
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _pid_alive(path: Path) -> bool:
    try:
        pid = int(path.read_text().splitlines()[0])
        os.kill(pid, 0)
        return True
    except (OSError, ValueError, IndexError):
        return False


def test_embedded_servers_start_attach_and_stop_with_the_last_handle(tmp_path):
    root = tmp_path / "var"
    first = _run(root, hold=8)
    info = json.loads(first.stdout.readline() or first.stderr.read())
    assert info["db"] == "demo" and info["version"] >= 160000 and info["pong"] is True
    assert info["broker_url"].startswith("redis+socket://")
    postmaster = root / "pg" / "postmaster.pid"
    pg_pid = int(postmaster.read_text().splitlines()[0])

    second = _run(root, hold=0)  # attaches to the running servers and exits first
    again = json.loads(second.stdout.readline() or second.stderr.read())
    assert second.wait(timeout=60) == 0
    assert again["database_url"] == info["database_url"]
    assert int(postmaster.read_text().splitlines()[0]) == pg_pid  # the same server, not a second one
    assert _pid_alive(postmaster) and _pid_alive(root / "redis" / "redis.pid")  # still the first one's

    assert first.wait(timeout=60) == 0
    deadline = time.monotonic() + 30
    while (_pid_alive(postmaster) or _pid_alive(root / "redis" / "redis.pid")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not postmaster.exists() and not (root / "redis" / "redis.pid").exists()
    assert json.loads((root / "handles.json").read_text()) == []
