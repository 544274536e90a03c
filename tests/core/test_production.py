"""Production-true: docker-compose's settings pass `check --deploy`; 404 and 500 are friendly pages with DEBUG
off; every response carries an X-Request-ID that is also on the request's log records."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

COMPOSE = settings.BASE_DIR / "docker-compose.yml"


def compose_app_environment(overrides: dict[str, str]) -> dict[str, str]:
    """The ``environment: &app-env`` block every app service of docker-compose.yml shares, with compose's
    ``${NAME:-default}`` / ``${NAME:?error}`` interpolation against ``overrides``."""
    lines = COMPOSE.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "environment: &app-env")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    result = {}
    for line in lines[start + 1 :]:
        if len(line) - len(line.lstrip()) < indent or not line.strip():
            break
        key, _, value = line.strip().partition(": ")

        def interpolate(m):
            name, op, arg = m.group(1), m.group(2), m.group(3)
            if name in overrides:
                return overrides[name]
            if op == ":?":
                raise AssertionError(f"compose requires {name}: {arg}")
            return arg

        result[key] = re.sub(r"\$\{(\w+)(:-|:\?)([^}]*)\}", interpolate, value)
    return result


def test_compose_runs_the_production_settings_and_requires_a_secret():
    environment = compose_app_environment({"SECRET_KEY": "x"})
    assert environment["DJANGO_SETTINGS_MODULE"] == "gtmos.settings.production"
    assert "DEBUG" not in environment  # production's default: off
    with pytest.raises(AssertionError, match="compose requires SECRET_KEY"):
        compose_app_environment({})


def test_check_deploy_is_clean_under_the_compose_environment():
    secret = "compose-deploy-check-" + "k" * 40
    environment = compose_app_environment({"SECRET_KEY": secret})
    # The compose hosts (postgres, redis) do not resolve here; `check --deploy` loads settings, connects nowhere.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_database_url():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "gtmos.settings.production", "SECRET_KEY": "s" * 60}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


@pytest.mark.django_db
def test_404_is_a_friendly_page_with_debug_off(client):
    assert settings.DEBUG is False
    response = client.get("/crm/there/is/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We couldn&#x27;t find that page" in body or "We couldn't find that page" in body
    assert 'href="/accounts/login/"' in body  # signed out: a way in
    assert "Traceback" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.core.urls_error")
def test_500_is_a_friendly_page_with_the_request_reference(caplog):
    client = Client(raise_request_exception=False, HTTP_X_REQUEST_ID="support-ticket-0042")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body
    assert "support-ticket-0042" in body  # the reference the user reads out is the one in the log
    assert "a bug in a view" not in body and "Traceback" not in body
    assert response["X-Request-ID"] == "support-ticket-0042"
    logged = [r for r in caplog.records if r.name == "django.request"]
    assert logged and logged[0].request_id == "support-ticket-0042"


@pytest.mark.django_db
def test_request_id_in_and_out(client):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert kept["X-Request-ID"] == "lb-7f3a9c2e-0001"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made["X-Request-ID"])
    # An id that could forge log lines or is absurdly long is replaced, not echoed.
    for bad in ("short", "x" * 500, "abc def\r\nlevel=ERROR", "<script>alert(1)</script>"):
        replaced = client.get("/healthz", HTTP_X_REQUEST_ID=bad)
        assert replaced["X-Request-ID"] != bad
        assert re.fullmatch(r"[0-9a-f]{32}", replaced["X-Request-ID"])
