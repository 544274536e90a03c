"""The one place that reads the process environment.

Every setting that comes from the environment is parsed here, so a malformed value fails at start with
``ImproperlyConfigured`` naming the variable, instead of surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GTMOS_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def string(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def boolean(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def integer(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def _pairs(name: str, default: str, kind: str) -> tuple[str, list[tuple[str, str]]]:
    """``a=1,b=2`` → ``[("a", "1"), ("b", "2")]``; a part without a name or a value is a malformed setting."""
    raw = os.environ.get(name, default)
    pairs = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ImproperlyConfigured(f"{name}={raw!r} is not a list of name={kind} pairs")
        pairs.append((key.strip(), value.strip()))
    return raw, pairs


def int_map(name: str, default: str = "") -> dict[str, int]:
    """``a=1,b=2`` → ``{"a": 1, "b": 2}``."""
    raw, pairs = _pairs(name, default, "integer")
    try:
        return {key: int(value) for key, value in pairs}
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a list of name=integer pairs") from None


def str_map(name: str, default: str = "") -> dict[str, str]:
    """``a=x.y.Z,b=w`` → ``{"a": "x.y.Z", "b": "w"}``."""
    return dict(_pairs(name, default, "value")[1])


def csv_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def database(name: str = "DATABASE_URL", default: str | None = None) -> dict:
    """DATABASE_URL (PostgreSQL only); ``default`` is the embedded server's URL where the settings started one."""
    raw = os.environ.get(name) or default
    if not raw:
        raise ImproperlyConfigured(f"{name} is not set (postgres://user:password@host:5432/name)")
    # Persistent connections by default; a threads-pool worker sets 0 so idle threads hold none.
    max_age = integer("DATABASE_CONN_MAX_AGE", 60)
    try:
        config = dj_database_url.parse(raw, conn_max_age=max_age, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise ImproperlyConfigured(f"{name}={raw!r} is not a database URL: {exc}") from None
    if not config.get("ENGINE", "").endswith("postgresql"):
        raise ImproperlyConfigured(f"{name}={raw!r}: only postgres:// is supported")
    if integer("DATABASE_POOL_IDLE", 0) > 0:
        # Threads-pool workers: closed connections go back to a per-process pool (gtmos/pooled_postgresql, a
        # PostgreSQL engine like the stock one) instead of ending their server process, so a burst of short
        # tasks does not pay a new backend per task.
        config["ENGINE"], config["POOL_IDLE"] = "gtmos.pooled_postgresql", integer("DATABASE_POOL_IDLE", 0)
        config["POOL_MAX"] = integer("DATABASE_POOL_MAX", 0)  # open connections per process; 0: no cap
    return config


def broker_url(name: str = "CELERY_BROKER_URL", default: str | None = None) -> str:
    """The Celery broker: Redis (``redis+socket://`` is the embedded one); ``default`` as for ``database``."""
    raw = os.environ.get(name) or default
    if not raw:
        raise ImproperlyConfigured(f"{name} is not set (redis://host:6379/0)")
    if urlparse(raw).scheme not in {"redis", "rediss", "redis+socket"}:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected redis://, rediss:// or redis+socket://")
    return raw


def database_url(config: dict, name: str | None = None) -> str:
    """The URL of a settings DATABASES entry (for a worker process a test or the stack starts), with another
    database ``name`` if given; a unix-socket host is percent-encoded, as dj-database-url reads it."""
    user = quote(config.get("USER") or "postgres", safe="")
    password = f":{quote(config['PASSWORD'], safe='')}" if config.get("PASSWORD") else ""
    host = config.get("HOST") or "127.0.0.1"
    host = quote(host, safe="") if host.startswith("/") else host
    port = f":{config['PORT']}" if config.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{name or config['NAME']}"
