"""Run web, Celery worker and Celery beat together (the quick-start stack), until Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
import uuid

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat together; stop them all on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("GTMOS_ADDR", "127.0.0.1:8000"))

    def handle(self, *args, addr, **options):
        python = sys.executable
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        specs = {
            "web": [python, "manage.py", "runserver", addr, "--noreload"],
            # The quick start's one worker also takes the swarm's queue (the full stack has its own worker).
            "worker": [python, "-m", "celery", "-A", "gtmos", "worker", "-Q", "celery,swarm,swarm_async", "--loglevel", "INFO",
                       "--concurrency", "2", "--hostname", "worker@%h"],
            "beat": [python, "-m", "celery", "-A", "gtmos", "beat", "--loglevel", "INFO",
                     "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
        }
        children = {name: subprocess.Popen(cmd, env=env, cwd=settings.BASE_DIR) for name, cmd in specs.items()}
        self._ping_worker()
        self.stdout.write(self.style.SUCCESS(
            f"\nGTM OS is running at http://{addr}/  (web, worker and beat; Ctrl-C stops all three)\n"
            "Sign in as revops / demo-pass-2026 to see the system panel (beat heartbeat, worker ping).\n"
        ))
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} exited with {child.returncode}; stopping the stack")
                        stopping = True
                time.sleep(0.5)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()

    def _ping_worker(self):
        """Queue one task at start so the Event log shows the worker has run something."""
        from gtmos.audit.tasks import record_worker_ping

        record_worker_ping.delay(token=f"start-{uuid.uuid4().hex[:8]}")
