"""Log records carry where they came from: the request id (web) or the Celery task id (workers).

Two formats of the same records: ``text`` (one readable line, the quick start) and ``json`` (one object per
line with the standard fields plus any ``extra=``, production).
"""

import contextvars
import json
import logging

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Set by RequestIdMiddleware at the start of a request and cleared when the response is closed (not when the
# middleware returns): Django's 4xx/5xx line and runserver's access line are written between the two.
request_id = contextvars.ContextVar("request_id", default=None)


def _task_id():
    from celery import current_task

    task = current_task._get_current_object() if current_task else None
    return getattr(getattr(task, "request", None), "id", None)


class ContextFilter(logging.Filter):
    """Puts ``request_id`` and ``task_id`` on every record (None where there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "task_id"):
            try:
                record.task_id = _task_id()
            except Exception:  # logging must never fail because Celery is half set up
                record.task_id = None
        if not hasattr(record, "request_id"):
            # Inside a task a thread's last request is not the context (a test client, an eager task).
            record.request_id = None if record.task_id else request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD and k != "request"})
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class TextFormatter(logging.Formatter):
    """``16:40:01 INFO  django.server  req=3f2a…  "GET / HTTP/1.1" 200 5120`` — one line, then any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        if getattr(record, "request_id", None):
            where = f"req={record.request_id}"
        elif getattr(record, "task_id", None):
            where = f"task={record.task_id}"
        else:
            where = "-"
        line = (
            f"{self.formatTime(record, '%H:%M:%S')} {record.levelname:<7} {record.name:<24} {where:<36} "
            f"{record.getMessage()}"
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
