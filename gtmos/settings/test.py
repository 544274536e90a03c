"""Tests run on PostgreSQL and Redis, always: the ones in DATABASE_URL / CELERY_BROKER_URL where set (CI sets the
machine's), otherwise embedded servers of their own under var/test/ (gtmos/embedded.py), started once for the
test session and stopped at its end. There is no other database and no skipped subset.
"""

import os

from gtmos import env

# The tests' embedded servers are not the quick start's: a test run never touches the demo data, and stopping
# one never stops the other.
os.environ.setdefault("GTMOS_EMBEDDED_DIR", str(env.VAR_DIR / "test"))

from .base import *  # noqa: E402,F403

# Worker processes and `manage.py` subprocesses the tests start reach the same servers.
os.environ.update(EMBEDDED_ENV)  # noqa: F405
# Parallel runs on one server (two engineers, CI) each get their own test database.
DATABASES["default"]["TEST"] = {"NAME": env.string("GTMOS_TEST_DB", "test_gtmos")}  # noqa: F405

SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Tests flip swarm flags between statements: every check reads the database.
SWARM_FLAG_CACHE_SECONDS = 0
PROSPECT_FUNNEL_CACHE_SECONDS = 0  # every test reads the Event log as it is (test_funnel_cache turns it on)
