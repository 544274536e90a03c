"""gunicorn's configuration for the web service (``gunicorn -c python:gtmos.gunicorn``; docker-compose and the
page benchmarks use it).

Sync workers, as many as gunicorn's documentation recommends, (2 × cores) + 1: a worker waiting on PostgreSQL
leaves its core to another, so fewer than that leaves CPU idle under load while requests queue.
``WEB_CONCURRENCY`` overrides the count (gunicorn's own variable).
"""

import multiprocessing
import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
wsgi_app = "gtmos.wsgi:application"


def post_worker_init(worker) -> None:
    """The worker has loaded the app: keep its startup heap out of the collector's full passes (core/heap.py)."""
    from gtmos.core.heap import freeze_after_load

    freeze_after_load()


# gunicorn's own lines (boot, worker timeouts and exits) in the app's format: JSON lines unless LOG_FORMAT=text.
_format = os.environ.get("LOG_FORMAT", "json")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"app": {"()": f"gtmos.core.logging.{'TextFormatter' if _format == 'text' else 'JsonFormatter'}"}},
    "filters": {"context": {"()": "gtmos.core.logging.ContextFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "app", "filters": ["context"]}},
    "loggers": {"gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
