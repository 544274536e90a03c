"""Settings come from the environment; malformed values fail at start naming the variable."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from gtmos import env


@pytest.mark.parametrize(
    ("name", "value", "reader"),
    [
        ("DEBUG", "maybe", lambda: env.boolean("DEBUG")),
        ("EMAIL_PORT", "twenty-five", lambda: env.integer("EMAIL_PORT", 25)),
        ("DATABASE_URL", "mysql://x@y/z", lambda: env.database()),
        ("DATABASE_URL", "not a url at all", lambda: env.database()),
        ("CELERY_BROKER_URL", "kafka://broker", lambda: env.broker_url()),
    ],
)
def test_malformed_value_names_the_variable(monkeypatch, name, value, reader):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        reader()


def test_database_url_parses_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db:5433/gtm")
    config = env.database()
    assert (config["ENGINE"], config["HOST"], config["PORT"], config["NAME"]) == (
        "django.db.backends.postgresql",
        "db",
        5433,
        "gtm",
    )


def _manage(*args, **extra_env):
    environment = {**os.environ, **extra_env}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="gtmos.settings.production",
        SECRET_KEY="x" * 20 + "-production-secret-for-the-deploy-check-" + "y" * 20,
        ALLOWED_HOSTS="gtmos.example.com",
        DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_dev_secret_key():
    result = _manage("check", DJANGO_SETTINGS_MODULE="gtmos.settings.production", SECRET_KEY="short")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_bad_env_value_fails_at_start():
    result = _manage("check", DJANGO_SETTINGS_MODULE="gtmos.settings.base", DEBUG="perhaps")
    assert result.returncode != 0 and "DEBUG" in result.stderr


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
