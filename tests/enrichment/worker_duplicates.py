"""Imported by a test worker (``--include``): double every swarm task it publishes, and log what each
delivery of ``agent_run`` returned (one line per delivery) to ``SWARM_TEST_DELIVERY_LOG``."""

import os
import threading

from celery.signals import task_postrun

from tests.enrichment.worker_doubles import install

install()
_lock = threading.Lock()


@task_postrun.connect(weak=False)
def log_delivery(sender=None, retval=None, **kwargs):
    path = os.environ.get("SWARM_TEST_DELIVERY_LOG")
    if path and getattr(sender, "name", "") == "enrichment.tasks.agent_run":
        with _lock, open(path, "a") as log:
            log.write(f"{retval}\n")
