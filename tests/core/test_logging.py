"""One log line per record, carrying the request id (web) or the task id (Celery): readable text for the quick
start, JSON objects for production."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest
from celery import shared_task

from gtmos.core.logging import ContextFilter, JsonFormatter, TextFormatter, request_id


def _record(msg="hello", **extra) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "gtmos.test", "levelname": "INFO", "levelno": logging.INFO, "msg": msg, **extra}
    )
    ContextFilter().filter(record)
    return record


def test_a_record_in_a_request_carries_its_id_in_both_formats():
    token = request_id.set("3f2a9c0e11aa4bb5")
    try:
        record = _record(extra_field=7)
    finally:
        request_id.reset(token)
    text = TextFormatter().format(record)
    assert "req=3f2a9c0e11aa4bb5" in text and text.endswith("hello") and "\n" not in text
    payload = json.loads(JsonFormatter().format(record))
    assert payload["request_id"] == "3f2a9c0e11aa4bb5" and payload["task_id"] is None
    assert payload["msg"] == "hello" and payload["extra_field"] == 7


captured: list[logging.LogRecord] = []


class _Keep(logging.Handler):
    def emit(self, record):
        ContextFilter().filter(record)
        captured.append(record)


@shared_task(name="tests.core.test_logging.logs_something")
def logs_something():
    logging.getLogger("gtmos.test.task").warning("inside the task")


def test_a_record_in_a_celery_task_carries_the_task_id():
    logger = logging.getLogger("gtmos.test.task")
    handler = _Keep()
    logger.addHandler(handler)
    try:
        result = logs_something.apply(task_id="task-0042-abcdef")
    finally:
        logger.removeHandler(handler)
    assert result.successful()
    record = captured[-1]
    assert record.task_id == "task-0042-abcdef" and record.request_id is None
    assert "task=task-0042-abcdef" in TextFormatter().format(record)
    assert json.loads(JsonFormatter().format(record))["task_id"] == "task-0042-abcdef"


def test_outside_a_request_or_task_the_line_says_so():
    assert " - " in TextFormatter().format(_record())


PRODUCTION = {"DJANGO_SETTINGS_MODULE": "gtmos.settings.production", "SECRET_KEY": "p" * 60}


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DJANGO_SETTINGS_MODULE": "gtmos.settings.base"}, "text"),  # the quick start
        (PRODUCTION, "json"),
        ({**PRODUCTION, "LOG_FORMAT": "text"}, "text"),
    ],
)
def test_log_format_text_in_the_quick_start_json_in_production(environment, expected):
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k != "LOG_FORMAT"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.LOGGING['handlers']['console']['formatter'])",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, **environment},
    )
    assert out.stdout.strip() == expected, out.stderr


@pytest.mark.django_db
def test_after_the_response_no_stale_request_id_remains(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="finished-request-0001")
    assert response["X-Request-ID"] == "finished-request-0001"
    assert request_id.get() is None
