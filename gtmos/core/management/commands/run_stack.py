"""The quick start (``make run``): the whole product on this machine, until Ctrl-C.

Schema, demo data (once), then web, the default worker, a threads-pool worker for the swarm's queues (as
docker-compose runs them) and beat. PostgreSQL and Redis are the ones in DATABASE_URL / CELERY_BROKER_URL, or
the embedded ones under var/ the settings started (gtmos/embedded.py); the children get the same URLs. Each
child writes its log to var/log/<name>.log; the terminal gets a few lines and ends with the address and the
logins table (``make logins`` prints it again).
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from gtmos.core.demo.logins import logins_table

STACK_FILE = "stack.json"  # var/stack.json: where the running stack listens, for `make logins`


def site_url_for(addr: str) -> str:
    """The address people type: a wildcard bind is reached on the loopback address."""
    host, _, port = addr.rpartition(":")
    if not host or host in {"0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Start web, the workers and beat on this machine (the quick start); Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default=os.environ.get("GTMOS_ADDR", "127.0.0.1:8000"),
            help="host:port the web server listens on (default 127.0.0.1:8000).",
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo data into an empty database.")
        parser.add_argument("--start-timeout", type=float, default=120, help="Seconds to wait for every process.")
        parser.add_argument("--demo-args", default="", help='Extra seed_demo options, e.g. "--accounts 40".')

    def handle(self, *args, addr, no_demo, start_timeout, demo_args, **options):
        if ":" not in addr or not addr.rpartition(":")[2].isdigit():
            raise CommandError(f"--addr {addr!r}: expected host:port, e.g. 127.0.0.1:8000")
        started = time.monotonic()
        # Links in emails follow the address the stack listens on, unless SITE_URL says otherwise.
        site_url = os.environ.get("SITE_URL") or site_url_for(addr)
        settings.SITE_URL = site_url
        where = "embedded under var/" if settings.EMBEDDED_ENV else "from DATABASE_URL / CELERY_BROKER_URL"
        logs = settings.VAR_DIR / "log"
        logs.mkdir(parents=True, exist_ok=True)
        self.stdout.write(f"GTM OS quick start — PostgreSQL and Redis {where}; logs in {logs}/")

        self.stdout.write("  Database schema ...", ending="")
        self.stdout.flush()
        t = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f" up to date ({time.monotonic() - t:.1f} s)")
        if not no_demo:
            call_command(
                "seed_demo", *shlex.split(demo_args), "--if-empty", "--swarm-on", "--no-logins", stdout=self.stdout._out
            )

        children = self._start(addr, site_url, logs)
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        stack_file = settings.VAR_DIR / STACK_FILE
        try:
            self._wait_ready(children, site_url, logs, start_timeout, lambda: stopping)
            stack_file.write_text(json.dumps({"pid": os.getpid(), "site_url": site_url}))
            self.stdout.write(
                f"  Web, 2 workers and beat up ({time.monotonic() - started:.0f} s in all). "
                f"Emails are written to {settings.EMAIL_FILE_PATH}/. Ctrl-C stops everything.\n"
            )
            self.stdout.write("\n".join(logins_table(site_url)))
            self.stdout.flush()
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self._report_exit(name, child, logs)
                        stopping = True
                time.sleep(0.5)
        finally:
            stack_file.unlink(missing_ok=True)
            self.stdout.write("\nStopping the stack ...", ending="")
            self.stdout.flush()
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write(" stopped.")

    def _start(self, addr: str, site_url: str, logs) -> dict[str, subprocess.Popen]:
        python = sys.executable
        # --quiet: no banner; --loglevel: Celery sets the root logger's level from it (the handler is ours).
        celery = [python, "-m", "celery", "-A", "gtmos", "--quiet"]
        level = ["--loglevel", settings.LOG_LEVEL]
        env = {
            **os.environ,
            **settings.EMBEDDED_ENV,
            "SITE_URL": site_url,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "gtmos.settings.base"),
        }
        # The swarm's agents wait on sources: a threads pool (as docker-compose's swarm workers), holding no
        # connection while idle. Both swarm queues on one worker: the quick start is one prospect at a time.
        swarm_env = {**env, "DATABASE_CONN_MAX_AGE": "0", "DATABASE_POOL_IDLE": "8"}
        self.token = uuid.uuid4().hex[:8]
        specs = {
            "web": ([python, "manage.py", "runserver", addr, "--noreload", "--skip-checks"], env),
            "worker": (
                [
                    *celery,
                    "worker",
                    *level,
                    "-Q",
                    "celery",
                    "--concurrency",
                    "2",
                    "--hostname",
                    f"worker-{self.token}@%h",
                ],
                env,
            ),
            "swarm-worker": (
                [
                    *celery,
                    "worker",
                    *level,
                    "-Q",
                    f"{settings.SWARM_QUEUE},{settings.SWARM_ASYNC_QUEUE}",
                    "--pool",
                    "threads",
                    "--concurrency",
                    "16",
                    "--hostname",
                    f"swarm-{self.token}@%h",
                ],
                swarm_env,
            ),
            "beat": ([*celery, "beat", *level, "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")], env),
        }
        children = {}
        for name, (cmd, child_env) in specs.items():
            log = open(logs / f"{name}.log", "a")
            # Own process group: Ctrl-C reaches this command only, which stops the children in order.
            children[name] = subprocess.Popen(
                cmd,
                env=child_env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
        return children

    def _wait_ready(self, children, site_url, logs, timeout, stopping):
        """Web answers /healthz and both workers answer a ping; a child that dies here fails the start."""
        from gtmos.audit.tasks import record_worker_ping
        from gtmos.celery import app

        deadline = time.monotonic() + timeout
        want = {f"worker-{self.token}@", f"swarm-{self.token}@"}
        web_up = False
        while not stopping():
            for name, child in children.items():
                if child.poll() is not None:
                    self._report_exit(name, child, logs)
                    raise CommandError(f"{name} did not start")
            if not web_up:
                try:
                    with urllib.request.urlopen(f"{site_url}/healthz", timeout=2) as response:
                        web_up = response.status == 200
                except (urllib.error.URLError, OSError):
                    pass
            if want:
                for reply in app.control.ping(timeout=0.5):
                    want -= {w for w in want for name in reply if name.startswith(w)}
            if web_up and not want:
                record_worker_ping.delay(token=f"start-{self.token}")  # the system panel shows a first run
                return
            if time.monotonic() > deadline:
                raise CommandError(f"the stack did not come up within {timeout:.0f} s; see {logs}/")
            time.sleep(0.3)

    def _report_exit(self, name, child, logs):
        path = logs / f"{name}.log"
        try:
            tail = path.read_text(errors="replace").splitlines()[-15:]
        except OSError:
            tail = []
        self.stderr.write(f"\n{name} exited with {child.returncode}; the end of {path}:")
        for line in tail:
            self.stderr.write(f"  {line}")
