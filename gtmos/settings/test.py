"""Tests run on PostgreSQL and Redis at their standard local addresses.

Where either is missing the suite falls back (SQLite; no worker tests) and says so loudly at the end;
with ``GTMOS_REQUIRE_SERVICES=1`` (CI sets it) a missing service is a hard failure instead.
"""

import os
import socket

from django.core.exceptions import ImproperlyConfigured

from gtmos import env

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gtmos")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: E402,F403


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.5):
            return True
    except OSError:
        return False


REQUIRE_SERVICES = env.boolean("GTMOS_REQUIRE_SERVICES", default=False)
_db = DATABASES["default"]  # noqa: F405
POSTGRES_AVAILABLE = _db["ENGINE"].endswith("postgresql") and _reachable(
    _db.get("HOST") or "127.0.0.1", int(_db.get("PORT") or 5432)
)
REDIS_AVAILABLE = _reachable("127.0.0.1", 6379)
MISSING_SERVICES = [
    name for name, ok in (("PostgreSQL", POSTGRES_AVAILABLE), ("Redis", REDIS_AVAILABLE)) if not ok
]
if MISSING_SERVICES and REQUIRE_SERVICES:
    raise ImproperlyConfigured(
        f"GTMOS_REQUIRE_SERVICES is set but {', '.join(MISSING_SERVICES)} is not reachable"
    )
# Parallel runs on one machine (two engineers, CI) each get their own test database.
DATABASES["default"]["TEST"] = {"NAME": env.string("GTMOS_TEST_DB", "test_gtmos")}  # noqa: F405
if not POSTGRES_AVAILABLE:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

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
